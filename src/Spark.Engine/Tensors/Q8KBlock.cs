using System.Buffers.Binary;

namespace Spark.Engine.Tensors;

/// <summary>
/// ggml block_q8_K: { float d; i8 qs[256]; i16 bsums[16] }, 256 elements; value = d·q. bsums[g] is the sum of
/// the 16 quants of group g (used by k-quant dot products).
/// </summary>
internal static class Q8KBlock
{
    public const int Bytes = 292;
    public const int Elements = 256;
    public const int QsOffset = 4;
    public const int BsumsOffset = 260;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int b = 0; b < dst.Length / Elements; b++)
        {
            var block = src.Slice(b * Bytes, Bytes);
            var y = dst.Slice(b * Elements, Elements);
            float d = BinaryPrimitives.ReadSingleLittleEndian(block);
            for (int j = 0; j < Elements; j++) y[j] = d * (sbyte)block[QsOffset + j];
        }
    }

    /// <summary>quantize_row_q8_K_ref: iscale = −127/max (max signed), q = min(127, nearest(iscale·x)), d = 1/iscale.</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        for (int b = 0; b < src.Length / Elements; b++)
        {
            var x = src.Slice(b * Elements, Elements);
            var block = dst.Slice(b * Bytes, Bytes);
            float max = 0, amax = 0;
            for (int j = 0; j < Elements; j++)
            {
                float ax = MathF.Abs(x[j]);
                if (ax > amax) { amax = ax; max = x[j]; }
            }
            if (amax == 0)
            {
                block.Clear();
                continue;
            }
            float iscale = -127f / max;
            for (int j = 0; j < Elements; j++)
                block[QsOffset + j] = (byte)(sbyte)Math.Min(127, KQuantSolver.NearestInt(iscale * x[j]));
            for (int g = 0; g < 16; g++)
            {
                int sum = 0;
                for (int i = 0; i < 16; i++) sum += (sbyte)block[QsOffset + 16 * g + i];
                BinaryPrimitives.WriteInt16LittleEndian(block.Slice(BsumsOffset + 2 * g), (short)sum);
            }
            BinaryPrimitives.WriteSingleLittleEndian(block, 1 / iscale);
        }
    }
}

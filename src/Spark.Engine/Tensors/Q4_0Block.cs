using System.Buffers.Binary;

namespace Spark.Engine.Tensors;

/// <summary>
/// ggml block_q4_0: { half d; u8 qs[16] }, 32 elements. Byte j holds element j in its low nibble and
/// element j + 16 in its high nibble; value = (q − 8)·d.
/// </summary>
internal static class Q4_0Block
{
    public const int Bytes = 18;
    public const int Elements = 32;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int b = 0; b < dst.Length / Elements; b++)
        {
            var block = src.Slice(b * Bytes, Bytes);
            var y = dst.Slice(b * Elements, Elements);
            float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
            for (int j = 0; j < 16; j++)
            {
                byte q = block[2 + j];
                y[j] = ((q & 0x0F) - 8) * d;
                y[j + 16] = ((q >> 4) - 8) * d;
            }
        }
    }

    /// <summary>quantize_row_q4_0_ref: d = max/−8 where max is the element of largest magnitude.</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        for (int b = 0; b < src.Length / Elements; b++)
        {
            var x = src.Slice(b * Elements, Elements);
            var block = dst.Slice(b * Bytes, Bytes);
            float amax = 0, max = 0;
            for (int j = 0; j < Elements; j++)
            {
                if (amax < MathF.Abs(x[j])) { amax = MathF.Abs(x[j]); max = x[j]; }
            }
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            BinaryPrimitives.WriteHalfLittleEndian(block, (Half)d);
            for (int j = 0; j < 16; j++)
            {
                int lo = Math.Min(15, (int)(x[j] * id + 8.5f));
                int hi = Math.Min(15, (int)(x[j + 16] * id + 8.5f));
                block[2 + j] = (byte)(lo | (hi << 4));
            }
        }
    }
}

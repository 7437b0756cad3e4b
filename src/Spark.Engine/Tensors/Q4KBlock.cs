using System.Buffers.Binary;

namespace Spark.Engine.Tensors;

/// <summary>
/// ggml block_q4_K: { half d; half dmin; u8 scales[12]; u8 qs[128] }, 256 elements in eight sub-blocks of 32
/// with 6-bit scales and mins (<see cref="KQuantSolver.ScaleMin"/>). Each 32 bytes of qs hold two sub-blocks:
/// low nibbles the first, high nibbles the second; value = d·sc·q − dmin·m.
/// </summary>
internal static class Q4KBlock
{
    public const int Bytes = 144;
    public const int Elements = 256;
    public const int ScalesOffset = 4;
    public const int QsOffset = 16;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int b = 0; b < dst.Length / Elements; b++)
        {
            var block = src.Slice(b * Bytes, Bytes);
            var y = dst.Slice(b * Elements, Elements);
            float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
            float dmin = (float)BinaryPrimitives.ReadHalfLittleEndian(block[2..]);
            var scales = block.Slice(ScalesOffset, 12);
            for (int g = 0; g < 4; g++)
            {
                var q = block.Slice(QsOffset + 32 * g, 32);
                KQuantSolver.ScaleMin(2 * g, scales, out int sc1, out int m1);
                KQuantSolver.ScaleMin(2 * g + 1, scales, out int sc2, out int m2);
                float d1 = d * sc1, min1 = dmin * m1, d2 = d * sc2, min2 = dmin * m2;
                for (int l = 0; l < 32; l++)
                {
                    y[64 * g + l] = d1 * (q[l] & 0xF) - min1;
                    y[64 * g + 32 + l] = d2 * (q[l] >> 4) - min2;
                }
            }
        }
    }

    /// <summary>quantize_row_q4_K_ref: make_qkx2_quants per sub-block, scales and mins quantized to 6 bits.</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        Span<byte> levels = stackalloc byte[Elements];
        Span<byte> laux = stackalloc byte[32];
        Span<float> weights = stackalloc float[32];
        Span<float> mins = stackalloc float[8];
        Span<float> scales = stackalloc float[8];
        Span<byte> ls = stackalloc byte[8];
        Span<byte> lm = stackalloc byte[8];
        for (int b = 0; b < src.Length / Elements; b++)
        {
            var x = src.Slice(b * Elements, Elements);
            var block = dst.Slice(b * Bytes, Bytes);
            KQuantSubBlocks.FitScalesAndMins(x, 15, levels, laux, weights, scales, mins, -1f, 0.1f, 20,
                ls, lm, out float d, out float dmin);
            KQuantSolver.PackScaleMin(ls, lm, block.Slice(ScalesOffset, 12));
            BinaryPrimitives.WriteHalfLittleEndian(block, (Half)d);
            BinaryPrimitives.WriteHalfLittleEndian(block[2..], (Half)dmin);
            KQuantSubBlocks.Requantize(x, block.Slice(ScalesOffset, 12), (float)(Half)d, (float)(Half)dmin, 15, levels);
            for (int g = 0; g < 4; g++)
                for (int l = 0; l < 32; l++)
                    block[QsOffset + 32 * g + l] = (byte)(levels[64 * g + l] | (levels[64 * g + 32 + l] << 4));
        }
    }
}

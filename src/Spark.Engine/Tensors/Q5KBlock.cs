using System.Buffers.Binary;

namespace Spark.Engine.Tensors;

/// <summary>
/// ggml block_q5_K: { half d; half dmin; u8 scales[12]; u8 qh[32]; u8 qs[128] }, 256 elements. Like Q4_K plus
/// a fifth bit: for the sub-block pair g (elements 64g..64g+63), bit 2g of qh[l] belongs to element 64g + l and
/// bit 2g+1 to element 64g + 32 + l; value = d·sc·q − dmin·m.
/// </summary>
internal static class Q5KBlock
{
    public const int Bytes = 176;
    public const int Elements = 256;
    public const int ScalesOffset = 4;
    public const int QhOffset = 16;
    public const int QsOffset = 48;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int b = 0; b < dst.Length / Elements; b++)
        {
            var block = src.Slice(b * Bytes, Bytes);
            var y = dst.Slice(b * Elements, Elements);
            float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
            float dmin = (float)BinaryPrimitives.ReadHalfLittleEndian(block[2..]);
            var scales = block.Slice(ScalesOffset, 12);
            var qh = block.Slice(QhOffset, 32);
            for (int g = 0; g < 4; g++)
            {
                var ql = block.Slice(QsOffset + 32 * g, 32);
                KQuantSolver.ScaleMin(2 * g, scales, out int sc1, out int m1);
                KQuantSolver.ScaleMin(2 * g + 1, scales, out int sc2, out int m2);
                float d1 = d * sc1, min1 = dmin * m1, d2 = d * sc2, min2 = dmin * m2;
                int u1 = 1 << (2 * g), u2 = 2 << (2 * g);
                for (int l = 0; l < 32; l++)
                {
                    y[64 * g + l] = d1 * ((ql[l] & 0xF) + ((qh[l] & u1) != 0 ? 16 : 0)) - min1;
                    y[64 * g + 32 + l] = d2 * ((ql[l] >> 4) + ((qh[l] & u2) != 0 ? 16 : 0)) - min2;
                }
            }
        }
    }

    /// <summary>quantize_row_q5_K_ref: as Q4_K with 5-bit levels (make_qkx2_quants nmax 31, 16 steps from −0.5).</summary>
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
            KQuantSubBlocks.FitScalesAndMins(x, 31, levels, laux, weights, scales, mins, -0.5f, 0.1f, 15,
                ls, lm, out float d, out float dmin);
            KQuantSolver.PackScaleMin(ls, lm, block.Slice(ScalesOffset, 12));
            BinaryPrimitives.WriteHalfLittleEndian(block, (Half)d);
            BinaryPrimitives.WriteHalfLittleEndian(block[2..], (Half)dmin);
            KQuantSubBlocks.Requantize(x, block.Slice(ScalesOffset, 12), (float)(Half)d, (float)(Half)dmin, 31, levels);
            var qh = block.Slice(QhOffset, 32);
            qh.Clear();
            for (int g = 0; g < 4; g++)
            {
                var ql = block.Slice(QsOffset + 32 * g, 32);
                for (int l = 0; l < 32; l++)
                {
                    int l1 = levels[64 * g + l], l2 = levels[64 * g + 32 + l];
                    if (l1 > 15) { l1 -= 16; qh[l] |= (byte)(1 << (2 * g)); }
                    if (l2 > 15) { l2 -= 16; qh[l] |= (byte)(2 << (2 * g)); }
                    ql[l] = (byte)(l1 | (l2 << 4));
                }
            }
        }
    }
}

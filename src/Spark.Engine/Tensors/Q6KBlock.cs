using System.Buffers.Binary;

namespace Spark.Engine.Tensors;

/// <summary>
/// ggml block_q6_K: { u8 ql[128]; u8 qh[64]; i8 scales[16]; half d }, 256 elements in sixteen groups of 16.
/// Each half (128 elements, 64 ql bytes, 32 qh bytes, 8 scales): element l + 32k (l &lt; 32, k &lt; 4) takes its
/// low four bits from ql[l + 32(k &amp; 1)] (low nibble for k &lt; 2, high otherwise) and its top two from
/// bits 2k..2k+1 of qh[l]; value = d·scale·(q − 32).
/// </summary>
internal static class Q6KBlock
{
    public const int Bytes = 210;
    public const int Elements = 256;
    public const int QhOffset = 128;
    public const int ScalesOffset = 192;
    public const int DOffset = 208;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int b = 0; b < dst.Length / Elements; b++)
        {
            var block = src.Slice(b * Bytes, Bytes);
            var y = dst.Slice(b * Elements, Elements);
            float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block[DOffset..]);
            for (int half = 0; half < 2; half++)
            {
                var ql = block.Slice(64 * half, 64);
                var qh = block.Slice(QhOffset + 32 * half, 32);
                var sc = block.Slice(ScalesOffset + 8 * half, 8);
                var yh = y.Slice(128 * half, 128);
                for (int l = 0; l < 32; l++)
                {
                    int s = l / 16;
                    int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                    int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                    int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                    int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                    yh[l] = d * (sbyte)sc[s] * q1;
                    yh[l + 32] = d * (sbyte)sc[s + 2] * q2;
                    yh[l + 64] = d * (sbyte)sc[s + 4] * q3;
                    yh[l + 96] = d * (sbyte)sc[s + 6] * q4;
                }
            }
        }
    }

    /// <summary>quantize_row_q6_K_ref: make_qx_quants (nmax 32, x² weights) per group, 8-bit group scales.</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        Span<sbyte> levels = stackalloc sbyte[Elements];
        Span<float> scales = stackalloc float[16];
        for (int b = 0; b < src.Length / Elements; b++)
        {
            var x = src.Slice(b * Elements, Elements);
            var block = dst.Slice(b * Bytes, Bytes);
            float maxScale = 0, maxAbsScale = 0;
            for (int g = 0; g < 16; g++)
            {
                float scale = KQuantSolver.Qx(32, x.Slice(16 * g, 16), levels.Slice(16 * g, 16), 1);
                scales[g] = scale;
                if (MathF.Abs(scale) > maxAbsScale) { maxAbsScale = MathF.Abs(scale); maxScale = scale; }
            }
            if (maxAbsScale < KQuantSolver.GroupMaxEps)
            {
                block.Clear();
                continue;
            }
            float iscale = -128f / maxScale;
            BinaryPrimitives.WriteHalfLittleEndian(block[DOffset..], (Half)(1 / iscale));
            for (int g = 0; g < 16; g++)
                block[ScalesOffset + g] = (byte)(sbyte)Math.Min(127, KQuantSolver.NearestInt(iscale * scales[g]));
            float dStored = (float)BinaryPrimitives.ReadHalfLittleEndian(block[DOffset..]);
            for (int g = 0; g < 16; g++)
            {
                float dg = dStored * (sbyte)block[ScalesOffset + g];
                if (dg == 0) continue;
                for (int i = 0; i < 16; i++)
                {
                    int q = Math.Max(-32, Math.Min(31, KQuantSolver.NearestInt(x[16 * g + i] / dg)));
                    levels[16 * g + i] = (sbyte)(q + 32);
                }
            }
            for (int half = 0; half < 2; half++)
            {
                var lv = levels.Slice(128 * half, 128);
                var ql = block.Slice(64 * half, 64);
                var qh = block.Slice(QhOffset + 32 * half, 32);
                for (int l = 0; l < 32; l++)
                {
                    ql[l] = (byte)((lv[l] & 0xF) | ((lv[l + 64] & 0xF) << 4));
                    ql[l + 32] = (byte)((lv[l + 32] & 0xF) | ((lv[l + 96] & 0xF) << 4));
                    qh[l] = (byte)((lv[l] >> 4) | ((lv[l + 32] >> 4) << 2) | ((lv[l + 64] >> 4) << 4) | ((lv[l + 96] >> 4) << 6));
                }
            }
        }
    }
}

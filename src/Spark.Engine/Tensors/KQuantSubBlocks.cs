namespace Spark.Engine.Tensors;

/// <summary>
/// The steps Q4_K and Q5_K reference quantizers share: fit a scale and min per 32-element sub-block, quantize
/// them to 6 bits against the super-block maxima, then requantize every element with the stored scales.
/// </summary>
internal static class KQuantSubBlocks
{
    /// <summary>
    /// Fits the eight sub-blocks of <paramref name="x"/> with make_qkx2_quants and returns 6-bit scale and min
    /// levels plus the super-block d and dmin (before F16 rounding).
    /// </summary>
    public static void FitScalesAndMins(ReadOnlySpan<float> x, int nmax, Span<byte> levels, Span<byte> laux,
        Span<float> weights, Span<float> scales, Span<float> mins, float rmin, float rdelta, int nstep,
        Span<byte> ls, Span<byte> lm, out float d, out float dmin)
    {
        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < 8; j++)
        {
            var xs = x.Slice(32 * j, 32);
            float sumX2 = 0;
            for (int l = 0; l < 32; l++) sumX2 += xs[l] * xs[l];
            float avX = MathF.Sqrt(sumX2 / 32);
            for (int l = 0; l < 32; l++) weights[l] = avX + MathF.Abs(xs[l]);
            scales[j] = KQuantSolver.Qkx2(nmax, xs, weights, levels.Slice(32 * j, 32), out mins[j], laux,
                rmin, rdelta, nstep, useMad: false);
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }
        float invScale = maxScale > 0 ? 63f / maxScale : 0f;
        float invMin = maxMin > 0 ? 63f / maxMin : 0f;
        for (int j = 0; j < 8; j++)
        {
            ls[j] = Math.Min((byte)63, (byte)KQuantSolver.NearestInt(invScale * scales[j]));
            lm[j] = Math.Min((byte)63, (byte)KQuantSolver.NearestInt(invMin * mins[j]));
        }
        d = maxScale / 63f;
        dmin = maxMin / 63f;
    }

    /// <summary>
    /// Requantizes each element against the stored d, dmin (both already rounded to F16) and 6-bit scales;
    /// sub-blocks whose scale is zero keep the levels from the fit, as in ggml.
    /// </summary>
    public static void Requantize(ReadOnlySpan<float> x, ReadOnlySpan<byte> packedScales, float d, float dmin,
        int nmax, Span<byte> levels)
    {
        for (int j = 0; j < 8; j++)
        {
            KQuantSolver.ScaleMin(j, packedScales, out int sc, out int m);
            float ds = d * sc;
            if (ds == 0) continue;
            float dm = dmin * m;
            for (int i = 0; i < 32; i++)
            {
                int q = KQuantSolver.NearestInt((x[32 * j + i] + dm) / ds);
                levels[32 * j + i] = (byte)Math.Max(0, Math.Min(nmax, q));
            }
        }
    }
}

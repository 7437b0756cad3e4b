namespace Spark.Engine.Kernels;

/// <summary>
/// Rotary position embedding. Pair i of the first <c>ropeDim</c> dimensions of each head turns by
/// position · freqScale · base^(-2i/ropeDim) / factor[i] (llama.cpp's ggml_rope_ext without YaRN).
/// </summary>
internal static class Rope
{
    /// <summary>
    /// Per-pair angular speed: freqScale · base^(-2i/ropeDim) / factors[i] (factors empty = all 1).
    /// </summary>
    public static double[] InverseFrequencies(int ropeDim, double freqBase, double freqScale, ReadOnlySpan<float> factors)
    {
        if (ropeDim <= 0 || ropeDim % 2 != 0) throw new ArgumentException($"rope dimension count must be a positive even number, got {ropeDim}");
        if (!factors.IsEmpty && factors.Length < ropeDim / 2)
            throw new ArgumentException($"rope frequency factors hold {factors.Length} values but {ropeDim / 2} are needed");
        var inv = new double[ropeDim / 2];
        for (int i = 0; i < inv.Length; i++)
        {
            double f = freqScale * Math.Pow(freqBase, -2.0 * i / ropeDim);
            inv[i] = factors.IsEmpty ? f : f / factors[i];
        }
        return inv;
    }

    /// <summary>Fills cos/sin of each pair's angle at <paramref name="position"/>.</summary>
    public static void Angles(int position, ReadOnlySpan<double> inverseFrequencies, Span<float> cos, Span<float> sin)
    {
        for (int i = 0; i < inverseFrequencies.Length; i++)
        {
            double theta = position * inverseFrequencies[i];
            cos[i] = (float)Math.Cos(theta);
            sin[i] = (float)Math.Sin(theta);
        }
    }

    /// <summary>
    /// Rotates every head of <paramref name="x"/> (heads × headDim, contiguous) in place; dimensions past
    /// 2·cos.Length in each head are left alone.
    /// </summary>
    public static void Apply(Span<float> x, int headDim, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin, RopeStyle style)
    {
        int pairs = cos.Length;
        if (2 * pairs > headDim || x.Length % headDim != 0) throw new ArgumentException("rope dimensions do not fit the heads");
        for (int h = 0; h < x.Length; h += headDim)
        {
            var head = x.Slice(h, headDim);
            if (style == RopeStyle.Norm)
            {
                for (int i = 0; i < pairs; i++)
                {
                    float a = head[2 * i], b = head[2 * i + 1];
                    head[2 * i] = a * cos[i] - b * sin[i];
                    head[2 * i + 1] = a * sin[i] + b * cos[i];
                }
            }
            else
            {
                for (int i = 0; i < pairs; i++)
                {
                    float a = head[i], b = head[i + pairs];
                    head[i] = a * cos[i] - b * sin[i];
                    head[i + pairs] = a * sin[i] + b * cos[i];
                }
            }
        }
    }
}

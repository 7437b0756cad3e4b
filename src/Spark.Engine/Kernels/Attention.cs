namespace Spark.Engine.Kernels;

/// <summary>
/// Scaled dot-product attention of one query head over the cached keys and values of its KV head, computed the way
/// llama.cpp's CPU flash attention does with its default F16 KV cache: the query is rounded to F16, scores are F32,
/// softmax is online (running max and sum), and the weighted sum of values is kept at F16 precision. Matching these
/// roundings keeps Spark's logits within ~1e-3 of llama.cpp's instead of ~1e-2. With <c>roundToHalf</c> false
/// everything stays F32 (tests use that to check the math against a float64 reference).
/// </summary>
internal static class Attention
{
    /// <summary>Largest head dimension the kernel accepts (its query copy lives on the stack).</summary>
    public const int MaxHeadDim = 1024;

    /// <summary>
    /// output = Σ_t softmax_t(scale · q·k_t) · v_t for t in [0, length), where k_t starts at t·keyStride in
    /// <paramref name="keys"/> (q.Length values) and v_t at t·valueStride in <paramref name="values"/> (output.Length values).
    /// </summary>
    public static void Head(ReadOnlySpan<float> q, ReadOnlySpan<float> keys, int keyStride,
        ReadOnlySpan<float> values, int valueStride, int length, float scale, Span<float> output, bool roundToHalf = true) =>
        Run(q, keys, keyStride, values, valueStride, length, scale, output, simd: true, roundToHalf);

    /// <summary>The scalar twin of <see cref="Head"/>.</summary>
    public static void HeadScalar(ReadOnlySpan<float> q, ReadOnlySpan<float> keys, int keyStride,
        ReadOnlySpan<float> values, int valueStride, int length, float scale, Span<float> output, bool roundToHalf = true) =>
        Run(q, keys, keyStride, values, valueStride, length, scale, output, simd: false, roundToHalf);

    private static void Run(ReadOnlySpan<float> q, ReadOnlySpan<float> keys, int keyStride,
        ReadOnlySpan<float> values, int valueStride, int length, float scale, Span<float> output, bool simd, bool roundToHalf)
    {
        if (length < 1 || q.Length > MaxHeadDim
            || (long)(length - 1) * keyStride + q.Length > keys.Length
            || (long)(length - 1) * valueStride + output.Length > values.Length)
            throw new ArgumentException($"attention over {length} positions does not fit the given spans");

        Span<float> q16 = stackalloc float[q.Length];
        for (int d = 0; d < q.Length; d++) q16[d] = Round(q[d], roundToHalf);

        var acc = output;
        acc.Clear();
        float max = float.NegativeInfinity, sum = 0;
        for (int t = 0; t < length; t++)
        {
            var k = keys.Slice(t * keyStride, q.Length);
            float s = (simd ? VectorMath.Dot(q16, k) : ScalarDot(q16, k)) * scale;
            float rescale = 1, weight = 1;
            if (s > max)
            {
                rescale = MathF.Exp(max - s);
                max = s;
                for (int d = 0; d < acc.Length; d++) acc[d] = Round(acc[d] * rescale, roundToHalf);
            }
            else
            {
                weight = MathF.Exp(s - max);
            }
            var v = values.Slice(t * valueStride, acc.Length);
            for (int d = 0; d < acc.Length; d++) acc[d] = Round(acc[d] + v[d] * weight, roundToHalf);
            sum = sum * rescale + weight;
        }
        float inv = 1f / sum;
        for (int d = 0; d < acc.Length; d++) acc[d] *= inv;
    }

    private static float Round(float x, bool toHalf) => toHalf ? HalfRounding.Round(x) : x;

    private static float ScalarDot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}

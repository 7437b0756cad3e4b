using System.Numerics;
using System.Runtime.InteropServices;

namespace Spark.Engine.Kernels;

/// <summary>
/// Scaled dot-product attention of one query head over the cached keys and values of its KV head.
/// </summary>
internal static class Attention
{
    /// <summary>
    /// output = Σ_t softmax_t(scale · q·k_t) · v_t for t in [0, length), where k_t starts at t·keyStride in
    /// <paramref name="keys"/> (q.Length values) and v_t at t·valueStride in <paramref name="values"/> (output.Length values).
    /// </summary>
    public static void Head(ReadOnlySpan<float> q, ReadOnlySpan<float> keys, int keyStride,
        ReadOnlySpan<float> values, int valueStride, int length, float scale, Span<float> scores, Span<float> output)
    {
        Check(q, keys, keyStride, values, valueStride, length, scores, output);
        var s = scores[..length];
        for (int t = 0; t < length; t++)
            s[t] = VectorMath.Dot(q, keys.Slice(t * keyStride, q.Length)) * scale;
        Softmax.Apply(s);
        output.Clear();
        for (int t = 0; t < length; t++)
            MultiplyAdd(output, values.Slice(t * valueStride, output.Length), s[t]);
    }

    /// <summary>The scalar twin of <see cref="Head"/>.</summary>
    public static void HeadScalar(ReadOnlySpan<float> q, ReadOnlySpan<float> keys, int keyStride,
        ReadOnlySpan<float> values, int valueStride, int length, float scale, Span<float> scores, Span<float> output)
    {
        Check(q, keys, keyStride, values, valueStride, length, scores, output);
        for (int t = 0; t < length; t++)
        {
            float dot = 0;
            for (int d = 0; d < q.Length; d++) dot += q[d] * keys[t * keyStride + d];
            scores[t] = dot * scale;
        }
        Softmax.ApplyScalar(scores[..length]);
        output.Clear();
        for (int t = 0; t < length; t++)
            for (int d = 0; d < output.Length; d++) output[d] += scores[t] * values[t * valueStride + d];
    }

    private static void Check(ReadOnlySpan<float> q, ReadOnlySpan<float> keys, int keyStride,
        ReadOnlySpan<float> values, int valueStride, int length, Span<float> scores, Span<float> output)
    {
        if (length < 1 || scores.Length < length
            || (long)(length - 1) * keyStride + q.Length > keys.Length
            || (long)(length - 1) * valueStride + output.Length > values.Length)
            throw new ArgumentException($"attention over {length} positions does not fit the given spans");
    }

    private static void MultiplyAdd(Span<float> acc, ReadOnlySpan<float> v, float w)
    {
        int n = acc.Length, i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(acc);
            var vv = MemoryMarshal.Cast<float, Vector<float>>(v[..n]);
            var vw = new Vector<float>(w);
            for (int k = 0; k < va.Length; k++) va[k] += vv[k] * vw;
            i = va.Length * Vector<float>.Count;
        }
        for (; i < n; i++) acc[i] += v[i] * w;
    }
}

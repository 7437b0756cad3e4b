using System.Numerics;
using System.Runtime.InteropServices;

namespace Spark.Engine.Kernels;

/// <summary>
/// Numerically stable softmax in place: x[i] = e^(x[i] - max) / Σ e^(x[j] - max).
/// </summary>
internal static class Softmax
{
    /// <summary>Applies softmax to <paramref name="x"/> in place.</summary>
    public static void Apply(Span<float> x)
    {
        int n = x.Length;
        if (n == 0) return;
        float max = Max(x);
        int i = 0;
        float sum = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var vmax = new Vector<float>(max);
            var acc = Vector<float>.Zero;
            for (int v = 0; v < vx.Length; v++)
            {
                var e = Vector.Exp(vx[v] - vmax);
                vx[v] = e;
                acc += e;
            }
            sum = Vector.Sum(acc);
            i = vx.Length * Vector<float>.Count;
        }
        for (; i < n; i++)
        {
            float e = MathF.Exp(x[i] - max);
            x[i] = e;
            sum += e;
        }
        Scale(x, 1f / sum);
    }

    /// <summary>The scalar twin of <see cref="Apply"/>.</summary>
    public static void ApplyScalar(Span<float> x)
    {
        if (x.Length == 0) return;
        float max = float.NegativeInfinity;
        for (int i = 0; i < x.Length; i++) max = MathF.Max(max, x[i]);
        float sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = MathF.Exp(x[i] - max);
            sum += x[i];
        }
        float inv = 1f / sum;
        for (int i = 0; i < x.Length; i++) x[i] *= inv;
    }

    private static float Max(ReadOnlySpan<float> x)
    {
        int i = 0;
        float max = float.NegativeInfinity;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var acc = new Vector<float>(float.NegativeInfinity);
            for (int v = 0; v < vx.Length; v++) acc = Vector.Max(acc, vx[v]);
            for (int k = 0; k < Vector<float>.Count; k++) max = MathF.Max(max, acc[k]);
            i = vx.Length * Vector<float>.Count;
        }
        for (; i < x.Length; i++) max = MathF.Max(max, x[i]);
        return max;
    }

    private static void Scale(Span<float> x, float s)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            for (int v = 0; v < vx.Length; v++) vx[v] *= s;
            i = vx.Length * Vector<float>.Count;
        }
        for (; i < x.Length; i++) x[i] *= s;
    }
}

using System.Numerics;
using System.Runtime.InteropServices;

namespace Spark.Engine.Kernels;

/// <summary>
/// Root-mean-square normalization: y = x / sqrt(mean(x²) + eps) · w.
/// </summary>
internal static class RmsNorm
{
    /// <summary>Normalizes <paramref name="x"/> into <paramref name="y"/> (which may alias x) with weights <paramref name="weight"/>.</summary>
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, float eps, Span<float> y)
    {
        int n = x.Length;
        if (weight.Length < n || y.Length < n) throw new ArgumentException("RmsNorm spans differ in length");
        float scale = Scale(SumOfSquares(x), n, eps);
        int i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var vw = MemoryMarshal.Cast<float, Vector<float>>(weight);
            var vy = MemoryMarshal.Cast<float, Vector<float>>(y);
            for (int v = 0; v < vx.Length; v++) vy[v] = vx[v] * scale * vw[v];
            i = vx.Length * Vector<float>.Count;
        }
        for (; i < n; i++) y[i] = x[i] * scale * weight[i];
    }

    /// <summary>The scalar twin of <see cref="Apply"/>, kept for tests.</summary>
    public static void ApplyScalar(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, float eps, Span<float> y)
    {
        int n = x.Length;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += (double)x[i] * x[i];
        float scale = Scale(sum, n, eps);
        for (int i = 0; i < n; i++) y[i] = x[i] * scale * weight[i];
    }

    private static float Scale(double sumOfSquares, int n, float eps) => 1f / MathF.Sqrt((float)(sumOfSquares / n) + eps);

    private static double SumOfSquares(ReadOnlySpan<float> x)
    {
        // Accumulate in double like ggml does, so long rows do not lose precision.
        int i = 0;
        double sum = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            for (int v = 0; v < vx.Length; v++)
            {
                var sq = vx[v] * vx[v];
                Vector.Widen(sq, out Vector<double> lo, out Vector<double> hi);
                sum += Vector.Sum(lo + hi);
            }
            i = vx.Length * Vector<float>.Count;
        }
        for (; i < x.Length; i++) sum += (double)x[i] * x[i];
        return sum;
    }
}

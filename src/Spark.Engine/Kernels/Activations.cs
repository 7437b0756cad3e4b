using System.Numerics;
using System.Runtime.InteropServices;

namespace Spark.Engine.Kernels;

/// <summary>
/// Element-wise operations of the forward pass: residual add and the SwiGLU gate (SiLU(gate) · up).
/// </summary>
internal static class Activations
{
    /// <summary>x += y.</summary>
    public static void AddInPlace(Span<float> x, ReadOnlySpan<float> y)
    {
        int n = x.Length;
        if (y.Length < n) throw new ArgumentException("Add spans differ in length");
        int i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var vy = MemoryMarshal.Cast<float, Vector<float>>(y);
            for (int v = 0; v < vx.Length; v++) vx[v] += vy[v];
            i = vx.Length * Vector<float>.Count;
        }
        for (; i < n; i++) x[i] += y[i];
    }

    /// <summary>The scalar twin of <see cref="AddInPlace"/>.</summary>
    public static void AddInPlaceScalar(Span<float> x, ReadOnlySpan<float> y)
    {
        for (int i = 0; i < x.Length; i++) x[i] += y[i];
    }

    /// <summary>gate[i] = SiLU(gate[i]) · up[i], where SiLU(g) = g / (1 + e^-g).</summary>
    public static void SwiGlu(Span<float> gate, ReadOnlySpan<float> up)
    {
        int n = gate.Length;
        if (up.Length < n) throw new ArgumentException("SwiGlu spans differ in length");
        int i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var vg = MemoryMarshal.Cast<float, Vector<float>>(gate);
            var vu = MemoryMarshal.Cast<float, Vector<float>>(up);
            for (int v = 0; v < vg.Length; v++)
            {
                var g = vg[v];
                vg[v] = g / (Vector<float>.One + Vector.Exp(-g)) * vu[v];
            }
            i = vg.Length * Vector<float>.Count;
        }
        for (; i < n; i++) gate[i] = gate[i] / (1f + MathF.Exp(-gate[i])) * up[i];
    }

    /// <summary>The scalar twin of <see cref="SwiGlu"/>.</summary>
    public static void SwiGluScalar(Span<float> gate, ReadOnlySpan<float> up)
    {
        for (int i = 0; i < gate.Length; i++) gate[i] = gate[i] / (1f + MathF.Exp(-gate[i])) * up[i];
    }
}

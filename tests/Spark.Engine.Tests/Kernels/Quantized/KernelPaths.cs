using Spark.Engine.Kernels;
using Spark.Engine.Kernels.Quantized;
using Spark.Engine.Tensors;

namespace Spark.Engine.Tests.Kernels.Quantized;

/// <summary>Every kernel path this CPU can run, including AVX2 without VNNI when the CPU has VNNI.</summary>
internal static unsafe class KernelPaths
{
    public delegate void RowsKernel(GgmlType type, byte[] w, int cols, QuantizedActivations x, float[] y, int rows);

    public static List<(string Name, RowsKernel Run)> Vector()
    {
        var paths = new List<(string, RowsKernel)>();
        if (MatVecKernels.IsSupported(KernelPath.Avx2))
        {
            paths.Add(("avx2-madd", Avx2<MaddDot>));
            if (System.Runtime.Intrinsics.X86.AvxVnni.IsSupported) paths.Add(("avx2-vnni", Avx2<VnniDot>));
        }
        if (MatVecKernels.IsSupported(KernelPath.Avx512))
            paths.Add(("avx512", (t, w, c, x, y, r) => MatVecKernels.For(KernelPath.Avx512).Multiply(t, w, c, x, 0, y, 0, r)));
        return paths;
    }

    private static void Avx2<TDot>(GgmlType type, byte[] w, int cols, QuantizedActivations x, float[] y, int rows)
        where TDot : struct, IByteDot
    {
        fixed (byte* pw = w)
        fixed (float* py = y)
            Avx2MatVecKernels.Rows<TDot>(type, pw, RowBytes(type, cols), cols, x.Pointers(0), py, rows);
    }

    public static void Scalar(GgmlType type, byte[] w, int cols, QuantizedActivations x, float[] y, int rows) =>
        MatVecKernels.For(KernelPath.Scalar).Multiply(type, w, cols, x, 0, y, 0, rows);

    private static int RowBytes(GgmlType type, int cols) => (int)GgmlTypeInfo.RowBytes(type, cols);
}

using Spark.Engine.Tensors;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>The portable kernels (<see cref="KernelPath.Scalar"/>): one <see cref="ScalarQuantDot"/> per row.</summary>
internal sealed unsafe class ScalarMatVecKernels : MatVecKernels
{
    public static readonly ScalarMatVecKernels Instance = new();

    public override KernelPath Path => KernelPath.Scalar;
    public override string Name => "scalar";

    protected override void Rows(GgmlType type, byte* w, int rowBytes, int cols, in ActivationPointers x, float* y, int rows)
    {
        for (int r = 0; r < rows; r++, w += rowBytes) y[r] = ScalarQuantDot.Row(type, w, x, cols);
    }
}

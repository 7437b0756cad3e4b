using System.Runtime.Intrinsics.X86;
using Spark.Engine.Tensors;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// The 256-bit kernels (<see cref="KernelPath.Avx2"/>): AVX2/FMA, with AVX-VNNI's vpdpbusd for the integer dots
/// when the CPU has it.
/// </summary>
internal sealed unsafe class Avx2MatVecKernels : MatVecKernels
{
    public static readonly Avx2MatVecKernels Instance = new();

    public override KernelPath Path => KernelPath.Avx2;
    public override string Name => AvxVnni.IsSupported ? "avx2+vnni" : "avx2";

    protected override void Rows(GgmlType type, byte* w, int rowBytes, int cols, in ActivationPointers x, float* y, int rows)
    {
        if (AvxVnni.IsSupported) Rows<VnniDot>(type, w, rowBytes, cols, x, y, rows);
        else Rows<MaddDot>(type, w, rowBytes, cols, x, y, rows);
    }

    protected override int BatchTile => Vector256QuantTile<MaddDot>.Tokens;

    protected override bool HasBatchKernel(GgmlType type) =>
        type is GgmlType.Q8_0 or GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0 or GgmlType.Q5_1;

    protected override void BatchRows(GgmlType type, byte* w, int rowBytes, int cols, in ActivationPointers x, int xStride, float* y,
        int yStride, int rows)
    {
        if (AvxVnni.IsSupported) BatchRows<VnniDot>(type, w, rowBytes, cols, x, xStride, y, yStride, rows);
        else BatchRows<MaddDot>(type, w, rowBytes, cols, x, xStride, y, yStride, rows);
    }

    internal static void BatchRows<TDot>(GgmlType type, byte* w, int rowBytes, int cols, in ActivationPointers x, int xStride, float* y,
        int yStride, int rows) where TDot : struct, IByteDot
    {
        int blocks = cols / 32;
        switch (type)
        {
            case GgmlType.Q8_0:
                for (int r = 0; r < rows; r++, w += rowBytes) Vector256QuantTile<TDot>.Row<Q8_0Dot>(w, x, xStride, blocks, y + r, yStride);
                break;
            case GgmlType.Q4_0:
                for (int r = 0; r < rows; r++, w += rowBytes) Vector256QuantTile<TDot>.Row<Q4_0Dot>(w, x, xStride, blocks, y + r, yStride);
                break;
            case GgmlType.Q4_1:
                for (int r = 0; r < rows; r++, w += rowBytes) Vector256QuantTile<TDot>.Row<Q4_1Dot>(w, x, xStride, blocks, y + r, yStride);
                break;
            case GgmlType.Q5_0:
                for (int r = 0; r < rows; r++, w += rowBytes) Vector256QuantTile<TDot>.Row<Q5_0Dot>(w, x, xStride, blocks, y + r, yStride);
                break;
            case GgmlType.Q5_1:
                for (int r = 0; r < rows; r++, w += rowBytes) Vector256QuantTile<TDot>.Row<Q5_1Dot>(w, x, xStride, blocks, y + r, yStride);
                break;
            default:
                throw new NotSupportedException($"no batch kernel for tensor type {type}");
        }
    }

    internal static void Rows<TDot>(GgmlType type, byte* w, int rowBytes, int cols, in ActivationPointers x, float* y, int rows)
        where TDot : struct, IByteDot
    {
        int blocks = cols / 32, superBlocks = cols / 256;
        switch (type)
        {
            case GgmlType.F32 or GgmlType.F16 or GgmlType.BF16:
                for (int r = 0; r < rows; r++, w += rowBytes) y[r] = Vector256Dot.Row(type, w, x.Floats, cols);
                break;
            case GgmlType.Q8_0:
                for (int r = 0; r < rows; r++, w += rowBytes) y[r] = Vector256QuantDot<TDot>.Row<Q8_0Dot>(w, x, blocks);
                break;
            case GgmlType.Q4_0:
                for (int r = 0; r < rows; r++, w += rowBytes) y[r] = Vector256QuantDot<TDot>.Row<Q4_0Dot>(w, x, blocks);
                break;
            case GgmlType.Q4_1:
                for (int r = 0; r < rows; r++, w += rowBytes) y[r] = Vector256QuantDot<TDot>.Row<Q4_1Dot>(w, x, blocks);
                break;
            case GgmlType.Q5_0:
                for (int r = 0; r < rows; r++, w += rowBytes) y[r] = Vector256QuantDot<TDot>.Row<Q5_0Dot>(w, x, blocks);
                break;
            case GgmlType.Q5_1:
                for (int r = 0; r < rows; r++, w += rowBytes) y[r] = Vector256QuantDot<TDot>.Row<Q5_1Dot>(w, x, blocks);
                break;
            case GgmlType.Q4_K:
                for (int r = 0; r < rows; r++, w += rowBytes) y[r] = Vector256KQuantDot<TDot>.Q4K(w, x, superBlocks);
                break;
            case GgmlType.Q5_K:
                for (int r = 0; r < rows; r++, w += rowBytes) y[r] = Vector256KQuantDot<TDot>.Q5K(w, x, superBlocks);
                break;
            case GgmlType.Q6_K:
                for (int r = 0; r < rows; r++, w += rowBytes) y[r] = Vector256KQuantDot<TDot>.Q6K(w, x, superBlocks);
                break;
            case GgmlType.Q8_K:
                for (int r = 0; r < rows; r++, w += rowBytes) y[r] = Vector256KQuantDot<TDot>.Q8K(w, x, superBlocks);
                break;
            default:
                throw new NotSupportedException($"no matvec for tensor type {type}; supported: {GgmlTypeInfo.SupportedList}");
        }
    }
}

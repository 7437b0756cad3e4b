using System.Runtime.Intrinsics.X86;
using Spark.Engine.Tensors;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// The 512-bit kernels (<see cref="KernelPath.Avx512"/>, AVX-512 F/BW) for every quantized type. Q4_K uses the
/// 256-bit AVX-VNNI kernel when the CPU has it (identical results, faster: .NET has no 512-bit VNNI for AVX-512
/// CPUs without AVX10); F32/F16/BF16 rows (rare in quantized models, bound by memory bandwidth) use the 256-bit
/// float kernels.
/// </summary>
internal sealed unsafe class Avx512MatVecKernels : MatVecKernels
{
    public static readonly Avx512MatVecKernels Instance = new();

    public override KernelPath Path => KernelPath.Avx512;
    public override string Name => "avx512";

    protected override int BatchTile => Vector512QuantTile.Tokens;

    protected override bool HasBatchKernel(GgmlType type) =>
        type is GgmlType.Q8_0 or GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0 or GgmlType.Q5_1
            or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K;

    protected override void BatchRows(GgmlType type, byte* w, int rowBytes, int cols, in ActivationPointers x, int xStride, float* y,
        int yStride, int rows)
    {
        int blocks = cols / 32, superBlocks = cols / 256;
        switch (type)
        {
            case GgmlType.Q4_K:
                for (int r = 0; r < rows; r++, w += rowBytes) Vector512KQuantTile.Q4K(w, x, xStride, superBlocks, y + r, yStride);
                break;
            case GgmlType.Q5_K:
                for (int r = 0; r < rows; r++, w += rowBytes) Vector512KQuantTile.Q5K(w, x, xStride, superBlocks, y + r, yStride);
                break;
            case GgmlType.Q6_K:
                for (int r = 0; r < rows; r++, w += rowBytes) Vector512KQuantTile.Q6K(w, x, xStride, superBlocks, y + r, yStride);
                break;
            case GgmlType.Q8_0:
                for (int r = 0; r < rows; r++, w += rowBytes) Vector512QuantTile.Row<Q8_0Dot>(w, x, xStride, blocks, y + r, yStride);
                break;
            case GgmlType.Q4_0:
                for (int r = 0; r < rows; r++, w += rowBytes) Vector512QuantTile.NibbleRow<Q4_0Dot>(w, x, xStride, blocks, y + r, yStride);
                break;
            case GgmlType.Q4_1:
                for (int r = 0; r < rows; r++, w += rowBytes) Vector512QuantTile.NibbleRow<Q4_1Dot>(w, x, xStride, blocks, y + r, yStride);
                break;
            case GgmlType.Q5_0:
                for (int r = 0; r < rows; r++, w += rowBytes) Vector512QuantTile.NibbleRow<Q5_0Dot>(w, x, xStride, blocks, y + r, yStride);
                break;
            case GgmlType.Q5_1:
                for (int r = 0; r < rows; r++, w += rowBytes) Vector512QuantTile.NibbleRow<Q5_1Dot>(w, x, xStride, blocks, y + r, yStride);
                break;
            default:
                base.BatchRows(type, w, rowBytes, cols, x, xStride, y, yStride, rows);
                break;
        }
    }

    protected override void Rows(GgmlType type, byte* w, int rowBytes, int cols, in ActivationPointers x, float* y, int rows)
    {
        int blocks = cols / 32, superBlocks = cols / 256;
        switch (type)
        {
            case GgmlType.F32 or GgmlType.F16 or GgmlType.BF16:
                for (int r = 0; r < rows; r++, w += rowBytes) y[r] = Vector256Dot.Row(type, w, x.Floats, cols);
                break;
            case GgmlType.Q8_0:
            {
                // Row r with row r + half: two independent chains, rows far apart (see Row2).
                int half = rows / 2;
                long distance = (long)half * rowBytes;
                for (int r = 0; r < half; r++) Vector512QuantDot.Row2<Q8_0Dot>(w + (long)r * rowBytes, distance, x, blocks, y + r, y + r + half);
                if (rows % 2 != 0) y[rows - 1] = Vector512QuantDot.Row<Q8_0Dot>(w + (long)(rows - 1) * rowBytes, x, blocks);
                break;
            }
            case GgmlType.Q4_0:
                for (int r = 0; r < rows; r++, w += rowBytes) y[r] = Vector512QuantDot.NibbleRow<Q4_0Dot>(w, x, blocks);
                break;
            case GgmlType.Q4_1:
                for (int r = 0; r < rows; r++, w += rowBytes) y[r] = Vector512QuantDot.NibbleRow<Q4_1Dot>(w, x, blocks);
                break;
            case GgmlType.Q5_0:
                for (int r = 0; r < rows; r++, w += rowBytes) y[r] = Vector512QuantDot.NibbleRow<Q5_0Dot>(w, x, blocks);
                break;
            case GgmlType.Q5_1:
                for (int r = 0; r < rows; r++, w += rowBytes) y[r] = Vector512QuantDot.NibbleRow<Q5_1Dot>(w, x, blocks);
                break;
            case GgmlType.Q4_K:
                if (AvxVnni.IsSupported) // same bits, and 256-bit vpdpbusd beats 512-bit vpmaddubsw+vpmaddwd here (spark bench kernels)
                    for (int r = 0; r < rows; r++, w += rowBytes) y[r] = Vector256KQuantDot<VnniDot>.Q4K(w, x, superBlocks);
                else for (int r = 0; r < rows; r++, w += rowBytes) y[r] = Vector512KQuantDot.Q4K(w, x, superBlocks);
                break;
            case GgmlType.Q5_K: // 512-bit: its fifth bits and the folded scales outweigh the 256-bit VNNI kernel's narrower dot
                for (int r = 0; r < rows; r++, w += rowBytes) y[r] = Vector512KQuantDot.Q5K(w, x, superBlocks);
                break;
            case GgmlType.Q6_K:
                for (int r = 0; r < rows; r++, w += rowBytes) y[r] = Vector512KQuantDot.Q6K(w, x, superBlocks);
                break;
            case GgmlType.Q8_K:
                for (int r = 0; r < rows; r++, w += rowBytes) y[r] = Vector512KQuantDot.Q8K(w, x, superBlocks);
                break;
            default:
                throw new NotSupportedException($"no matvec for tensor type {type}; supported: {GgmlTypeInfo.SupportedList}");
        }
    }
}

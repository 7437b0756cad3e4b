using System.Runtime.CompilerServices;
using Spark.Engine.Tensors;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// The reference row · activation dot products: per block an exact integer sum of quant products, then
/// block result = weight scale × activation scale × integer sum (minus the min/offset term), summed in F32 in block
/// order. The vector paths compute the same integer sums and differ only in the order of the float additions.
/// </summary>
internal static unsafe class ScalarQuantDot
{
    public static float Row(GgmlType type, byte* row, in ActivationPointers x, int cols) => type switch
    {
        GgmlType.F32 => Floats((float*)row, x.Floats, cols),
        GgmlType.F16 => F16((ushort*)row, x.Floats, cols),
        GgmlType.BF16 => BF16((ushort*)row, x.Floats, cols),
        GgmlType.Q8_0 => Q8_0(row, x, cols / 32),
        GgmlType.Q4_0 => Q4_0(row, x, cols / 32),
        GgmlType.Q4_1 => Q4_1(row, x, cols / 32),
        GgmlType.Q5_0 => Q5_0(row, x, cols / 32),
        GgmlType.Q5_1 => Q5_1(row, x, cols / 32),
        GgmlType.Q4_K => Q4K(row, x, cols / 256),
        GgmlType.Q5_K => Q5K(row, x, cols / 256),
        GgmlType.Q6_K => Q6K(row, x, cols / 256),
        GgmlType.Q8_K => Q8K(row, x, cols / 256),
        _ => throw new NotSupportedException($"no matvec for tensor type {type}; supported: {GgmlTypeInfo.SupportedList}"),
    };

    private static float Floats(float* w, float* x, int n)
    {
        float sum = 0;
        for (int i = 0; i < n; i++) sum += w[i] * x[i];
        return sum;
    }

    private static float F16(ushort* w, float* x, int n)
    {
        float sum = 0;
        for (int i = 0; i < n; i++) sum += Fp16.ToSingle(w[i]) * x[i];
        return sum;
    }

    private static float BF16(ushort* w, float* x, int n)
    {
        float sum = 0;
        for (int i = 0; i < n; i++) sum += BFloat16Bits.ToSingle(w[i]) * x[i];
        return sum;
    }

    private static float Q8_0(byte* row, in ActivationPointers x, int blocks)
    {
        float sum = 0;
        for (int b = 0; b < blocks; b++, row += Q8_0Block.Bytes)
        {
            sbyte* q = (sbyte*)(row + 2), a = x.Quants + 32 * b;
            int s = 0;
            for (int j = 0; j < 32; j++) s += q[j] * a[j];
            sum += s * (Fp16.At(row) * x.Scales[b]);
        }
        return sum;
    }

    private static float Q4_0(byte* row, in ActivationPointers x, int blocks)
    {
        float sum = 0;
        for (int b = 0; b < blocks; b++, row += Q4_0Block.Bytes)
        {
            sbyte* a = x.Quants + 32 * b;
            int s = 0;
            for (int j = 0; j < 16; j++)
                s += ((row[2 + j] & 0xF) - 8) * a[j] + ((row[2 + j] >> 4) - 8) * a[j + 16];
            sum += s * (Fp16.At(row) * x.Scales[b]);
        }
        return sum;
    }

    private static float Q4_1(byte* row, in ActivationPointers x, int blocks)
    {
        float sum = 0;
        for (int b = 0; b < blocks; b++, row += Q4_1Block.Bytes)
        {
            sbyte* a = x.Quants + 32 * b;
            int s = 0;
            for (int j = 0; j < 16; j++)
                s += (row[4 + j] & 0xF) * a[j] + (row[4 + j] >> 4) * a[j + 16];
            sum += s * (Fp16.At(row) * x.Scales[b]) + Fp16.At(row + 2) * x.MinSums[b];
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Fifth(uint qh, int j) => (int)((qh >> j) & 1) << 4;

    private static float Q5_0(byte* row, in ActivationPointers x, int blocks)
    {
        float sum = 0;
        for (int b = 0; b < blocks; b++, row += Q5_0Block.Bytes)
        {
            sbyte* a = x.Quants + 32 * b;
            uint qh = Unsafe.ReadUnaligned<uint>(row + 2);
            int s = 0;
            for (int j = 0; j < 16; j++)
                s += (((row[6 + j] & 0xF) | Fifth(qh, j)) - 16) * a[j] + (((row[6 + j] >> 4) | Fifth(qh, j + 16)) - 16) * a[j + 16];
            sum += s * (Fp16.At(row) * x.Scales[b]);
        }
        return sum;
    }

    private static float Q5_1(byte* row, in ActivationPointers x, int blocks)
    {
        float sum = 0;
        for (int b = 0; b < blocks; b++, row += Q5_1Block.Bytes)
        {
            sbyte* a = x.Quants + 32 * b;
            uint qh = Unsafe.ReadUnaligned<uint>(row + 4);
            int s = 0;
            for (int j = 0; j < 16; j++)
                s += ((row[8 + j] & 0xF) | Fifth(qh, j)) * a[j] + ((row[8 + j] >> 4) | Fifth(qh, j + 16)) * a[j + 16];
            sum += s * (Fp16.At(row) * x.Scales[b]) + Fp16.At(row + 2) * x.MinSums[b];
        }
        return sum;
    }

    /// <summary>get_scale_min_k4 for all eight sub-blocks: scales into <paramref name="sc"/>, mins into <paramref name="m"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ScalesMins(byte* s, int* sc, int* m)
    {
        for (int j = 0; j < 4; j++)
        {
            sc[j] = s[j] & 63;
            m[j] = s[j + 4] & 63;
            sc[j + 4] = (s[j + 8] & 0xF) | ((s[j] >> 6) << 4);
            m[j + 4] = (s[j + 8] >> 4) | ((s[j + 4] >> 6) << 4);
        }
    }

    private static float Q4K(byte* row, in ActivationPointers x, int blocks)
    {
        int* sc = stackalloc int[8], m = stackalloc int[8];
        float sum = 0;
        for (int b = 0; b < blocks; b++, row += Q4KBlock.Bytes)
        {
            ScalesMins(row + Q4KBlock.ScalesOffset, sc, m);
            sbyte* a = x.Quants + 256 * b;
            int sumi = 0, summ = 0;
            for (int g = 0; g < 4; g++)
            {
                byte* q = row + Q4KBlock.QsOffset + 32 * g;
                int lo = 0, hi = 0;
                for (int l = 0; l < 32; l++)
                {
                    lo += (q[l] & 0xF) * a[64 * g + l];
                    hi += (q[l] >> 4) * a[64 * g + 32 + l];
                }
                sumi += sc[2 * g] * lo + sc[2 * g + 1] * hi;
            }
            for (int j = 0; j < 8; j++) summ += m[j] * x.Sums[8 * b + j];
            float d = x.Scales[b];
            sum += d * Fp16.At(row) * sumi - d * Fp16.At(row + 2) * summ;
        }
        return sum;
    }

    private static float Q5K(byte* row, in ActivationPointers x, int blocks)
    {
        int* sc = stackalloc int[8], m = stackalloc int[8];
        float sum = 0;
        for (int b = 0; b < blocks; b++, row += Q5KBlock.Bytes)
        {
            ScalesMins(row + Q5KBlock.ScalesOffset, sc, m);
            sbyte* a = x.Quants + 256 * b;
            byte* qh = row + Q5KBlock.QhOffset;
            int sumi = 0, summ = 0;
            for (int g = 0; g < 4; g++)
            {
                byte* q = row + Q5KBlock.QsOffset + 32 * g;
                int lo = 0, hi = 0;
                for (int l = 0; l < 32; l++)
                {
                    int h = qh[l] >> (2 * g);
                    lo += ((q[l] & 0xF) | ((h & 1) << 4)) * a[64 * g + l];
                    hi += ((q[l] >> 4) | ((h & 2) << 3)) * a[64 * g + 32 + l];
                }
                sumi += sc[2 * g] * lo + sc[2 * g + 1] * hi;
            }
            for (int j = 0; j < 8; j++) summ += m[j] * x.Sums[8 * b + j];
            float d = x.Scales[b];
            sum += d * Fp16.At(row) * sumi - d * Fp16.At(row + 2) * summ;
        }
        return sum;
    }

    private static float Q6K(byte* row, in ActivationPointers x, int blocks)
    {
        float sum = 0;
        for (int b = 0; b < blocks; b++, row += Q6KBlock.Bytes)
        {
            sbyte* scales = (sbyte*)(row + Q6KBlock.ScalesOffset);
            int sumi = 0;
            for (int half = 0; half < 2; half++)
            {
                byte* ql = row + 64 * half, qh = row + Q6KBlock.QhOffset + 32 * half;
                sbyte* a = x.Quants + 256 * b + 128 * half;
                sbyte* sc = scales + 8 * half;
                for (int s = 0; s < 2; s++)
                {
                    int s1 = 0, s2 = 0, s3 = 0, s4 = 0;
                    for (int l = 16 * s; l < 16 * s + 16; l++)
                    {
                        s1 += (((ql[l] & 0xF) | ((qh[l] & 3) << 4)) - 32) * a[l];
                        s2 += (((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32) * a[l + 32];
                        s3 += (((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32) * a[l + 64];
                        s4 += (((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32) * a[l + 96];
                    }
                    sumi += sc[s] * s1 + sc[s + 2] * s2 + sc[s + 4] * s3 + sc[s + 6] * s4;
                }
            }
            sum += x.Scales[b] * Fp16.At(row + Q6KBlock.DOffset) * sumi;
        }
        return sum;
    }

    private static float Q8K(byte* row, in ActivationPointers x, int blocks)
    {
        float sum = 0;
        for (int b = 0; b < blocks; b++, row += Q8KBlock.Bytes)
        {
            sbyte* q = (sbyte*)(row + Q8KBlock.QsOffset), a = x.Quants + 256 * b;
            int s = 0;
            for (int j = 0; j < 256; j++) s += q[j] * a[j];
            sum += x.Scales[b] * *(float*)row * s;
        }
        return sum;
    }
}

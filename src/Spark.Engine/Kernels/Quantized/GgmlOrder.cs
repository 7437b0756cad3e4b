using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// The float summation order of ggml's x86 dot products (ggml-cpu quants.c, AVX2 code used by llama.cpp on AVX2 and
/// AVX-512 CPUs): per block (Q8_0) or super-block (k-quants) one 8-lane F32 multiply-add of the lane-wise integer
/// sums, the k-quant mins in a separate 4-lane accumulator, and ggml's horizontal sums. The integer lane sums are
/// exact in every order; matching the float order too keeps logits bit-close to llama.cpp's, which matters because
/// Q8 activation rounding amplifies the smallest difference.
/// </summary>
internal static unsafe class GgmlOrder
{
    /// <summary>hsum_float_8: (upper + lower half), then lanes (0+2, 1+3), then those two.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum8(Vector256<float> x) => Sum4(x.GetUpper() + x.GetLower());

    /// <summary>ggml's 4-lane reduction: (0+2) + (1+3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum4(Vector128<float> r)
    {
        r += Sse.MoveHighToLow(r, r);
        return Sse.AddScalar(r, Sse3.MoveHighAndDuplicate(r)).ToScalar();
    }

    /// <summary>
    /// The Q4_K/Q5_K min term of one super-block, as ggml accumulates it: lane k holds
    /// m[2k]·Σa(2k) + m[2k+1]·Σa(2k+1) (Σa over 32 activation quants), times −(activation d · dmin).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Mins(int* m, int* sums, float negativeDmin, Vector128<float> acc)
    {
        var prod = Vector128.Create(
            m[0] * sums[0] + m[1] * sums[1], m[2] * sums[2] + m[3] * sums[3],
            m[4] * sums[4] + m[5] * sums[5], m[6] * sums[6] + m[7] * sums[7]);
        return Fma.MultiplyAdd(Vector128.Create(negativeDmin), Sse2.ConvertToVector128Single(prod), acc);
    }

    /// <summary>
    /// <see cref="Mins(int*, int*, float, Vector128{float})"/> from the packed scale bytes (<see cref="KQuantScales.Packed"/>:
    /// mins in bytes 8-15) in registers: one vpmaddwd of the mins and the activation's per-32 sums, which fit in 16 bits
    /// (32 · 127). The same integers, so the same result.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Mins(Vector128<byte> packed, int* sums, float negativeDmin, Vector128<float> acc)
    {
        var mins = Sse41.ConvertToVector128Int16(Sse2.ShiftRightLogical128BitLane(packed, 8));
        var s = Vector256.Load(sums);
        var prod = Sse2.MultiplyAddAdjacent(mins, Sse2.PackSignedSaturate(s.GetLower(), s.GetUpper()));
        return Fma.MultiplyAdd(Vector128.Create(negativeDmin), Sse2.ConvertToVector128Single(prod), acc);
    }

    /// <summary>acc + d · float(lane sums), the per-(super-)block step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<int> sums, float d, Vector256<float> acc) =>
        Fma.MultiplyAdd(Vector256.Create(d), Avx.ConvertToVector256Single(sums), acc);
}

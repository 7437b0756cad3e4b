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
    /// The Q4_K/Q5_K min term of one super-block, as ggml accumulates it: lane k holds m[2k]·Σa(2k) + m[2k+1]·Σa(2k+1)
    /// (<paramref name="mins"/> from <see cref="KQuantScales.Mins"/>; Σa over 32 activation quants, which fits in 16
    /// bits: 32 · 127), times −(activation d · dmin). One vpmaddwd gives exactly those integers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Mins(Vector128<short> mins, int* sums, float negativeDmin, Vector128<float> acc)
    {
        var s = Vector256.Load(sums);
        var prod = Sse2.MultiplyAddAdjacent(mins, Sse2.PackSignedSaturate(s.GetLower(), s.GetUpper()));
        return Fma.MultiplyAdd(Vector128.Create(negativeDmin), Sse2.ConvertToVector128Single(prod), acc);
    }

    /// <summary>acc + d · float(lane sums), the per-(super-)block step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<int> sums, float d, Vector256<float> acc) =>
        Fma.MultiplyAdd(Vector256.Create(d), Avx.ConvertToVector256Single(sums), acc);
}

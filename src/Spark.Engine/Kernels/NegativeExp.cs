using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spark.Engine.Kernels;

/// <summary>
/// e^x for x ≤ 0 (softmax weights and rescales), 16 lanes at a time with AVX-512 in about a dozen instructions:
/// x = n·ln2 + r with |r| ≤ ln2/2 (Cody–Waite), e^r by a degree-6 polynomial, times 2^n by vscalefps. Within 2 ulp of
/// <see cref="MathF.Exp"/>; −∞ and anything below −104 give 0. <see cref="Vector512.Exp(Vector512{float})"/> widens
/// to double and costs about three times as much, and attention takes one per head and block of 16 positions.
/// </summary>
internal static class NegativeExp
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Apply(Vector512<float> x)
    {
        var underflow = Vector512.LessThan(x, Vector512.Create(-104f));
        x = Vector512.Max(x, Vector512.Create(-104f));
        var n = Avx512F.RoundScale(x * Vector512.Create(Log2E), 0x08); // nearest integer
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Hi), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Lo), r);
        // Cephes expf coefficients: e^r ≈ 1 + r + r²·P(r).
        var p = Vector512.Create(1.9875691500e-4f);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.3981999507e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894e-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459e-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201e-1f));
        p = Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One);
        return Vector512.ConditionalSelect(underflow, Vector512<float>.Zero, Avx512F.Scale(p, n));
    }
}

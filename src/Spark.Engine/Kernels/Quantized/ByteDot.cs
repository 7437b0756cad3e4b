using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// The 256-bit integer dot-product step: for each i32 lane, Σ of four u8 × s8 products. Kernels are generic over it so
/// the JIT compiles one copy per instruction set (AVX-VNNI's single vpdpbusd, or AVX2's vpmaddubsw + vpmaddwd).
/// Callers keep u ≤ 127 or |s| small enough that the AVX2 pairwise i16 sum cannot saturate (ggml's constraint too).
/// </summary>
internal interface IByteDot
{
    static abstract Vector256<int> Dot(Vector256<byte> u, Vector256<sbyte> s);
}

/// <summary>AVX2: vpmaddubsw (u8×s8 pairs → i16) then vpmaddwd with ones (pairs → i32).</summary>
internal readonly struct MaddDot : IByteDot
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Dot(Vector256<byte> u, Vector256<sbyte> s) =>
        Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, s), Vector256<short>.One);
}

/// <summary>AVX-VNNI: vpdpbusd, four u8×s8 products straight into i32 without the i16 step.</summary>
internal readonly struct VnniDot : IByteDot
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Dot(Vector256<byte> u, Vector256<sbyte> s) =>
        AvxVnni.MultiplyWideningAndAdd(Vector256<int>.Zero, u, s);
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Spark.Engine.Kernels;

/// <summary>Attention's weighted value sums, advanced position by position with llama.cpp's rescale-and-round recurrence.</summary>
internal static partial class Attention
{
    /// <summary>
    /// acc = round(acc · rescale_t) where M moved, then acc = round(acc + weight_t · v_t), position by position, for
    /// head dimension 64 (Qwen2.5 0.5B–7B, Llama 3.2 1B): up to four heads at once (<typeparamref name="THeads"/>), so
    /// sixteen independent accumulator registers hide the latency of the fma-and-round chain and each value row is
    /// loaded once for all of them.
    /// </summary>
    private static void Accumulate64<TRound, THeads>(Span<float> acc, int g0, ReadOnlySpan<float> v, float[] weights, float[] rescales,
        int n, bool moved) where TRound : struct, IRounding where THeads : struct, IHeadCount
    {
        int heads = THeads.Count;
        int g1 = g0 + Math.Min(1, heads - 1), g2 = g0 + Math.Min(2, heads - 1), g3 = g0 + Math.Min(3, heads - 1);
        ref float accBase = ref MemoryMarshal.GetReference(acc);
        ref float h0 = ref Unsafe.Add(ref accBase, g0 * 64);
        ref float h1 = ref Unsafe.Add(ref accBase, g1 * 64);
        ref float h2 = ref Unsafe.Add(ref accBase, g2 * 64);
        ref float h3 = ref Unsafe.Add(ref accBase, g3 * 64);
        ref float vr = ref MemoryMarshal.GetReference(v);
        ref float wr = ref MemoryMarshal.GetArrayDataReference(weights);
        ref float rr = ref MemoryMarshal.GetArrayDataReference(rescales);
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default, a20 = default, a21 = default, a22 = default, a23 = default,
            a30 = default, a31 = default, a32 = default, a33 = default;
        var a00 = Vector512.LoadUnsafe(ref h0); var a01 = Vector512.LoadUnsafe(ref h0, 16); var a02 = Vector512.LoadUnsafe(ref h0, 32); var a03 = Vector512.LoadUnsafe(ref h0, 48);
        if (THeads.Count > 1) { a10 = Vector512.LoadUnsafe(ref h1); a11 = Vector512.LoadUnsafe(ref h1, 16); a12 = Vector512.LoadUnsafe(ref h1, 32); a13 = Vector512.LoadUnsafe(ref h1, 48); }
        if (THeads.Count > 2) { a20 = Vector512.LoadUnsafe(ref h2); a21 = Vector512.LoadUnsafe(ref h2, 16); a22 = Vector512.LoadUnsafe(ref h2, 32); a23 = Vector512.LoadUnsafe(ref h2, 48); }
        if (THeads.Count > 3) { a30 = Vector512.LoadUnsafe(ref h3); a31 = Vector512.LoadUnsafe(ref h3, 16); a32 = Vector512.LoadUnsafe(ref h3, 32); a33 = Vector512.LoadUnsafe(ref h3, 48); }
        int w0 = g0 * Block, w1 = g1 * Block, w2 = g2 * Block, w3 = g3 * Block;
        for (int t = 0; t < n; t++)
        {
            if (moved)
            {
                // A head whose maximum held has rescale exactly 1 here, and round(a · 1) = a: skipping it changes nothing.
                float r0 = Unsafe.Add(ref rr, w0 + t), r1 = Unsafe.Add(ref rr, w1 + t), r2 = Unsafe.Add(ref rr, w2 + t), r3 = Unsafe.Add(ref rr, w3 + t);
                if (r0 != 1f) { var r = Vector512.Create(r0); a00 = TRound.Apply(a00 * r); a01 = TRound.Apply(a01 * r); a02 = TRound.Apply(a02 * r); a03 = TRound.Apply(a03 * r); }
                if (THeads.Count > 1 && r1 != 1f) { var r = Vector512.Create(r1); a10 = TRound.Apply(a10 * r); a11 = TRound.Apply(a11 * r); a12 = TRound.Apply(a12 * r); a13 = TRound.Apply(a13 * r); }
                if (THeads.Count > 2 && r2 != 1f) { var r = Vector512.Create(r2); a20 = TRound.Apply(a20 * r); a21 = TRound.Apply(a21 * r); a22 = TRound.Apply(a22 * r); a23 = TRound.Apply(a23 * r); }
                if (THeads.Count > 3 && r3 != 1f) { var r = Vector512.Create(r3); a30 = TRound.Apply(a30 * r); a31 = TRound.Apply(a31 * r); a32 = TRound.Apply(a32 * r); a33 = TRound.Apply(a33 * r); }
            }
            ref float row = ref Unsafe.Add(ref vr, t * 64);
            var v0 = Vector512.LoadUnsafe(ref row); var v1 = Vector512.LoadUnsafe(ref row, 16); var v2 = Vector512.LoadUnsafe(ref row, 32); var v3 = Vector512.LoadUnsafe(ref row, 48);
            var x = Vector512.Create(Unsafe.Add(ref wr, w0 + t));
            a00 = TRound.Apply(Vector512.FusedMultiplyAdd(v0, x, a00)); a01 = TRound.Apply(Vector512.FusedMultiplyAdd(v1, x, a01));
            a02 = TRound.Apply(Vector512.FusedMultiplyAdd(v2, x, a02)); a03 = TRound.Apply(Vector512.FusedMultiplyAdd(v3, x, a03));
            if (THeads.Count > 1)
            {
                x = Vector512.Create(Unsafe.Add(ref wr, w1 + t));
                a10 = TRound.Apply(Vector512.FusedMultiplyAdd(v0, x, a10)); a11 = TRound.Apply(Vector512.FusedMultiplyAdd(v1, x, a11));
                a12 = TRound.Apply(Vector512.FusedMultiplyAdd(v2, x, a12)); a13 = TRound.Apply(Vector512.FusedMultiplyAdd(v3, x, a13));
            }
            if (THeads.Count > 2)
            {
                x = Vector512.Create(Unsafe.Add(ref wr, w2 + t));
                a20 = TRound.Apply(Vector512.FusedMultiplyAdd(v0, x, a20)); a21 = TRound.Apply(Vector512.FusedMultiplyAdd(v1, x, a21));
                a22 = TRound.Apply(Vector512.FusedMultiplyAdd(v2, x, a22)); a23 = TRound.Apply(Vector512.FusedMultiplyAdd(v3, x, a23));
            }
            if (THeads.Count > 3)
            {
                x = Vector512.Create(Unsafe.Add(ref wr, w3 + t));
                a30 = TRound.Apply(Vector512.FusedMultiplyAdd(v0, x, a30)); a31 = TRound.Apply(Vector512.FusedMultiplyAdd(v1, x, a31));
                a32 = TRound.Apply(Vector512.FusedMultiplyAdd(v2, x, a32)); a33 = TRound.Apply(Vector512.FusedMultiplyAdd(v3, x, a33));
            }
        }
        a00.StoreUnsafe(ref h0); a01.StoreUnsafe(ref h0, 16); a02.StoreUnsafe(ref h0, 32); a03.StoreUnsafe(ref h0, 48);
        if (THeads.Count > 1) { a10.StoreUnsafe(ref h1); a11.StoreUnsafe(ref h1, 16); a12.StoreUnsafe(ref h1, 32); a13.StoreUnsafe(ref h1, 48); }
        if (THeads.Count > 2) { a20.StoreUnsafe(ref h2); a21.StoreUnsafe(ref h2, 16); a22.StoreUnsafe(ref h2, 32); a23.StoreUnsafe(ref h2, 48); }
        if (THeads.Count > 3) { a30.StoreUnsafe(ref h3); a31.StoreUnsafe(ref h3, 16); a32.StoreUnsafe(ref h3, 32); a33.StoreUnsafe(ref h3, 48); }
    }

    /// <summary>The same as <see cref="Accumulate64"/> for any head dimension that is a multiple of 16.</summary>
    private static void AccumulateVector<TRound>(Span<float> acc, ReadOnlySpan<float> v, ReadOnlySpan<float> weight, ReadOnlySpan<float> rescale,
        int n, bool moved) where TRound : struct, IRounding
    {
        int dv = acc.Length;
        ref float vr = ref MemoryMarshal.GetReference(v);
        ref float ar = ref MemoryMarshal.GetReference(acc);
        for (int j = 0; j < dv; j += 16)
        {
            var a = Vector512.LoadUnsafe(ref ar, (nuint)j);
            for (int t = 0; t < n; t++)
            {
                float r = rescale[t];
                if (moved && r != 1f) a = TRound.Apply(a * r);
                a = TRound.Apply(Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref vr, (nuint)(t * dv + j)), Vector512.Create(weight[t]), a));
            }
            a.StoreUnsafe(ref ar, (nuint)j);
        }
    }

    /// <summary>The scalar twin of <see cref="AccumulateVector"/>.</summary>
    private static void AccumulateScalar<TRound>(Span<float> acc, ReadOnlySpan<float> v, ReadOnlySpan<float> weight, ReadOnlySpan<float> rescale,
        int n, bool moved) where TRound : struct, IRounding
    {
        int dv = acc.Length;
        for (int t = 0; t < n; t++)
        {
            float r = moved ? rescale[t] : 1f, w = weight[t];
            var row = v.Slice(t * dv, dv);
            for (int d = 0; d < dv; d++)
            {
                float a = acc[d];
                if (r != 1f) a = TRound.Apply(a * r);
                acc[d] = TRound.Apply(MathF.FusedMultiplyAdd(row[d], w, a));
            }
        }
    }

    /// <summary>What happens to the running sum after each update (a type parameter, so the JIT compiles each kernel without the branch).</summary>
    internal interface IRounding
    {
        static abstract Vector512<float> Apply(Vector512<float> x);
        static abstract float Apply(float x);
    }

    /// <summary>F16 cache: the sum is kept at F16 precision, as llama.cpp's F16 accumulator.</summary>
    internal readonly struct HalfPrecision : IRounding
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Apply(Vector512<float> x) => HalfVector.RoundToHalfPrecision(x);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Apply(float x) => HalfVector.RoundToHalfPrecision(x);
    }

    /// <summary>How many heads a many-head kernel runs (a type parameter, so the JIT drops the code of the missing ones).</summary>
    internal interface IHeadCount { static abstract int Count { get; } }
    internal readonly struct One : IHeadCount { public static int Count => 1; }
    internal readonly struct Two : IHeadCount { public static int Count => 2; }
    internal readonly struct Three : IHeadCount { public static int Count => 3; }
    internal readonly struct Four : IHeadCount { public static int Count => 4; }

    /// <summary>F32 cache: nothing is rounded.</summary>
    internal readonly struct NoRounding : IRounding
    {
        public static Vector512<float> Apply(Vector512<float> x) => x;
        public static float Apply(float x) => x;
    }
}

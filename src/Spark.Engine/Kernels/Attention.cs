using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Spark.Engine.Inference;

namespace Spark.Engine.Kernels;

/// <summary>
/// Scaled dot-product attention of the query heads that share one KV head (grouped-query attention), over a range
/// of cached positions, computed the way llama.cpp's CPU flash attention does: with an F16 cache the queries are
/// F16, scores F32, the softmax online (running max M and sum S, position by position), and the weighted sum of values
/// is rounded to F16 precision after every position (<see cref="HalfVector.RoundToHalfPrecision(float)"/>); with an F32
/// cache everything stays F32. Matching these roundings keeps Spark's logits within ~1e-3 of llama.cpp's instead of
/// ~1e-2 (an F32 sum fails the Q4_K_M conformance model).
/// <para>
/// Speed: each block of 16 cached keys and values is read (and converted from F16) once for all the query heads of
/// the group; a query's 16 scores are one Vector512 (keys are stored dimension-major per block, see
/// <see cref="KvCache"/>) and up to four heads share each loaded key row; the per-position exponentials come from
/// vector exps per head and block (<see cref="Vector512.Exp(Vector512{float})"/>, as exact as the expf llama.cpp calls:
/// exponentials a few ulp off flip Q4_K_M conformance near-ties) (weight e^(s_t − M_t) and, only when the block raises the maximum, rescale
/// e^(M_{t−1} − M_t) with the prefix maxima M_t), so the position-by-position recurrence that llama.cpp runs is kept
/// without a scalar exp per position; the value sums of up to four heads advance together in registers.
/// </para>
/// A range yields a partial result (acc, M, S per head); <see cref="Merge"/> folds the partial results of
/// consecutive ranges (parallel chunks of a long context) and <see cref="Finish"/> divides by the sum.
/// </summary>
internal static class Attention
{
    /// <summary>Largest head dimension the kernels accept.</summary>
    public const int MaxHeadDim = 1024;

    private const int Block = KvCache.BlockPositions;

    /// <summary>Empties a partial result: acc = 0, M = −∞, S = 0.</summary>
    public static void Start(Span<float> acc, Span<float> max, Span<float> sum)
    {
        acc.Clear();
        max.Fill(float.NegativeInfinity);
        sum.Clear();
    }

    /// <summary>
    /// Adds positions [<paramref name="start"/>, <paramref name="end"/>) of one KV head of an F16 cache to the partial
    /// result of <paramref name="groups"/> query heads (<paramref name="queries"/>: groups × keyLength, already
    /// rounded to F16; acc: groups × valueLength). <paramref name="start"/> must begin a key block.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own inlining budget: the block kernel must inline into it
    public static void Accumulate(ReadOnlySpan<float> queries, int groups, ReadOnlySpan<ushort> keys, ReadOnlySpan<ushort> values,
        int start, int end, float scale, AttentionScratch scratch, Span<float> acc, Span<float> max, Span<float> sum, bool simd = true)
    {
        int dk = scratch.KeyLength, dv = scratch.ValueLength;
        Check(queries, groups, keys.Length, values.Length, start, end, dk, dv, acc, max, sum, scratch);
        var k = scratch.Keys.AsSpan();
        var v = scratch.Values.AsSpan();
        if (simd && HalfVector.IsAccelerated && dv % 16 == 0)
        {
            // Keys and values are widened without their 2^112 exponent rebias (one multiply fewer per vector); the
            // queries and the softmax weights carry the 2^112 instead. Powers of two scale exactly, so every product,
            // and hence every sum, is bit for bit what the rebiased values give.
            var scaled = scratch.Queries.AsSpan(0, groups * dk);
            for (int i = 0; i < scaled.Length; i++) scaled[i] = queries[i] * HalfVector.ExponentRebias;
            for (int t0 = start; t0 < end; t0 += Block)
            {
                int n = Math.Min(Block, end - t0);
                HalfVector.ToSingleUnbiased(keys.Slice(t0 * dk, Block * dk), k);
                HalfVector.ToSingleUnbiased(values.Slice(t0 * dv, n * dv), v);
                BlockOf<HalfPrecision>(scaled, groups, dk, dv, k, v, n, scale, simd: true, scratch, acc, max, sum, HalfVector.ExponentRebias);
            }
            return;
        }
        for (int t0 = start; t0 < end; t0 += Block)
        {
            int n = Math.Min(Block, end - t0);
            HalfVector.ToSingle(keys.Slice(t0 * dk, Block * dk), k);
            HalfVector.ToSingle(values.Slice(t0 * dv, n * dv), v);
            BlockOf<HalfPrecision>(queries, groups, dk, dv, k, v, n, scale, simd: false, scratch, acc, max, sum, 1f);
        }
    }

    /// <summary>The F32-cache twin of <see cref="Accumulate(ReadOnlySpan{float}, int, ReadOnlySpan{ushort}, ReadOnlySpan{ushort}, int, int, float, AttentionScratch, Span{float}, Span{float}, Span{float}, bool)"/>: nothing is rounded.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Accumulate(ReadOnlySpan<float> queries, int groups, ReadOnlySpan<float> keys, ReadOnlySpan<float> values,
        int start, int end, float scale, AttentionScratch scratch, Span<float> acc, Span<float> max, Span<float> sum, bool simd = true)
    {
        int dk = scratch.KeyLength, dv = scratch.ValueLength;
        Check(queries, groups, keys.Length, values.Length, start, end, dk, dv, acc, max, sum, scratch);
        for (int t0 = start; t0 < end; t0 += Block)
        {
            int n = Math.Min(Block, end - t0);
            BlockOf<NoRounding>(queries, groups, dk, dv, keys.Slice(t0 * dk, Block * dk), values.Slice(t0 * dv, n * dv), n, scale,
                simd, scratch, acc, max, sum, 1f);
        }
    }

    /// <summary>Folds partial result B (a later range) into A.</summary>
    public static void Merge(Span<float> accA, Span<float> maxA, Span<float> sumA,
        ReadOnlySpan<float> accB, ReadOnlySpan<float> maxB, ReadOnlySpan<float> sumB, int groups, int valueLength)
    {
        for (int g = 0; g < groups; g++)
        {
            float m = MathF.Max(maxA[g], maxB[g]);
            if (float.IsNegativeInfinity(m)) continue; // both empty
            float a = MathF.Exp(maxA[g] - m), b = MathF.Exp(maxB[g] - m);
            var x = accA.Slice(g * valueLength, valueLength);
            var y = accB.Slice(g * valueLength, valueLength);
            for (int d = 0; d < x.Length; d++) x[d] = x[d] * a + y[d] * b;
            sumA[g] = sumA[g] * a + sumB[g] * b;
            maxA[g] = m;
        }
    }

    /// <summary>output = acc / S per head (in place when they alias).</summary>
    public static void Finish(ReadOnlySpan<float> acc, ReadOnlySpan<float> sum, int groups, int valueLength, Span<float> output)
    {
        for (int g = 0; g < groups; g++)
        {
            float inv = sum[g] == 0 ? 0 : 1f / sum[g];
            for (int d = g * valueLength; d < (g + 1) * valueLength; d++) output[d] = acc[d] * inv;
        }
    }

    private static void Check(ReadOnlySpan<float> queries, int groups, int keys, int values, int start, int end, int dk, int dv,
        Span<float> acc, Span<float> max, Span<float> sum, AttentionScratch scratch)
    {
        if (groups < 1 || groups > 64 || scratch.Scores.Length < groups * Block)
            throw new ArgumentException($"{groups} query heads per KV head: the attention kernel takes 1 to 64 and a scratch sized for them");
        if (start < 0 || start % Block != 0 || end <= start
            || (long)(end + Block - 1) / Block * Block * dk > keys || (long)end * dv > values
            || queries.Length < groups * dk || acc.Length < groups * dv || max.Length < groups || sum.Length < groups)
            throw new ArgumentException($"attention over positions [{start}, {end}) does not fit the given spans");
    }

    /// <summary>
    /// Positions [t0, t0 + n) of one block: kT is keyLength rows of 16 (dimension-major), v is n rows of valueLength,
    /// each divided by <paramref name="valueScale"/> (the weights are multiplied by it after the sum is taken).
    /// </summary>
    private static void BlockOf<TRound>(ReadOnlySpan<float> queries, int groups, int dk, int dv, ReadOnlySpan<float> kT, ReadOnlySpan<float> v,
        int n, float scale, bool simd, AttentionScratch scratch, Span<float> acc, Span<float> max, Span<float> sum, float valueScale)
        where TRound : struct, IRounding
    {
        bool vector = simd && HalfVector.IsAccelerated && dv % 16 == 0;
        long movedHeads = 0;
        var allScores = scratch.Scores.AsSpan(0, groups * Block);
        if (vector) ScoresVector(queries, groups, dk, kT, scale, allScores);
        else ScoresScalar(queries, groups, dk, kT, scale, allScores);
        for (int g = 0; g < groups; g++)
        {
            var scores = allScores.Slice(g * Block, Block);
            var weight = scratch.Weights.AsSpan(g * Block, Block);
            var rescale = scratch.Rescales.AsSpan(g * Block, Block);
            for (int t = n; t < Block; t++) scores[t] = float.NegativeInfinity; // past the range: weight 0

            float m = max[g], blockMax = vector ? MaxOf(Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(scores))) : MaxOf(scores);
            bool moved = blockMax > m;
            if (!moved)
            {
                // The common case once a few positions are in: the maximum holds, every rescale is 1, weight_t = e^(s_t − M).
                if (vector) Vector512<float>.One.StoreUnsafe(ref MemoryMarshal.GetReference(rescale));
                else rescale.Fill(1f);
                if (vector)
                {
                    var w = Vector512.Exp(Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(scores)) - Vector512.Create(m));
                    w.StoreUnsafe(ref MemoryMarshal.GetReference(weight));
                    sum[g] += Vector512.Sum(w);
                    if (valueScale != 1f) (w * valueScale).StoreUnsafe(ref MemoryMarshal.GetReference(weight));
                }
                else
                {
                    float total = 0;
                    for (int t = 0; t < Block; t++) total += weight[t] = MathF.Exp(scores[t] - m);
                    sum[g] += total;
                }
            }
            else
            {
                // Prefix maxima M_t = max(M_{t−1}, s_t): weight_t = e^(s_t − M_t), rescale_t = e^(M_{t−1} − M_t), exactly 1 when M holds.
                movedHeads |= 1L << g;
                int grew = 0;
                for (int t = 0; t < n; t++)
                {
                    float next = MathF.Max(m, scores[t]);
                    weight[t] = scores[t] - next;
                    rescale[t] = m - next;
                    if (next != m) grew |= 1 << t;
                    m = next;
                }
                for (int t = n; t < Block; t++) weight[t] = rescale[t] = float.NegativeInfinity;
                max[g] = m;
                if (vector)
                {
                    ref float w = ref MemoryMarshal.GetReference(weight);
                    ref float r = ref MemoryMarshal.GetReference(rescale);
                    Vector512.Exp(Vector512.LoadUnsafe(ref w)).StoreUnsafe(ref w);
                    Vector512.Exp(Vector512.LoadUnsafe(ref r)).StoreUnsafe(ref r);
                }
                else
                {
                    for (int t = 0; t < Block; t++) { weight[t] = MathF.Exp(weight[t]); rescale[t] = MathF.Exp(rescale[t]); }
                }
                float total = sum[g];
                for (int t = 0; t < n; t++)
                {
                    if ((grew & (1 << t)) == 0) rescale[t] = 1;
                    total = total * rescale[t] + weight[t];
                }
                sum[g] = total;
                if (valueScale != 1f) for (int t = 0; t < Block; t++) weight[t] *= valueScale;
            }
        }

        if (vector && dv == 64)
        {
            for (int g0 = 0; g0 < groups; g0 += 4)
            {
                bool moved = (movedHeads >> g0 & 0xF) != 0;
                switch (groups - g0)
                {
                    case 1: Accumulate64<TRound, One>(acc, g0, v, scratch.Weights, scratch.Rescales, n, moved); break;
                    case 2: Accumulate64<TRound, Two>(acc, g0, v, scratch.Weights, scratch.Rescales, n, moved); break;
                    case 3: Accumulate64<TRound, Three>(acc, g0, v, scratch.Weights, scratch.Rescales, n, moved); break;
                    default: Accumulate64<TRound, Four>(acc, g0, v, scratch.Weights, scratch.Rescales, n, moved); break;
                }
            }
            return;
        }
        for (int g = 0; g < groups; g++)
        {
            var a = acc.Slice(g * dv, dv);
            var weight = scratch.Weights.AsSpan(g * Block, Block);
            var rescale = scratch.Rescales.AsSpan(g * Block, Block);
            bool moved = (movedHeads >> g & 1) != 0;
            if (vector) AccumulateVector<TRound>(a, v, weight, rescale, n, moved);
            else AccumulateScalar<TRound>(a, v, weight, rescale, n, moved);
        }
    }

    private static float MaxOf(Vector512<float> x)
    {
        var m256 = Vector256.MaxNative(x.GetLower(), x.GetUpper());
        var m = Vector128.MaxNative(m256.GetLower(), m256.GetUpper());
        m = Vector128.MaxNative(m, Vector128.Shuffle(m, Vector128.Create(2, 3, 0, 1)));
        m = Vector128.MaxNative(m, Vector128.Shuffle(m, Vector128.Create(1, 0, 3, 2)));
        return m.ToScalar();
    }

    private static float MaxOf(ReadOnlySpan<float> x)
    {
        float m = float.NegativeInfinity;
        foreach (float value in x) m = MathF.Max(m, value);
        return m;
    }

    /// <summary>
    /// scores[g·16 + t] = scale · q_g·k_t for the 16 keys of a block and every head of the group. Up to four heads at a
    /// time share each loaded key row; each head sums dimensions d mod 4 in four chains (sixteen independent FMA chains).
    /// </summary>
    private static void ScoresVector(ReadOnlySpan<float> queries, int groups, int dk, ReadOnlySpan<float> kT, float scale, Span<float> scores)
    {
        for (int g0 = 0; g0 < groups; g0 += 4)
        {
            switch (groups - g0)
            {
                case 1: Scores4<One>(queries, g0, dk, kT, scale, scores); break;
                case 2: Scores4<Two>(queries, g0, dk, kT, scale, scores); break;
                case 3: Scores4<Three>(queries, g0, dk, kT, scale, scores); break;
                default: Scores4<Four>(queries, g0, dk, kT, scale, scores); break;
            }
        }
    }

    /// <summary>Scores of heads g0 … g0 + THeads − 1 (up to four) for one key block: four key rows per step, one chain per row.</summary>
    private static void Scores4<THeads>(ReadOnlySpan<float> queries, int g0, int dk, ReadOnlySpan<float> kT, float scale, Span<float> scores)
        where THeads : struct, IHeadCount
    {
        ref float k = ref MemoryMarshal.GetReference(kT);
        ref float q = ref MemoryMarshal.GetReference(queries);
        ref float sr = ref MemoryMarshal.GetReference(scores);
        int heads = THeads.Count;
        int g1 = g0 + Math.Min(1, heads - 1), g2 = g0 + Math.Min(2, heads - 1), g3 = g0 + Math.Min(3, heads - 1);
        ref float q0 = ref Unsafe.Add(ref q, g0 * dk);
        ref float q1 = ref Unsafe.Add(ref q, g1 * dk);
        ref float q2 = ref Unsafe.Add(ref q, g2 * dk);
        ref float q3 = ref Unsafe.Add(ref q, g3 * dk);
        Vector512<float> a0 = default, b0 = default, c0 = default, e0 = default, a1 = default, b1 = default, c1 = default, e1 = default;
        Vector512<float> a2 = default, b2 = default, c2 = default, e2 = default, a3 = default, b3 = default, c3 = default, e3 = default;
        int d = 0;
        for (; d + 4 <= dk; d += 4)
        {
            ref float row = ref Unsafe.Add(ref k, d * Block);
            var k0 = Vector512.LoadUnsafe(ref row);
            var k1 = Vector512.LoadUnsafe(ref row, Block);
            var k2 = Vector512.LoadUnsafe(ref row, 2 * Block);
            var k3 = Vector512.LoadUnsafe(ref row, 3 * Block);
            a0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q0, d)), k0, a0);
            b0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q0, d + 1)), k1, b0);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q0, d + 2)), k2, c0);
            e0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q0, d + 3)), k3, e0);
            if (THeads.Count > 1)
            {
                a1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q1, d)), k0, a1);
                b1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q1, d + 1)), k1, b1);
                c1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q1, d + 2)), k2, c1);
                e1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q1, d + 3)), k3, e1);
            }
            if (THeads.Count > 2)
            {
                a2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q2, d)), k0, a2);
                b2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q2, d + 1)), k1, b2);
                c2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q2, d + 2)), k2, c2);
                e2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q2, d + 3)), k3, e2);
            }
            if (THeads.Count > 3)
            {
                a3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q3, d)), k0, a3);
                b3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q3, d + 1)), k1, b3);
                c3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q3, d + 2)), k2, c3);
                e3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q3, d + 3)), k3, e3);
            }
        }
        for (; d < dk; d++)
        {
            var last = Vector512.LoadUnsafe(ref k, (nuint)(d * Block));
            a0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q0, d)), last, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q1, d)), last, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q2, d)), last, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q3, d)), last, a3);
        }
        var vscale = Vector512.Create(scale);
        (((a0 + b0) + (c0 + e0)) * vscale).StoreUnsafe(ref sr, (nuint)(g0 * Block));
        if (THeads.Count > 1) (((a1 + b1) + (c1 + e1)) * vscale).StoreUnsafe(ref sr, (nuint)(g1 * Block));
        if (THeads.Count > 2) (((a2 + b2) + (c2 + e2)) * vscale).StoreUnsafe(ref sr, (nuint)(g2 * Block));
        if (THeads.Count > 3) (((a3 + b3) + (c3 + e3)) * vscale).StoreUnsafe(ref sr, (nuint)(g3 * Block));
    }

    /// <summary>The scalar twin of <see cref="ScoresVector"/> (same order of operations, so the same result).</summary>
    private static void ScoresScalar(ReadOnlySpan<float> queries, int groups, int dk, ReadOnlySpan<float> kT, float scale, Span<float> scores)
    {
        for (int g = 0; g < groups; g++)
        {
            var q = queries.Slice(g * dk, dk);
            for (int t = 0; t < Block; t++)
            {
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int d = 0;
                for (; d + 4 <= dk; d += 4)
                {
                    s0 = MathF.FusedMultiplyAdd(q[d], kT[d * Block + t], s0);
                    s1 = MathF.FusedMultiplyAdd(q[d + 1], kT[(d + 1) * Block + t], s1);
                    s2 = MathF.FusedMultiplyAdd(q[d + 2], kT[(d + 2) * Block + t], s2);
                    s3 = MathF.FusedMultiplyAdd(q[d + 3], kT[(d + 3) * Block + t], s3);
                }
                for (; d < dk; d++) s0 = MathF.FusedMultiplyAdd(q[d], kT[d * Block + t], s0);
                scores[g * Block + t] = ((s0 + s1) + (s2 + s3)) * scale;
            }
        }
    }

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

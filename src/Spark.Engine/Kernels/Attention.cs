using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Spark.Engine.Inference;

namespace Spark.Engine.Kernels;

/// <summary>
/// Scaled dot-product attention of the query heads that share one KV head (grouped-query attention), over a range
/// of cached positions, computed the way llama.cpp's CPU flash attention does: with an F16 cache the queries are
/// F16, scores F32, the softmax online (running max M and sum S, position by position), and the weighted sum of values
/// is rounded to F16 after every position; with an F32 cache everything stays F32. Matching these roundings keeps
/// Spark's logits within ~1e-3 of llama.cpp's instead of ~1e-2.
/// <para>
/// Speed: each block of 16 cached keys and values is read (and converted from F16) once for all the query heads of
/// the group; a query's 16 scores are one Vector512 (keys are stored dimension-major per block, see
/// <see cref="KvCache"/>); the per-position exponentials come from two vector exps per block (weight
/// e^(s_t − M_t) and rescale e^(M_{t−1} − M_t) with the prefix maxima M_t), so the position-by-position recurrence that
/// llama.cpp runs is kept exactly without a scalar exp per position.
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
    public static void Accumulate(ReadOnlySpan<float> queries, int groups, ReadOnlySpan<ushort> keys, ReadOnlySpan<ushort> values,
        int start, int end, float scale, AttentionScratch scratch, Span<float> acc, Span<float> max, Span<float> sum, bool simd = true)
    {
        int dk = scratch.KeyLength, dv = scratch.ValueLength;
        Check(queries, groups, keys.Length, values.Length, start, end, dk, dv, acc, max, sum);
        var k = scratch.Keys.AsSpan();
        var v = scratch.Values.AsSpan();
        for (int t0 = start; t0 < end; t0 += Block)
        {
            int n = Math.Min(Block, end - t0);
            HalfVector.ToSingle(keys.Slice(t0 * dk, Block * dk), k);
            HalfVector.ToSingle(values.Slice(t0 * dv, n * dv), v);
            BlockOf(queries, groups, dk, dv, k, v, n, scale, roundToHalf: true, simd, scratch, acc, max, sum);
        }
    }

    /// <summary>The F32-cache twin of <see cref="Accumulate(ReadOnlySpan{float}, int, ReadOnlySpan{ushort}, ReadOnlySpan{ushort}, int, int, float, AttentionScratch, Span{float}, Span{float}, Span{float}, bool)"/>: nothing is rounded.</summary>
    public static void Accumulate(ReadOnlySpan<float> queries, int groups, ReadOnlySpan<float> keys, ReadOnlySpan<float> values,
        int start, int end, float scale, AttentionScratch scratch, Span<float> acc, Span<float> max, Span<float> sum, bool simd = true)
    {
        int dk = scratch.KeyLength, dv = scratch.ValueLength;
        Check(queries, groups, keys.Length, values.Length, start, end, dk, dv, acc, max, sum);
        for (int t0 = start; t0 < end; t0 += Block)
        {
            int n = Math.Min(Block, end - t0);
            BlockOf(queries, groups, dk, dv, keys.Slice(t0 * dk, Block * dk), values.Slice(t0 * dv, n * dv), n, scale,
                roundToHalf: false, simd, scratch, acc, max, sum);
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
        Span<float> acc, Span<float> max, Span<float> sum)
    {
        if (start < 0 || start % Block != 0 || end <= start
            || (long)(end + Block - 1) / Block * Block * dk > keys || (long)end * dv > values
            || queries.Length < groups * dk || acc.Length < groups * dv || max.Length < groups || sum.Length < groups)
            throw new ArgumentException($"attention over positions [{start}, {end}) does not fit the given spans");
    }

    /// <summary>Positions [t0, t0 + n) of one block: kT is keyLength rows of 16 (dimension-major), v is n rows of valueLength.</summary>
    private static void BlockOf(ReadOnlySpan<float> queries, int groups, int dk, int dv, ReadOnlySpan<float> kT, ReadOnlySpan<float> v,
        int n, float scale, bool roundToHalf, bool simd, AttentionScratch scratch, Span<float> acc, Span<float> max, Span<float> sum)
    {
        bool vector = simd && HalfVector.IsAccelerated && dv % 16 == 0;
        var scores = scratch.Scores.AsSpan();
        var weight = scratch.Weights.AsSpan();
        var rescale = scratch.Rescales.AsSpan();
        for (int g = 0; g < groups; g++)
        {
            var q = queries.Slice(g * dk, dk);
            if (vector) ScoresVector(q, kT, scale, scores);
            else ScoresScalar(q, kT, scale, scores);
            for (int t = n; t < Block; t++) scores[t] = float.NegativeInfinity; // past the range: weight 0

            float m = max[g], blockMax = vector ? MaxOf(Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(scores))) : MaxOf(scores);
            bool moved = blockMax > m;
            if (!moved)
            {
                // The common case once a few positions are in: the maximum holds, every rescale is 1, weight_t = e^(s_t − M).
                if (vector)
                {
                    var w = Vector512.Exp(Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(scores)) - Vector512.Create(m));
                    w.StoreUnsafe(ref MemoryMarshal.GetReference(weight));
                    sum[g] += Vector512.Sum(w);
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
            }

            var a = acc.Slice(g * dv, dv);
            if (vector)
            {
                if (dv == 64) Accumulate64(a, v, weight, rescale, n, moved, roundToHalf);
                else AccumulateVector(a, v, weight, rescale, n, moved, roundToHalf);
            }
            else AccumulateScalar(a, v, weight, rescale, n, moved, roundToHalf);
        }
    }

    private static float MaxOf(Vector512<float> x)
    {
        var m256 = Vector256.Max(x.GetLower(), x.GetUpper());
        var m = Vector128.Max(m256.GetLower(), m256.GetUpper());
        m = Vector128.Max(m, Vector128.Shuffle(m, Vector128.Create(2, 3, 0, 1)));
        m = Vector128.Max(m, Vector128.Shuffle(m, Vector128.Create(1, 0, 3, 2)));
        return m.ToScalar();
    }

    private static float MaxOf(ReadOnlySpan<float> x)
    {
        float m = float.NegativeInfinity;
        foreach (float value in x) m = MathF.Max(m, value);
        return m;
    }

    /// <summary>scores[t] = scale · q·k_t for the 16 keys of a block, summed over d in four interleaved partial sums.</summary>
    private static void ScoresVector(ReadOnlySpan<float> q, ReadOnlySpan<float> kT, float scale, Span<float> scores)
    {
        ref float k = ref MemoryMarshal.GetReference(kT);
        ref float qr = ref MemoryMarshal.GetReference(q);
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        int d = 0;
        for (; d + 4 <= q.Length; d += 4)
        {
            ref float row = ref Unsafe.Add(ref k, d * Block);
            s0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref qr, d)), Vector512.LoadUnsafe(ref row), s0);
            s1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref qr, d + 1)), Vector512.LoadUnsafe(ref row, Block), s1);
            s2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref qr, d + 2)), Vector512.LoadUnsafe(ref row, 2 * Block), s2);
            s3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref qr, d + 3)), Vector512.LoadUnsafe(ref row, 3 * Block), s3);
        }
        for (; d < q.Length; d++)
            s0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref qr, d)), Vector512.LoadUnsafe(ref k, (nuint)(d * Block)), s0);
        (((s0 + s1) + (s2 + s3)) * scale).StoreUnsafe(ref MemoryMarshal.GetReference(scores));
    }

    /// <summary>The scalar twin of <see cref="ScoresVector"/> (same order of operations, so the same result).</summary>
    private static void ScoresScalar(ReadOnlySpan<float> q, ReadOnlySpan<float> kT, float scale, Span<float> scores)
    {
        for (int t = 0; t < Block; t++)
        {
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int d = 0;
            for (; d + 4 <= q.Length; d += 4)
            {
                s0 = MathF.FusedMultiplyAdd(q[d], kT[d * Block + t], s0);
                s1 = MathF.FusedMultiplyAdd(q[d + 1], kT[(d + 1) * Block + t], s1);
                s2 = MathF.FusedMultiplyAdd(q[d + 2], kT[(d + 2) * Block + t], s2);
                s3 = MathF.FusedMultiplyAdd(q[d + 3], kT[(d + 3) * Block + t], s3);
            }
            for (; d < q.Length; d++) s0 = MathF.FusedMultiplyAdd(q[d], kT[d * Block + t], s0);
            scores[t] = ((s0 + s1) + (s2 + s3)) * scale;
        }
    }

    /// <summary>
    /// acc = round(acc · rescale_t) where M moved, then acc = round(acc + weight_t · v_t), position by position, for
    /// head dimension 64 (Qwen2.5 0.5B–7B, Llama 3.2 1B) with the accumulator in four registers.
    /// </summary>
    private static void Accumulate64(Span<float> acc, ReadOnlySpan<float> v, ReadOnlySpan<float> weight, ReadOnlySpan<float> rescale,
        int n, bool moved, bool roundToHalf)
    {
        ref float ar = ref MemoryMarshal.GetReference(acc);
        ref float vr = ref MemoryMarshal.GetReference(v);
        ref float wr = ref MemoryMarshal.GetReference(weight);
        ref float rr = ref MemoryMarshal.GetReference(rescale);
        var a0 = Vector512.LoadUnsafe(ref ar);
        var a1 = Vector512.LoadUnsafe(ref ar, 16);
        var a2 = Vector512.LoadUnsafe(ref ar, 32);
        var a3 = Vector512.LoadUnsafe(ref ar, 48);
        for (int t = 0; t < n; t++)
        {
            if (moved)
            {
                float r = Unsafe.Add(ref rr, t);
                if (r != 1f)
                {
                    var rv = Vector512.Create(r);
                    a0 = RoundIf(a0 * rv, roundToHalf);
                    a1 = RoundIf(a1 * rv, roundToHalf);
                    a2 = RoundIf(a2 * rv, roundToHalf);
                    a3 = RoundIf(a3 * rv, roundToHalf);
                }
            }
            var w = Vector512.Create(Unsafe.Add(ref wr, t));
            ref float row = ref Unsafe.Add(ref vr, t * 64);
            a0 = RoundIf(Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row), w, a0), roundToHalf);
            a1 = RoundIf(Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, 16), w, a1), roundToHalf);
            a2 = RoundIf(Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, 32), w, a2), roundToHalf);
            a3 = RoundIf(Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, 48), w, a3), roundToHalf);
        }
        a0.StoreUnsafe(ref ar);
        a1.StoreUnsafe(ref ar, 16);
        a2.StoreUnsafe(ref ar, 32);
        a3.StoreUnsafe(ref ar, 48);
    }

    /// <summary>The same as <see cref="Accumulate64"/> for any head dimension that is a multiple of 16.</summary>
    private static void AccumulateVector(Span<float> acc, ReadOnlySpan<float> v, ReadOnlySpan<float> weight, ReadOnlySpan<float> rescale,
        int n, bool moved, bool roundToHalf)
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
                if (moved && r != 1f) a = RoundIf(a * r, roundToHalf);
                a = RoundIf(Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref vr, (nuint)(t * dv + j)), Vector512.Create(weight[t]), a), roundToHalf);
            }
            a.StoreUnsafe(ref ar, (nuint)j);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> RoundIf(Vector512<float> x, bool roundToHalf) => roundToHalf ? HalfVector.RoundToHalfPrecision(x) : x;

    /// <summary>The scalar twin of <see cref="AccumulateVector"/>.</summary>
    private static void AccumulateScalar(Span<float> acc, ReadOnlySpan<float> v, ReadOnlySpan<float> weight, ReadOnlySpan<float> rescale,
        int n, bool moved, bool roundToHalf)
    {
        int dv = acc.Length;
        for (int t = 0; t < n; t++)
        {
            float r = moved ? rescale[t] : 1f, w = weight[t];
            var row = v.Slice(t * dv, dv);
            for (int d = 0; d < dv; d++)
            {
                float a = acc[d];
                if (r != 1f) a = RoundIf(a * r, roundToHalf);
                acc[d] = RoundIf(MathF.FusedMultiplyAdd(row[d], w, a), roundToHalf);
            }
        }
    }

    private static float RoundIf(float x, bool roundToHalf) => roundToHalf ? HalfVector.RoundToHalfPrecision(x) : x;
}

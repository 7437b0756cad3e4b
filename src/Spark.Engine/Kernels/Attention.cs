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
internal static partial class Attention
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
}

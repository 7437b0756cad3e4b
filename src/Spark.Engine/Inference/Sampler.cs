namespace Spark.Engine.Inference;

/// <summary>
/// Picks the next token from logits. Every buffer is allocated once for the vocabulary size, so sampling a token
/// allocates nothing. Call <see cref="Accept"/> with each token that enters the sequence (prompt and generated)
/// so the penalties see it.
/// </summary>
public sealed class Sampler
{
    private readonly SamplerOptions _options;
    private readonly float[] _logits;
    private readonly int[] _ids;
    private readonly float[] _keys;
    private readonly int[] _counts;
    private readonly int[] _recent;
    private int _recentCount;
    private int _recentNext;
    private SplitMixRandom _random;

    /// <summary>Creates a sampler for a vocabulary of <paramref name="vocabSize"/> tokens.</summary>
    public Sampler(SamplerOptions options, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabSize, 1);
        options.Validate();
        _options = options;
        _logits = new float[vocabSize];
        _ids = new int[vocabSize];
        _keys = new float[vocabSize];
        _counts = new int[vocabSize];
        _recent = new int[Math.Max(1, options.PenaltyLastN)];
        _random = new SplitMixRandom(options.Seed ?? (ulong)Random.Shared.NextInt64());
    }

    /// <summary>Records a token that entered the sequence, for the penalties.</summary>
    public void Accept(int token)
    {
        if (_options.PenaltyLastN == 0) return;
        _recent[_recentNext] = token;
        _recentNext = (_recentNext + 1) % _recent.Length;
        if (_recentCount < _recent.Length) _recentCount++;
    }

    /// <summary>Forgets the penalty history (the random stream continues).</summary>
    public void Reset()
    {
        _recentCount = 0;
        _recentNext = 0;
    }

    /// <summary>Chooses the next token from <paramref name="logits"/> (one per vocabulary entry).</summary>
    public int Sample(ReadOnlySpan<float> logits)
    {
        int n = _logits.Length;
        if (logits.Length != n) throw new ArgumentException($"expected {n} logits, got {logits.Length}", nameof(logits));
        var work = _logits.AsSpan();
        logits.CopyTo(work);
        ApplyPenalties(work);
        if (_options.Temperature <= 0) return ArgMax(work);

        int k = _options.TopK > 0 && _options.TopK < n ? _options.TopK : n;
        int count = k < n ? SelectTopK(work, k) : SelectAll(work);
        var ids = _ids.AsSpan(0, count);
        var keys = _keys.AsSpan(0, count);
        for (int i = 0; i < count; i++) keys[i] = -work[ids[i]];
        keys.Sort(ids); // ascending by -logit: most likely first

        float max = work[ids[0]];
        double total = 0;
        for (int i = 0; i < count; i++) total += Math.Exp(work[ids[i]] - max);

        if (_options.TopP < 1)
        {
            double cumulative = 0;
            for (int i = 0; i < count; i++)
            {
                cumulative += Math.Exp(work[ids[i]] - max) / total;
                if (cumulative >= _options.TopP) { count = i + 1; break; }
            }
        }
        if (_options.MinP > 0)
        {
            // p_i / p_max >= min_p  <=>  logit_i >= max + ln(min_p)
            float floor = max + MathF.Log(_options.MinP);
            int kept = 1;
            while (kept < count && work[ids[kept]] >= floor) kept++;
            count = kept;
        }

        double invTemp = 1.0 / _options.Temperature;
        double sum = 0;
        for (int i = 0; i < count; i++) sum += Math.Exp((work[ids[i]] - max) * invTemp);
        double draw = _random.NextDouble() * sum;
        double acc = 0;
        for (int i = 0; i < count; i++)
        {
            acc += Math.Exp((work[ids[i]] - max) * invTemp);
            if (draw < acc) return ids[i];
        }
        return ids[count - 1];
    }

    private void ApplyPenalties(Span<float> work)
    {
        var o = _options;
        if (_recentCount == 0 || (o.RepetitionPenalty == 1 && o.PresencePenalty == 0 && o.FrequencyPenalty == 0)) return;
        for (int i = 0; i < _recentCount; i++)
        {
            int t = _recent[i];
            if ((uint)t < (uint)_counts.Length) _counts[t]++;
        }
        for (int i = 0; i < _recentCount; i++)
        {
            int t = _recent[i];
            if ((uint)t >= (uint)_counts.Length || _counts[t] == 0) continue;
            float v = work[t];
            v = v <= 0 ? v * o.RepetitionPenalty : v / o.RepetitionPenalty;
            work[t] = v - _counts[t] * o.FrequencyPenalty - o.PresencePenalty;
            _counts[t] = 0; // each distinct token is penalised once
        }
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }

    private int SelectAll(ReadOnlySpan<float> work)
    {
        for (int i = 0; i < work.Length; i++) _ids[i] = i;
        return work.Length;
    }

    /// <summary>Keeps the indices of the k largest logits in _ids[0..k) using a min-heap (O(n log k)).</summary>
    private int SelectTopK(ReadOnlySpan<float> work, int k)
    {
        var heap = _ids.AsSpan(0, k);
        for (int i = 0; i < k; i++)
        {
            heap[i] = i;
            SiftUp(heap, i, work);
        }
        for (int i = k; i < work.Length; i++)
        {
            if (work[i] <= work[heap[0]]) continue;
            heap[0] = i;
            SiftDown(heap, 0, work);
        }
        return k;
    }

    private static void SiftUp(Span<int> heap, int i, ReadOnlySpan<float> work)
    {
        while (i > 0)
        {
            int parent = (i - 1) / 2;
            if (work[heap[parent]] <= work[heap[i]]) break;
            (heap[parent], heap[i]) = (heap[i], heap[parent]);
            i = parent;
        }
    }

    private static void SiftDown(Span<int> heap, int i, ReadOnlySpan<float> work)
    {
        while (true)
        {
            int left = 2 * i + 1, smallest = i;
            if (left < heap.Length && work[heap[left]] < work[heap[smallest]]) smallest = left;
            if (left + 1 < heap.Length && work[heap[left + 1]] < work[heap[smallest]]) smallest = left + 1;
            if (smallest == i) return;
            (heap[smallest], heap[i]) = (heap[i], heap[smallest]);
            i = smallest;
        }
    }
}

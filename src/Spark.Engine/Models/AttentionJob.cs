using Spark.Engine.Inference;
using Spark.Engine.Kernels;
using Spark.Engine.Threading;

namespace Spark.Engine.Models;

/// <summary>
/// Causal attention of a batch of consecutive query positions over one layer's KV cache. Query i (at position
/// first + i) attends to positions [0, first + i]; the query heads that share a KV head are computed together
/// (<see cref="Kernels.Attention"/>), so each cached key and value is read once per query position and KV head.
/// <para>
/// Work items are handed out dynamically (their lengths differ): in a batch, one per query and KV head, longest first;
/// for a single query (decode), one per KV head and chunk of <see cref="ChunkPositions"/> positions, so a long context
/// keeps every worker busy even when the model has fewer KV heads than there are workers, and
/// <see cref="Combine"/> folds the chunks in order afterwards. A batch item folds its chunks in the same order with the
/// same arithmetic, so batched prefill and token-by-token decoding give identical attention.
/// </para>
/// </summary>
internal sealed class AttentionJob : IParallelWork
{
    /// <summary>Positions per independently computed chunk (a multiple of the key block).</summary>
    public const int ChunkPositions = 1024;

    private readonly ModelConfig _config;
    private readonly float[] _query;
    private readonly float[] _output;
    private readonly float _scale;
    private readonly int _group;
    private readonly AttentionScratch[] _scratch;
    private readonly float[][] _partialAcc, _partialMax, _partialSum;
    private readonly float[] _chunkAcc, _chunkMax, _chunkSum;
    private readonly int _maxChunks;
    private KvCache? _cache;
    private int _layer, _first, _batch, _chunks, _items, _next;
    private bool _split;

    /// <param name="config">The model's configuration.</param>
    /// <param name="query">batch × heads × keyLength (rounded to F16 in <see cref="Set"/> when the cache is F16).</param>
    /// <param name="output">batch × heads × valueLength.</param>
    /// <param name="contextLength">Positions the cache holds (sizes the per-chunk partial results of decode).</param>
    /// <param name="workers">Workers of the pool that runs the job (each gets its own scratch).</param>
    public AttentionJob(ModelConfig config, float[] query, float[] output, int contextLength, int workers)
    {
        _config = config;
        _query = query;
        _output = output;
        _scale = 1f / MathF.Sqrt(config.KeyLength);
        _group = config.HeadCount / config.HeadCountKv;
        _scratch = new AttentionScratch[workers];
        _partialAcc = new float[workers][];
        _partialMax = new float[workers][];
        _partialSum = new float[workers][];
        for (int w = 0; w < workers; w++)
        {
            _scratch[w] = new AttentionScratch(config.KeyLength, config.ValueLength, _group);
            _partialAcc[w] = new float[_group * config.ValueLength];
            _partialMax[w] = new float[_group];
            _partialSum[w] = new float[_group];
        }
        _maxChunks = (contextLength + ChunkPositions - 1) / ChunkPositions;
        _chunkAcc = new float[config.HeadCountKv * _maxChunks * _group * config.ValueLength];
        _chunkMax = new float[config.HeadCountKv * _maxChunks * _group];
        _chunkSum = new float[config.HeadCountKv * _maxChunks * _group];
    }

    /// <summary>Multiply-adds the current attention takes.</summary>
    public long Work => (long)_config.HeadCount * ((long)_batch * _first + (long)_batch * (_batch + 1) / 2) * (_config.KeyLength + _config.ValueLength);

    /// <summary>
    /// Prepares attention for queries at positions [<paramref name="first"/>, first + <paramref name="batch"/>) of
    /// <paramref name="layer"/>, whose keys and values are already stored.
    /// </summary>
    public void Set(KvCache cache, int layer, int first, int batch)
    {
        _cache = cache;
        _layer = layer;
        _first = first;
        _batch = batch;
        _next = 0;
        int kvHeads = _config.HeadCountKv;
        _chunks = (first + batch + ChunkPositions - 1) / ChunkPositions;
        _split = batch == 1 && _chunks > 1;
        _items = _split ? kvHeads * _chunks : batch * kvHeads;
        if (cache.Type == KvCacheType.F16)
        {
            // llama.cpp converts the query to the cache's type before the dot products.
            var q = _query.AsSpan(0, batch * _config.HeadCount * _config.KeyLength);
            for (int i = 0; i < q.Length; i++) q[i] = HalfRounding.Round(q[i]);
        }
    }

    public void Execute(int worker, int workerCount)
    {
        int item;
        while ((item = Interlocked.Increment(ref _next) - 1) < _items)
        {
            if (_split) Chunk(item / _chunks, item % _chunks, worker);
            else Query(_batch - 1 - item / _config.HeadCountKv, item % _config.HeadCountKv, worker);
        }
    }

    /// <summary>After a split (long-context decode) run: folds each KV head's chunks in order into the output.</summary>
    public void Combine()
    {
        if (!_split) return;
        int g = _group, dv = _config.ValueLength;
        for (int h = 0; h < _config.HeadCountKv; h++)
        {
            int slot = h * _maxChunks;
            var acc = _chunkAcc.AsSpan(slot * g * dv, g * dv);
            var max = _chunkMax.AsSpan(slot * g, g);
            var sum = _chunkSum.AsSpan(slot * g, g);
            for (int c = 1; c < _chunks; c++)
                Kernels.Attention.Merge(acc, max, sum, _chunkAcc.AsSpan((slot + c) * g * dv, g * dv),
                    _chunkMax.AsSpan((slot + c) * g, g), _chunkSum.AsSpan((slot + c) * g, g), g, dv);
            Kernels.Attention.Finish(acc, sum, g, dv, _output.AsSpan(h * g * dv, g * dv));
        }
    }

    /// <summary>Query <paramref name="i"/> of the batch, KV head <paramref name="kvHead"/>: all its chunks, folded in order.</summary>
    private void Query(int i, int kvHead, int worker)
    {
        var c = _config;
        int g = _group, dv = c.ValueLength, length = _first + i + 1;
        int head = i * c.HeadCount + kvHead * g;
        var queries = _query.AsSpan(head * c.KeyLength, g * c.KeyLength);
        var acc = _output.AsSpan(head * dv, g * dv);
        var partialMax = _partialMax[worker].AsSpan();
        var partialSum = _partialSum[worker].AsSpan();
        Span<float> accMax = stackalloc float[g];
        Span<float> accSum = stackalloc float[g];
        Kernels.Attention.Start(acc, accMax, accSum);
        Accumulate(queries, kvHead, 0, Math.Min(length, ChunkPositions), worker, acc, accMax, accSum);
        for (int start = ChunkPositions; start < length; start += ChunkPositions)
        {
            var partial = _partialAcc[worker].AsSpan();
            Kernels.Attention.Start(partial, partialMax, partialSum);
            Accumulate(queries, kvHead, start, Math.Min(length, start + ChunkPositions), worker, partial, partialMax, partialSum);
            Kernels.Attention.Merge(acc, accMax, accSum, partial, partialMax, partialSum, g, dv);
        }
        Kernels.Attention.Finish(acc, accSum, g, dv, acc);
    }

    /// <summary>Chunk <paramref name="chunk"/> of the single query's KV head <paramref name="kvHead"/> into its partial-result slot.</summary>
    private void Chunk(int kvHead, int chunk, int worker)
    {
        var c = _config;
        int g = _group, dv = c.ValueLength, length = _first + 1;
        int slot = kvHead * _maxChunks + chunk;
        var acc = _chunkAcc.AsSpan(slot * g * dv, g * dv);
        var max = _chunkMax.AsSpan(slot * g, g);
        var sum = _chunkSum.AsSpan(slot * g, g);
        Kernels.Attention.Start(acc, max, sum);
        int start = chunk * ChunkPositions;
        Accumulate(_query.AsSpan(kvHead * g * c.KeyLength, g * c.KeyLength), kvHead, start, Math.Min(length, start + ChunkPositions),
            worker, acc, max, sum);
    }

    private void Accumulate(ReadOnlySpan<float> queries, int kvHead, int start, int end, int worker,
        Span<float> acc, Span<float> max, Span<float> sum)
    {
        var cache = _cache!;
        if (cache.Type == KvCacheType.F16)
            Kernels.Attention.Accumulate(queries, _group, cache.HalfKeys(_layer, kvHead), cache.HalfValues(_layer, kvHead),
                start, end, _scale, _scratch[worker], acc, max, sum);
        else
            Kernels.Attention.Accumulate(queries, _group, cache.Keys(_layer, kvHead), cache.Values(_layer, kvHead),
                start, end, _scale, _scratch[worker], acc, max, sum);
    }
}

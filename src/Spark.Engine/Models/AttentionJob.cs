using Spark.Engine.Inference;
using Spark.Engine.Kernels;
using Spark.Engine.Threading;

namespace Spark.Engine.Models;

/// <summary>
/// Attention of every query head over one layer's KV cache, split by heads across the workers.
/// Query head h reads KV head h / (heads / kvHeads) (grouped-query attention).
/// </summary>
internal sealed class AttentionJob : IParallelWork
{
    private readonly ModelConfig _config;
    private readonly float[] _query;
    private readonly float[] _output;
    private readonly float _scale;
    private KvCache? _cache;
    private int _layer;
    private int _length;

    private readonly bool _roundToHalf;

    public AttentionJob(ModelConfig config, float[] query, float[] output, bool roundToHalf)
    {
        _roundToHalf = roundToHalf;
        _config = config;
        _query = query;
        _output = output;
        _scale = 1f / MathF.Sqrt(config.KeyLength);
    }

    /// <summary>Multiply-adds the current attention takes.</summary>
    public long Work => (long)_config.HeadCount * _length * (_config.KeyLength + _config.ValueLength);

    /// <summary>Attends over positions [0, <paramref name="length"/>) of <paramref name="layer"/>.</summary>
    public void Set(KvCache cache, int layer, int length)
    {
        _cache = cache;
        _layer = layer;
        _length = length;
    }

    public void Execute(int worker, int workerCount)
    {
        var c = _config;
        int group = c.HeadCount / c.HeadCountKv;
        var keys = _cache!.Keys(_layer);
        var values = _cache.Values(_layer);
        var (start, end) = WorkerPool.Share(c.HeadCount, worker, workerCount);
        for (int h = start; h < end; h++)
        {
            int kvHead = h / group;
            Kernels.Attention.Head(
                _query.AsSpan(h * c.KeyLength, c.KeyLength),
                keys.AsSpan(kvHead * c.KeyLength), _cache.KeyWidth,
                values.AsSpan(kvHead * c.ValueLength), _cache.ValueWidth,
                _length, _scale,
                _output.AsSpan(h * c.ValueLength, c.ValueLength), _roundToHalf);
        }
    }
}

using Spark.Engine.Inference;

namespace Spark.Engine.Kernels;

/// <summary>Per-worker buffers of the attention kernels, allocated once so attention allocates nothing.</summary>
internal sealed class AttentionScratch(int keyLength, int valueLength)
{
    public int KeyLength { get; } = keyLength;
    public int ValueLength { get; } = valueLength;
    /// <summary>One key block converted to F32 (keyLength × 16).</summary>
    public float[] Keys { get; } = new float[keyLength * KvCache.BlockPositions];
    /// <summary>One block of values converted to F32 (16 × valueLength).</summary>
    public float[] Values { get; } = new float[valueLength * KvCache.BlockPositions];
    public float[] Scores { get; } = new float[KvCache.BlockPositions];
    public float[] Weights { get; } = new float[KvCache.BlockPositions];
    public float[] Rescales { get; } = new float[KvCache.BlockPositions];
}

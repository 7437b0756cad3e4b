using Spark.Engine.Inference;

namespace Spark.Engine.Kernels;

/// <summary>Per-worker buffers of the attention kernels, allocated once so attention allocates nothing.</summary>
internal sealed class AttentionScratch(int keyLength, int valueLength, int groups)
{
    public int KeyLength { get; } = keyLength;
    public int ValueLength { get; } = valueLength;
    /// <summary>One key block converted to F32 (keyLength × 16).</summary>
    public float[] Keys { get; } = new float[keyLength * KvCache.BlockPositions];
    /// <summary>One block of values converted to F32 (16 × valueLength).</summary>
    public float[] Values { get; } = new float[valueLength * KvCache.BlockPositions];
    /// <summary>The group's queries, rescaled for the unbiased key conversion (groups × keyLength).</summary>
    public float[] Queries { get; } = new float[groups * keyLength];
    /// <summary>One block's scores for every head of the group (groups × 16).</summary>
    public float[] Scores { get; } = new float[groups * KvCache.BlockPositions];
    /// <summary>Per head of the group: the block's softmax weights e^(s_t − M_t) (groups × 16).</summary>
    public float[] Weights { get; } = new float[groups * KvCache.BlockPositions];
    /// <summary>Per head of the group: the block's rescales e^(M_{t−1} − M_t) (groups × 16).</summary>
    public float[] Rescales { get; } = new float[groups * KvCache.BlockPositions];
}

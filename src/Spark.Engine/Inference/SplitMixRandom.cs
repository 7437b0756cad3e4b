namespace Spark.Engine.Inference;

/// <summary>
/// A tiny deterministic generator (SplitMix64): the same seed gives the same stream on every machine and runtime,
/// which System.Random does not promise.
/// </summary>
internal struct SplitMixRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A double uniformly in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));
}

namespace Spark.Bench.Memory;

/// <summary>The STREAM-style loops <see cref="MemoryBandwidth"/> times.</summary>
public enum StreamKernel
{
    /// <summary>c[i] = a[i]: one read and one write per element.</summary>
    Copy,

    /// <summary>a[i] = b[i] + s·c[i]: two reads and one write per element.</summary>
    Triad,

    /// <summary>sum += b[i]: one read per element (what a decode step mostly does to its weights).</summary>
    Read,
}

namespace Spark.Engine.Models.Synthetic;

/// <summary>
/// xoshiro256** seeded through SplitMix64. Normals are Irwin–Hall sums of twelve 16-bit uniforms (mean 0, variance 1,
/// bounded at ±6σ) rather than Box–Muller, because Math.Log/Sin/Cos may differ in the last bit between CPUs and
/// C runtimes while integer sums and IEEE multiply/add do not: the same seed gives the same bytes on every machine.
/// A struct so each row of a tensor can have its own cheap, independent stream.
/// </summary>
internal struct SyntheticRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public SyntheticRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>A stream for one part of the model: mixes the seed with a name and an index.</summary>
    public static SyntheticRandom For(ulong seed, string name, long index)
    {
        ulong h = 0xcbf29ce484222325UL; // FNV-1a over the UTF-16 code units of the name
        foreach (char c in name) h = (h ^ c) * 0x100000001b3UL;
        ulong x = seed ^ h;
        ulong mixed = SplitMix64(ref x) ^ ((ulong)index * 0x9E3779B97F4A7C15UL);
        return new SyntheticRandom(mixed);
    }

    public static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>An integer in [0, <paramref name="bound"/>).</summary>
    public int NextInt(int bound) => (int)((NextUInt64() >> 33) % (ulong)bound);

    /// <summary>Fills <paramref name="destination"/> with approximately N(<paramref name="mean"/>, <paramref name="std"/>²) samples.</summary>
    public void FillNormal(Span<float> destination, float mean, float std)
    {
        for (int i = 0; i < destination.Length; i++)
            destination[i] = (float)(mean + std * NextStandardNormal());
    }

    /// <summary>An approximately standard normal sample: twelve 16-bit uniforms summed, computed exactly in integers.</summary>
    public double NextStandardNormal()
    {
        long sum = Sum16(NextUInt64()) + Sum16(NextUInt64()) + Sum16(NextUInt64());
        // each part is (k + 0.5) / 65536 with k in [0, 65535]: mean 1/2, variance ~1/12; twelve of them minus 6
        return (sum + 6.0) / 65536.0 - 6.0;
    }

    private static long Sum16(ulong x) =>
        (long)(x & 0xFFFF) + (long)((x >> 16) & 0xFFFF) + (long)((x >> 32) & 0xFFFF) + (long)(x >> 48);
}

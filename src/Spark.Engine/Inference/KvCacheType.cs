namespace Spark.Engine.Inference;

/// <summary>How a session's KV cache stores keys and values (<see cref="ModelLoadOptions.KvCacheType"/>).</summary>
public enum KvCacheType
{
    /// <summary>
    /// IEEE half precision, like llama.cpp's default cache: 2 bytes per value, and attention accumulates its weighted
    /// sum of values at F16 precision as llama.cpp's CPU flash attention does. Half the memory and memory traffic of F32.
    /// </summary>
    F16,

    /// <summary>Single precision: exact keys and values and an F32 attention sum, at twice the memory.</summary>
    F32,
}

namespace Spark.Engine.Models.Synthetic;

/// <summary>How a synthetic model's matrices get their types.</summary>
public enum SyntheticMix
{
    /// <summary>Every matrix in the requested type (falling back only where rows are not whole blocks).</summary>
    Pure,

    /// <summary>
    /// The per-tensor types llama.cpp's quantizer picks for that file type (<c>llama-quantize</c> without
    /// <c>--pure</c>): the output projection wider, Q4_K as Q4_K_M, llama.cpp's fallbacks. Files then have the same
    /// bytes per token as llama.cpp's, which is what makes a side-by-side speed comparison like for like.
    /// </summary>
    LlamaCpp,
}

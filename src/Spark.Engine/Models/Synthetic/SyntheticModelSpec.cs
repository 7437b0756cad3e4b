using Spark.Engine.Tensors;

namespace Spark.Engine.Models.Synthetic;

/// <summary>
/// What synthetic model to write: a layout (<see cref="Architecture"/>), real-model sizes (<see cref="Shape"/>),
/// the type of the 2-D weights and the seed of the random weights. The same spec always gives the same bytes.
/// </summary>
/// <param name="Architecture">Tensor layout and metadata prefix: "llama" or "qwen2" (qwen2 adds q/k/v biases).</param>
/// <param name="Shape">Hyper-parameters: "tiny" (for tests), "qwen2.5-0.5b" or "llama-3.2-1b" (exactly as the real models).</param>
/// <param name="WeightType">Type of the 2-D weights: F16, Q8_0, Q4_0 or Q4_K. Norms, biases and rope factors are always F32.</param>
/// <param name="Seed">Seed of the deterministic weight generator.</param>
/// <param name="Mix">
/// <see cref="SyntheticMix.Pure"/> (default): every matrix in <paramref name="WeightType"/>;
/// <see cref="SyntheticMix.LlamaCpp"/>: the types llama.cpp's quantizer picks for that file type (Q4_K becomes Q4_K_M).
/// </param>
/// <param name="VocabPath">
/// Optional GGUF file whose <c>tokenizer.*</c> keys are copied (its token count becomes the vocabulary size);
/// when null a vocabulary is synthesized in llama.cpp's format.
/// </param>
public sealed record SyntheticModelSpec(
    string Architecture,
    string Shape,
    GgmlType WeightType,
    ulong Seed,
    string? VocabPath = null,
    SyntheticMix Mix = SyntheticMix.Pure);

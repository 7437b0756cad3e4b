using Spark.Engine.Tensors;

namespace Spark.Engine.Models.Synthetic;

/// <summary>What <see cref="SyntheticModel.Write(SyntheticModelSpec, string)"/> wrote.</summary>
/// <param name="Path">The file written.</param>
/// <param name="Name">The model's <c>general.name</c>.</param>
/// <param name="ParameterCount">Number of weights over all tensors.</param>
/// <param name="FileSize">Size of the file in bytes.</param>
/// <param name="VocabSize">Number of tokens in the vocabulary (and rows of <c>token_embd.weight</c>).</param>
/// <param name="TensorCount">Number of tensors in the file.</param>
/// <param name="Fallbacks">
/// Tensors written in another type than requested because their row length is not a whole number of the
/// requested type's blocks (as llama.cpp's quantizer does), e.g. "token_embd.weight: Q4_K -> Q8_0 (row length 896)".
/// </param>
public sealed record SyntheticModelInfo(
    string Path,
    string Name,
    long ParameterCount,
    long FileSize,
    int VocabSize,
    int TensorCount,
    IReadOnlyList<string> Fallbacks)
{
    /// <summary>Tensors by the type they were written in, e.g. Q4_K: 120, Q8_0: 49, F32: 121.</summary>
    public IReadOnlyDictionary<GgmlType, int> TensorTypes { get; init; } = new Dictionary<GgmlType, int>();
}

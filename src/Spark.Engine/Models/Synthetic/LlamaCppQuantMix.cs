using Spark.Engine.Tensors;

namespace Spark.Engine.Models.Synthetic;

/// <summary>
/// The types llama.cpp's quantizer (llama-quant.cpp, <c>llama_tensor_get_type</c>) gives the tensors a synthetic llama
/// or qwen2 model has, for the file types Spark synthesizes. Checked against llama.cpp's own file of the
/// Qwen2.5-0.5B shape: its Q4_K_M is 374 MiB, and so is Spark's (tests).
/// </summary>
internal static class LlamaCppQuantMix
{
    /// <summary>
    /// The type llama.cpp asks for before its row-length fallback (<see cref="Fallback"/>): the tied token embedding is
    /// also the output projection, which gets Q6_K unless the file is Q8_0 or unquantized; for Q4_K (llama.cpp's
    /// Q4_K_M), attn_v and ffn_down of the layers <see cref="UseMoreBits"/> picks get Q6_K.
    /// </summary>
    public static GgmlType Requested(GgmlType fileType, string tensor, int layer, int layers)
    {
        if (tensor == "token_embd.weight")
            return fileType is GgmlType.Q8_0 or GgmlType.F16 ? fileType : GgmlType.Q6_K;
        bool wider = tensor.EndsWith(".attn_v.weight", StringComparison.Ordinal) || tensor.EndsWith(".ffn_down.weight", StringComparison.Ordinal);
        return fileType == GgmlType.Q4_K && wider && UseMoreBits(layer, layers) ? GgmlType.Q6_K : fileType;
    }

    /// <summary>llama.cpp's choice of layers that get more bits: the first and last eighth, and every third between.</summary>
    public static bool UseMoreBits(int layer, int layers) =>
        layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;

    /// <summary>
    /// What llama.cpp writes when rows are not whole 256-element super-blocks: Q4_K → Q5_0, Q5_K → Q5_1,
    /// Q6_K → Q8_0 (same bits per weight, 32-element blocks); rows that are not whole 32-element blocks stay F16.
    /// </summary>
    public static GgmlType Fallback(GgmlType requested, long rowLength)
    {
        if (rowLength % GgmlTypeInfo.BlockSize(requested) == 0) return requested;
        if (rowLength % 32 != 0) return GgmlType.F16;
        return requested switch
        {
            GgmlType.Q4_K => GgmlType.Q5_0,
            GgmlType.Q5_K => GgmlType.Q5_1,
            _ => GgmlType.Q8_0,
        };
    }
}

using Spark.Engine.Tensors;

namespace Spark.Engine.Models.Synthetic;

/// <summary>
/// The tensors of a synthetic model, named and shaped as llama.cpp's converter writes them for the llama and qwen2
/// architectures (tied embeddings: no output.weight), without any weight data.
/// </summary>
internal static class SyntheticModelPlan
{
    /// <summary>Standard deviation of norm weights around 1 and of biases around 0.</summary>
    private const float SmallStd = 0.02f;

    /// <summary>Plans every tensor, in file order.</summary>
    public static List<SyntheticTensor> Tensors(string architecture, SyntheticShape shape, GgmlType weightType, int vocabSize,
        SyntheticMix mix = SyntheticMix.Pure)
    {
        var types = new MatrixTypes(weightType, mix, shape.Layers);
        int embd = shape.EmbeddingLength, ff = shape.FeedForwardLength, hd = shape.HeadDim;
        int q = shape.HeadCount * hd, kv = shape.HeadCountKv * hd;
        bool biases = architecture == "qwen2";
        var list = new List<SyntheticTensor>
        {
            // embeddings ~N(0, 1/n_embd): with tied output and RMS-normed hidden states the logits have std ~1
            Matrix("token_embd.weight", embd, vocabSize, types.For("token_embd.weight", -1), std: 1f / MathF.Sqrt(embd)),
        };
        if (shape.RopeScaling is { } scaling)
            list.Add(new SyntheticTensor("rope_freqs.weight", [hd / 2], GgmlType.F32, 0, 0, scaling.Factors(shape.RopeFreqBase, hd)));
        for (int b = 0; b < shape.Layers; b++)
        {
            string p = $"blk.{b}.";
            list.Add(Norm(p + "attn_norm.weight", embd));
            list.Add(Matrix(p + "attn_q.weight", embd, q, types.For(p + "attn_q.weight", b)));
            if (biases) list.Add(Bias(p + "attn_q.bias", q));
            list.Add(Matrix(p + "attn_k.weight", embd, kv, types.For(p + "attn_k.weight", b)));
            if (biases) list.Add(Bias(p + "attn_k.bias", kv));
            list.Add(Matrix(p + "attn_v.weight", embd, kv, types.For(p + "attn_v.weight", b)));
            if (biases) list.Add(Bias(p + "attn_v.bias", kv));
            list.Add(Matrix(p + "attn_output.weight", q, embd, types.For(p + "attn_output.weight", b)));
            list.Add(Norm(p + "ffn_norm.weight", embd));
            list.Add(Matrix(p + "ffn_gate.weight", embd, ff, types.For(p + "ffn_gate.weight", b)));
            list.Add(Matrix(p + "ffn_up.weight", embd, ff, types.For(p + "ffn_up.weight", b)));
            list.Add(Matrix(p + "ffn_down.weight", ff, embd, types.For(p + "ffn_down.weight", b)));
        }
        list.Add(Norm("output_norm.weight", embd));
        return list;
    }

    /// <summary>
    /// The type a matrix with rows of <paramref name="rowLength"/> is written in: the requested one when the row is a
    /// whole number of its blocks, else Q8_0 (blocks of 32), else F16, as llama.cpp's quantizer falls back.
    /// </summary>
    public static GgmlType TypeFor(GgmlType requested, long rowLength)
    {
        if (rowLength % GgmlTypeInfo.BlockSize(requested) == 0) return requested;
        if (rowLength % GgmlTypeInfo.BlockSize(GgmlType.Q8_0) == 0) return GgmlType.Q8_0;
        return GgmlType.F16;
    }

    /// <summary>Which type each matrix asks for, and what it falls back to, under one mix.</summary>
    private readonly record struct MatrixTypes(GgmlType FileType, SyntheticMix Mix, int Layers)
    {
        public (GgmlType Requested, Func<GgmlType, long, GgmlType> Fallback) For(string name, int layer) => Mix == SyntheticMix.LlamaCpp
            ? (LlamaCppQuantMix.Requested(FileType, name, layer, Layers), LlamaCppQuantMix.Fallback)
            : (FileType, TypeFor);
    }

    /// <summary>A weight matrix of <paramref name="rows"/> rows of <paramref name="rowLength"/> ~N(0, 1/rowLength).</summary>
    private static SyntheticTensor Matrix(string name, int rowLength, int rows, (GgmlType Requested, Func<GgmlType, long, GgmlType> Fallback) choice,
        float? std = null)
    {
        var (requested, fallback) = choice;
        GgmlType type = fallback(requested, rowLength);
        return new SyntheticTensor(name, [rowLength, rows], type, 0f, std ?? 1f / MathF.Sqrt(rowLength))
        {
            Fallback = type == requested ? null : $"{name}: {requested} -> {type} (row length {rowLength} is not a multiple of {GgmlTypeInfo.BlockSize(requested)})",
        };
    }

    private static SyntheticTensor Norm(string name, int length) => new(name, [length], GgmlType.F32, 1f, SmallStd);

    private static SyntheticTensor Bias(string name, int length) => new(name, [length], GgmlType.F32, 0f, SmallStd);
}

using Spark.Engine.Gguf;
using Spark.Engine.Tensors;

namespace Spark.Engine.Models;

/// <summary>
/// Every tensor the forward pass reads, found by llama.cpp's names and checked for shape and type at load.
/// Matrices stay in the memory-mapped file; norms, biases and rope factors are read into F32 arrays.
/// </summary>
internal sealed class ModelWeights
{
    private ModelWeights(WeightMatrix embedding, LayerWeights[] layers, float[] outputNorm, WeightMatrix output, float[]? ropeFactors)
    {
        TokenEmbedding = embedding;
        Layers = layers;
        OutputNorm = outputNorm;
        Output = output;
        RopeFrequencyFactors = ropeFactors;
    }

    public WeightMatrix TokenEmbedding { get; }
    public IReadOnlyList<LayerWeights> Layers { get; }
    public float[] OutputNorm { get; }
    /// <summary>The output projection; the token embedding when the model ties them.</summary>
    public WeightMatrix Output { get; }
    public bool TiedEmbeddings => ReferenceEquals(Output, TokenEmbedding);
    /// <summary>Llama-3 style per-pair RoPE frequency divisors (<c>rope_freqs.weight</c>), or null.</summary>
    public float[]? RopeFrequencyFactors { get; }

    /// <summary>Makes every matrix multiply with <paramref name="kernels"/>.</summary>
    public void UseKernels(Kernels.Quantized.MatVecKernels kernels)
    {
        TokenEmbedding.Kernels = kernels;
        Output.Kernels = kernels;
        foreach (var l in Layers)
            foreach (var m in new[] { l.Query, l.Key, l.Value, l.AttentionOutput, l.Gate, l.Up, l.Down })
                m.Kernels = kernels;
    }

    public static ModelWeights Load(GgufFile file, ModelConfig c)
    {
        bool biasesRequired = c.Architecture == "qwen2";
        int embd = c.EmbeddingLength;
        var embedding = Matrix(file, "token_embd.weight", embd, c.VocabSize);
        var layers = new LayerWeights[c.BlockCount];
        for (int i = 0; i < layers.Length; i++)
        {
            string p = $"blk.{i}.";
            layers[i] = new LayerWeights(
                AttentionNorm: Vector(file, p + "attn_norm.weight", embd, required: true)!,
                Query: Matrix(file, p + "attn_q.weight", embd, c.QueryLength),
                Key: Matrix(file, p + "attn_k.weight", embd, c.KeyValueKeyLength),
                Value: Matrix(file, p + "attn_v.weight", embd, c.KeyValueValueLength),
                QueryBias: Vector(file, p + "attn_q.bias", c.QueryLength, biasesRequired),
                KeyBias: Vector(file, p + "attn_k.bias", c.KeyValueKeyLength, biasesRequired),
                ValueBias: Vector(file, p + "attn_v.bias", c.KeyValueValueLength, biasesRequired),
                AttentionOutput: Matrix(file, p + "attn_output.weight", c.HeadCount * c.ValueLength, embd),
                FeedForwardNorm: Vector(file, p + "ffn_norm.weight", embd, required: true)!,
                Gate: Matrix(file, p + "ffn_gate.weight", embd, c.FeedForwardLength),
                Up: Matrix(file, p + "ffn_up.weight", embd, c.FeedForwardLength),
                Down: Matrix(file, p + "ffn_down.weight", c.FeedForwardLength, embd));
        }
        var outputNorm = Vector(file, "output_norm.weight", embd, required: true)!;
        var output = file.FindTensor("output.weight") is null ? embedding : Matrix(file, "output.weight", embd, c.VocabSize);
        var ropeFactors = Vector(file, "rope_freqs.weight", c.RopeDimensionCount / 2, required: false);
        return new ModelWeights(embedding, layers, outputNorm, output, ropeFactors);
    }

    private static GgufTensorInfo Find(GgufFile file, string name) =>
        file.FindTensor(name) ?? throw new InvalidDataException($"model is missing tensor '{name}'");

    private static WeightMatrix Matrix(GgufFile file, string name, int columns, int rows)
    {
        var t = Find(file, name);
        CheckType(t);
        if (t.Dimensions.Count != 2 || t.Dimensions[0] != columns || t.Dimensions[1] != rows)
            throw new InvalidDataException($"tensor '{name}' has shape [{string.Join(", ", t.Dimensions)}], expected [{columns}, {rows}]");
        return new WeightMatrix(file, t);
    }

    private static float[]? Vector(GgufFile file, string name, int length, bool required)
    {
        var t = file.FindTensor(name);
        if (t is null)
            return required ? throw new InvalidDataException($"model is missing tensor '{name}'") : null;
        CheckType(t);
        if (t.ElementCount != length)
            throw new InvalidDataException($"tensor '{name}' has shape [{string.Join(", ", t.Dimensions)}], expected {length} elements");
        var values = new float[length];
        TensorDequantizer.Row(t.Type, file.GetTensorData(t), values);
        return values;
    }

    private static void CheckType(GgufTensorInfo t)
    {
        if (!GgmlTypeInfo.IsSupported(t.Type))
            throw new NotSupportedException($"tensor '{t.Name}' has type {t.Type}, which Spark cannot compute with; supported: {GgmlTypeInfo.SupportedList}");
    }
}

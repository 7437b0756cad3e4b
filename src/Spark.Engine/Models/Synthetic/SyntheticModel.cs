using Spark.Engine.Gguf;
using Spark.Engine.Tensors;

namespace Spark.Engine.Models.Synthetic;

/// <summary>
/// Writes GGUF models with the real shapes and metadata of llama/qwen2 models but deterministic random weights, for
/// tests and benchmarks that must not download anything. Backs <c>spark model synth</c>.
/// </summary>
public static class SyntheticModel
{
    /// <summary>The accepted architectures.</summary>
    public static IReadOnlyList<string> Architectures { get; } = ["llama", "qwen2"];

    /// <summary>The accepted shapes.</summary>
    public static IReadOnlyList<string> Shapes { get; } = SyntheticShape.All.Select(s => s.Name).ToArray();

    /// <summary>The accepted weight types.</summary>
    public static IReadOnlyList<GgmlType> WeightTypes { get; } = [GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K];

    /// <summary>
    /// Writes the model described by <paramref name="spec"/> to <paramref name="outPath"/> (atomically: through a
    /// temporary file). Throws <see cref="ArgumentException"/> naming what is accepted when the spec is invalid.
    /// </summary>
    public static SyntheticModelInfo Write(SyntheticModelSpec spec, string outPath) => Write(spec, outPath, headerOnly: false);

    /// <summary>
    /// Writes the model, or with <paramref name="headerOnly"/> only its metadata (no tensors), which lets tests check
    /// the metadata of the big shapes without generating their weights.
    /// </summary>
    internal static SyntheticModelInfo Write(SyntheticModelSpec spec, string outPath, bool headerOnly)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrEmpty(outPath);
        var (architecture, shape) = Validate(spec);
        var vocabulary = SyntheticVocabulary.Create(spec, shape);
        var tensors = SyntheticModelPlan.Tensors(architecture, shape, spec.WeightType, vocabulary.Size, spec.Mix);
        string name = $"spark-synthetic {shape.Name} {TypeName(spec.WeightType, spec.Mix)} seed {spec.Seed}";

        var writer = new GgufWriter();
        WriteMetadata(writer, architecture, shape, FileType(spec.WeightType, spec.Mix), name, vocabulary.Size);
        foreach (var (key, value) in vocabulary.Metadata) writer.Add(key, value);
        if (headerOnly) tensors.Clear();
        foreach (var tensor in tensors)
            writer.AddTensor(tensor.Name, tensor.Type, tensor.Dims, () => SyntheticWeights.Generate(tensor, spec.Seed));

        string? directory = Path.GetDirectoryName(Path.GetFullPath(outPath));
        if (directory != null) Directory.CreateDirectory(directory);
        writer.WriteFile(outPath);

        var types = new Dictionary<GgmlType, int>();
        foreach (var t in tensors) types[t.Type] = types.GetValueOrDefault(t.Type) + 1;
        return new SyntheticModelInfo(
            outPath, name,
            ParameterCount: tensors.Sum(t => t.ElementCount),
            FileSize: new FileInfo(outPath).Length,
            VocabSize: vocabulary.Size,
            TensorCount: tensors.Count,
            Fallbacks: tensors.Where(t => t.Fallback != null).Select(t => t.Fallback!).ToArray())
        {
            TensorTypes = types,
        };
    }

    /// <summary>Checks the spec; returns the normalized architecture and the shape.</summary>
    internal static (string Architecture, SyntheticShape Shape) Validate(SyntheticModelSpec spec)
    {
        string? architecture = Architectures.FirstOrDefault(a => string.Equals(a, spec.Architecture, StringComparison.OrdinalIgnoreCase));
        if (architecture is null)
            throw new ArgumentException($"unknown architecture '{spec.Architecture}'; accepted: {string.Join(", ", Architectures)}", nameof(spec));
        var shape = SyntheticShape.Find(spec.Shape)
            ?? throw new ArgumentException($"unknown shape '{spec.Shape}'; accepted: {SyntheticShape.Names}", nameof(spec));
        if (!WeightTypes.Contains(spec.WeightType))
            throw new ArgumentException(
                $"weight type {spec.WeightType} is not supported for synthetic models; accepted: {string.Join(", ", WeightTypes)}", nameof(spec));
        if (spec.VocabPath is { } vocab && !File.Exists(vocab))
            throw new ArgumentException($"vocabulary file '{vocab}' does not exist", nameof(spec));
        return (architecture, shape);
    }

    private static void WriteMetadata(GgufWriter w, string arch, SyntheticShape shape, uint fileType, string name, int vocabSize)
    {
        w.Set("general.architecture", arch)
         .Set("general.name", name)
         .Set("general.file_type", fileType)
         .Set("general.alignment", (uint)GgufReader.DefaultAlignment)
         .Set($"{arch}.context_length", (uint)shape.ContextLength)
         .Set($"{arch}.embedding_length", (uint)shape.EmbeddingLength)
         .Set($"{arch}.block_count", (uint)shape.Layers)
         .Set($"{arch}.feed_forward_length", (uint)shape.FeedForwardLength)
         .Set($"{arch}.attention.head_count", (uint)shape.HeadCount)
         .Set($"{arch}.attention.head_count_kv", (uint)shape.HeadCountKv)
         .Set($"{arch}.rope.freq_base", shape.RopeFreqBase)
         .Set($"{arch}.attention.layer_norm_rms_epsilon", shape.RmsEpsilon)
         .Set($"{arch}.rope.dimension_count", (uint)shape.HeadDim)
         .Set($"{arch}.vocab_size", (uint)vocabSize);
    }

    /// <summary>The type's name as <c>spark model synth --type</c> and llama.cpp call it: q4_k under llama.cpp's mix is q4_k_m.</summary>
    internal static string TypeName(GgmlType type, SyntheticMix mix)
    {
        string name = type.ToString().ToLowerInvariant();
        return mix == SyntheticMix.Pure ? name : type == GgmlType.Q4_K ? "q4_k_m" : name + " llama.cpp-mix";
    }

    /// <summary>llama.cpp's llama_ftype for a model whose 2-D weights are mostly <paramref name="type"/>.</summary>
    internal static uint FileType(GgmlType type, SyntheticMix mix = SyntheticMix.Pure) => type switch
    {
        GgmlType.Q4_K when mix == SyntheticMix.LlamaCpp => 15, // LLAMA_FTYPE_MOSTLY_Q4_K_M
        GgmlType.F16 => 1,   // LLAMA_FTYPE_MOSTLY_F16
        GgmlType.Q4_0 => 2,  // LLAMA_FTYPE_MOSTLY_Q4_0
        GgmlType.Q8_0 => 7,  // LLAMA_FTYPE_MOSTLY_Q8_0
        GgmlType.Q4_K => 14, // LLAMA_FTYPE_MOSTLY_Q4_K_S (every matrix Q4_K)
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}

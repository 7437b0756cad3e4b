using Spark.Engine.Tensors;

namespace Spark.Testing;

/// <summary>The shape and options of a tiny random transformer built by <see cref="TestModels"/>.</summary>
public sealed record TestModelSpec
{
    public string Architecture { get; init; } = "llama";
    public int Layers { get; init; } = 2;
    public int Dim { get; init; } = 64;
    public int Heads { get; init; } = 4;
    public int KvHeads { get; init; } = 2;
    public int FeedForward { get; init; } = 96;
    public int Vocab { get; init; } = 96;
    public int ContextLength { get; init; } = 64;
    /// <summary>Type of the 2-D weight matrices (norms and biases are always F32, as llama.cpp writes them).</summary>
    public GgmlType Type { get; init; } = GgmlType.F32;
    public int Seed { get; init; } = 1;
    /// <summary>Write q/k/v biases.</summary>
    public bool Biases { get; init; }
    /// <summary>Omit output.weight so the output projection reuses token_embd.</summary>
    public bool TiedEmbeddings { get; init; }
    public float RmsEpsilon { get; init; } = 1e-5f;
    public float RopeFreqBase { get; init; } = 10000f;
    /// <summary>rope.dimension_count; null leaves the key out (= head dimension).</summary>
    public int? RopeDimensions { get; init; }
    /// <summary>Linear rope.scaling.factor; null leaves the scaling keys out.</summary>
    public float? RopeLinearFactor { get; init; }
    /// <summary>Contents of rope_freqs.weight (Llama-3 frequency factors); null writes no such tensor.</summary>
    public float[]? RopeFrequencyFactors { get; init; }
    /// <summary>Tensors to leave out (to test the errors).</summary>
    public IReadOnlyCollection<string> OmitTensors { get; init; } = [];

    public int HeadDim => Dim / Heads;
}

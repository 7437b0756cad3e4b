using Spark.Engine.Gguf;
using Spark.Engine.Kernels;

namespace Spark.Engine.Models;

/// <summary>
/// A transformer's hyper-parameters, read only from GGUF metadata (keys as llama.cpp names them).
/// </summary>
public sealed record ModelConfig
{
    /// <summary>The architectures Spark runs.</summary>
    public static IReadOnlyList<string> SupportedArchitectures { get; } = ["llama", "qwen2"];

    /// <summary><c>general.architecture</c>, e.g. <c>llama</c> or <c>qwen2</c>.</summary>
    public required string Architecture { get; init; }
    /// <summary>Number of transformer blocks.</summary>
    public required int BlockCount { get; init; }
    /// <summary>Width of the residual stream (n_embd).</summary>
    public required int EmbeddingLength { get; init; }
    /// <summary>Hidden width of the feed-forward network.</summary>
    public required int FeedForwardLength { get; init; }
    /// <summary>Number of query heads.</summary>
    public required int HeadCount { get; init; }
    /// <summary>Number of key/value heads (grouped-query attention when fewer than <see cref="HeadCount"/>).</summary>
    public required int HeadCountKv { get; init; }
    /// <summary>Dimensions of each query/key head.</summary>
    public required int KeyLength { get; init; }
    /// <summary>Dimensions of each value head.</summary>
    public required int ValueLength { get; init; }
    /// <summary>Epsilon of RMSNorm.</summary>
    public required float RmsEpsilon { get; init; }
    /// <summary>RoPE base frequency (default 10000).</summary>
    public required float RopeFreqBase { get; init; }
    /// <summary>Number of dimensions of each head that RoPE rotates.</summary>
    public required int RopeDimensionCount { get; init; }
    /// <summary>RoPE frequency scale: 1 / the linear scaling factor (1 when unscaled).</summary>
    public required float RopeFreqScale { get; init; }
    /// <summary>Context length RoPE scaling was computed for (<c>rope.scaling.original_context_length</c>, else the trained context).</summary>
    public required int RopeOriginalContextLength { get; init; }
    /// <summary>Which dimension pairs RoPE rotates (NORM for llama, NEOX for qwen2, as llama.cpp).</summary>
    public required RopeStyle RopeStyle { get; init; }
    /// <summary>Context length the model was trained with.</summary>
    public required int TrainedContextLength { get; init; }
    /// <summary>Number of tokens in the vocabulary (rows of token_embd).</summary>
    public required int VocabSize { get; init; }

    /// <summary>Query width: heads × key length.</summary>
    public int QueryLength => HeadCount * KeyLength;
    /// <summary>Key width per position: KV heads × key length.</summary>
    public int KeyValueKeyLength => HeadCountKv * KeyLength;
    /// <summary>Value width per position: KV heads × value length.</summary>
    public int KeyValueValueLength => HeadCountKv * ValueLength;

    /// <summary>Reads the configuration of the model in <paramref name="file"/>; throws with the offending key when it cannot.</summary>
    internal static ModelConfig FromGguf(GgufFile file)
    {
        var md = file.Metadata;
        string arch = md.RequireString("general.architecture");
        var style = arch switch
        {
            "llama" => RopeStyle.Norm,
            "qwen2" => RopeStyle.Neox,
            _ => throw new NotSupportedException(
                $"model architecture '{arch}' is not supported; supported: {string.Join(", ", SupportedArchitectures)}"),
        };

        int embd = Positive($"{arch}.embedding_length", md.RequireInteger($"{arch}.embedding_length"));
        int heads = Positive($"{arch}.attention.head_count", md.RequireInteger($"{arch}.attention.head_count"));
        int kvHeads = Positive($"{arch}.attention.head_count_kv", md.GetInteger($"{arch}.attention.head_count_kv") ?? heads);
        if (heads % kvHeads != 0)
            throw new InvalidDataException($"{arch}.attention.head_count ({heads}) is not a multiple of head_count_kv ({kvHeads})");
        if (embd % heads != 0 && (md.GetInteger($"{arch}.attention.key_length") is null || md.GetInteger($"{arch}.attention.value_length") is null))
            throw new InvalidDataException($"{arch}.embedding_length ({embd}) is not a multiple of head_count ({heads}) and the key/value lengths are not given");
        int keyLength = Positive($"{arch}.attention.key_length", md.GetInteger($"{arch}.attention.key_length") ?? embd / heads);
        int valueLength = Positive($"{arch}.attention.value_length", md.GetInteger($"{arch}.attention.value_length") ?? embd / heads);
        int ropeDims = Positive($"{arch}.rope.dimension_count", md.GetInteger($"{arch}.rope.dimension_count") ?? keyLength);
        if (ropeDims > keyLength || ropeDims % 2 != 0)
            throw new InvalidDataException($"{arch}.rope.dimension_count ({ropeDims}) must be even and at most the key length ({keyLength})");

        var embedding = file.FindTensor("token_embd.weight")
            ?? throw new InvalidDataException("model is missing tensor 'token_embd.weight'");
        if (embedding.Dimensions.Count != 2 || embedding.Dimensions[0] != embd)
            throw new InvalidDataException($"tensor 'token_embd.weight' has shape [{string.Join(", ", embedding.Dimensions)}], expected [{embd}, vocab]");

        int trained = Positive($"{arch}.context_length", md.RequireInteger($"{arch}.context_length"));
        return new ModelConfig
        {
            Architecture = arch,
            BlockCount = Positive($"{arch}.block_count", md.RequireInteger($"{arch}.block_count")),
            EmbeddingLength = embd,
            FeedForwardLength = Positive($"{arch}.feed_forward_length", md.RequireInteger($"{arch}.feed_forward_length")),
            HeadCount = heads,
            HeadCountKv = kvHeads,
            KeyLength = keyLength,
            ValueLength = valueLength,
            RmsEpsilon = (float)(md.GetNumber($"{arch}.attention.layer_norm_rms_epsilon")
                ?? throw new InvalidDataException($"model metadata is missing '{arch}.attention.layer_norm_rms_epsilon'")),
            RopeFreqBase = (float)(md.GetNumber($"{arch}.rope.freq_base") ?? 10000.0),
            RopeDimensionCount = ropeDims,
            RopeFreqScale = RopeScale(md, arch),
            RopeStyle = style,
            TrainedContextLength = trained,
            RopeOriginalContextLength = Positive($"{arch}.rope.scaling.original_context_length",
                md.GetInteger($"{arch}.rope.scaling.original_context_length") ?? trained),
            VocabSize = checked((int)embedding.Dimensions[1]),
        };
    }

    private static float RopeScale(GgufMetadata md, string arch)
    {
        // As llama.cpp: the scaling type defaults to linear; "none" never scales; the factor may also come
        // from the older rope.scale_linear key.
        string type = md.GetString($"{arch}.rope.scaling.type") ?? "linear";
        if (type == "none") return 1f;
        if (type != "linear")
            throw new NotSupportedException($"{arch}.rope.scaling.type '{type}' is not supported; supported: none, linear");
        double factor = md.GetNumber($"{arch}.rope.scaling.factor") ?? md.GetNumber($"{arch}.rope.scale_linear") ?? 0.0;
        if (factor < 0 || double.IsNaN(factor)) throw new InvalidDataException($"{arch}.rope.scaling.factor must be positive, got {factor}");
        return factor == 0 ? 1f : (float)(1.0 / factor);
    }

    private static int Positive(string key, long value) =>
        value is > 0 and <= int.MaxValue ? (int)value
        : throw new InvalidDataException($"model metadata '{key}' must be a positive 32-bit integer, got {value}");
}

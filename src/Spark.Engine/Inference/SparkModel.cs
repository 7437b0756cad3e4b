using System.Text.Json.Nodes;
using Spark.Engine.Gguf;
using Spark.Engine.Kernels;
using Spark.Engine.Kernels.Quantized;
using Spark.Engine.Models;
using Spark.Engine.Templates;
using Spark.Engine.Threading;
using Spark.Engine.Tokenization;

namespace Spark.Engine.Inference;

/// <summary>
/// A GGUF language model loaded for inference (llama or qwen2 architecture). Weights stay memory-mapped;
/// create one <see cref="InferenceSession"/> per conversation. Sessions of one model share its worker threads,
/// so their steps run one at a time.
/// </summary>
public sealed class SparkModel : IDisposable
{
    private readonly GgufFile _file;
    private readonly WorkerPool _pool;
    private readonly Transformer _transformer;
    private bool _disposed;

    private readonly bool _exactArithmetic;
    private readonly KvCacheType _cacheType;
    private readonly Lazy<Tokenizer> _tokenizer;
    private ChatPromptFormatter? _chatFormatter;

    private SparkModel(GgufFile file, WorkerPool pool, Transformer transformer, int contextLength, bool exactArithmetic, KvCacheType cacheType)
    {
        _cacheType = exactArithmetic ? KvCacheType.F32 : cacheType;
        _exactArithmetic = exactArithmetic;
        _file = file;
        _pool = pool;
        _transformer = transformer;
        ContextLength = contextLength;
        _tokenizer = new Lazy<Tokenizer>(() => Tokenizer.FromGguf(file.Metadata));
    }

    /// <summary>
    /// Opens the GGUF file at <paramref name="path"/>, reads its configuration and checks every tensor the forward pass
    /// needs. Throws <see cref="NotSupportedException"/> for an unsupported architecture or tensor type and
    /// <see cref="InvalidDataException"/> for a missing or mis-shaped tensor, naming it.
    /// </summary>
    public static SparkModel Load(string path, ModelLoadOptions? options = null)
    {
        options ??= new ModelLoadOptions();
        int threads = options.Threads ?? Environment.ProcessorCount;
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(options), threads, "Threads must be at least 1");
        if (options.ContextLength is < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.ContextLength, "ContextLength must be at least 1");

        var kernels = MatVecKernels.For(options.Kernels == KernelPath.Auto ? KernelsFromEnvironment() : options.Kernels);
        var file = GgufFile.Open(path);
        WorkerPool? pool = null;
        try
        {
            pool = new WorkerPool(threads);
            var transformer = new Transformer(file, pool);
            transformer.Weights.UseKernels(kernels);
            if (!Enum.IsDefined(options.KvCacheType))
                throw new ArgumentOutOfRangeException(nameof(options), options.KvCacheType, "KvCacheType must be F16 or F32");
            int context = options.ContextLength
                ?? Math.Min(transformer.Config.TrainedContextLength, ModelLoadOptions.DefaultMaxContextLength);
            return new SparkModel(file, pool, transformer, context, options.ExactArithmetic, options.KvCacheType);
        }
        catch
        {
            pool?.Dispose();
            file.Dispose();
            throw;
        }
    }

    /// <summary>The environment variable that picks the kernels when <see cref="ModelLoadOptions.Kernels"/> is Auto.</summary>
    public const string KernelsVariable = "SPARK_KERNELS";

    private static KernelPath KernelsFromEnvironment()
    {
        string? value = Environment.GetEnvironmentVariable(KernelsVariable);
        if (string.IsNullOrWhiteSpace(value)) return KernelPath.Auto;
        return Enum.TryParse<KernelPath>(value.Trim(), ignoreCase: true, out var path) && Enum.IsDefined(path)
            ? path
            : throw new ArgumentException($"{KernelsVariable}={value} is not a kernel path; use auto, scalar, avx2 or avx512");
    }

    /// <summary>The model's hyper-parameters as its metadata states them.</summary>
    public ModelConfig Config => _transformer.Config;

    /// <summary>The architecture name (<c>general.architecture</c>).</summary>
    public string Architecture => _transformer.Config.Architecture;

    /// <summary>Number of tokens in the vocabulary; logits have this length.</summary>
    public int VocabSize => _transformer.Config.VocabSize;

    /// <summary>Positions each session can hold.</summary>
    public int ContextLength { get; }

    /// <summary>Worker threads used by the forward pass.</summary>
    public int Threads => _pool.WorkerCount;

    /// <summary>The matrix-vector kernels in use, e.g. <c>avx512</c>, <c>avx2+vnni</c> or <c>scalar</c>.</summary>
    public string Kernels => _transformer.Weights.Output.Kernels.Name;

    /// <summary>True when the output projection reuses the token embedding (no <c>output.weight</c>).</summary>
    public bool TiedEmbeddings => _transformer.Weights.TiedEmbeddings;

    /// <summary>
    /// The model's tokenizer, built from its GGUF metadata on first use; throws <see cref="TokenizerException"/>
    /// when the file has no usable vocabulary.
    /// </summary>
    public Tokenizer Tokenizer => _tokenizer.Value;

    /// <summary>The chat template the file carries (<c>tokenizer.chat_template</c>), or null.</summary>
    public string? ChatTemplate => _file.Metadata.GetString("tokenizer.chat_template");

    /// <summary>
    /// Renders <paramref name="messages"/> (objects with <c>role</c> and <c>content</c>, and <c>tool_calls</c> /
    /// <c>tool_call_id</c> where the template reads them) and <paramref name="tools"/> (Hugging Face's
    /// <c>{type:"function", function:{…}}</c> list) with the model's chat template, or with the built-in ChatML format
    /// when the model has no template or one Spark cannot render — reported once through <paramref name="warn"/>.
    /// </summary>
    public string FormatChat(JsonArray messages, bool addGenerationPrompt = true, Action<string>? warn = null, JsonArray? tools = null)
    {
        var tokenizer = Tokenizer;
        _chatFormatter ??= new ChatPromptFormatter(ChatTemplate,
            tokenizer.BosId is int bos ? tokenizer.TokenText(bos) : "",
            tokenizer.EosId is int eos ? tokenizer.TokenText(eos) : "",
            warn);
        return _chatFormatter.Format(messages, addGenerationPrompt, tools);
    }

    /// <summary>
    /// Creates a session with its own KV cache of <see cref="ContextLength"/> positions and every buffer a decode step
    /// needs, so decoding allocates nothing.
    /// </summary>
    public InferenceSession CreateSession()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new InferenceSession(this, _transformer, new ForwardState(_transformer.Config, ContextLength, _cacheType, roundActivations: !_exactArithmetic, _pool.WorkerCount));
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Stops the worker threads and unmaps the file; sessions of this model cannot be used afterwards.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _pool.Dispose();
        _file.Dispose();
    }
}

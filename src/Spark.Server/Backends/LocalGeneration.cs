using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Spark.Engine.Inference;
using Spark.Engine.Inference.Constraints;
using Spark.Engine.Tokenization;

namespace Spark.Server.Backends;

/// <summary>
/// One queued or running generation of the <see cref="LocalEngineBackend"/>. The engine thread writes token ids into
/// a channel; the request's side reads them and detokenizes (off the engine thread), one reused buffer for the text.
/// </summary>
internal sealed class LocalGeneration : IGeneration
{
    private readonly Channel<int> _tokens = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _cancellation;
    private readonly StreamingDecoder _decoder;
    private readonly char[] _text;
    private GenerationOutcome? _outcome;
    private bool _flushed;

    private readonly List<int> _generated = new(256);

    public LocalGeneration(string promptText, int[] prompt, SamplerOptions sampling, int maxOutputTokens, Tokenizer tokenizer,
        CancellationToken cancellationToken, TokenConstraint? constraint = null)
    {
        PromptText = promptText;
        Constraint = constraint;
        Prompt = prompt;
        Sampling = sampling;
        MaxOutputTokens = maxOutputTokens;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Cancellation = _cancellation.Token; // kept: the engine may still look at it after Dispose
        _decoder = new StreamingDecoder(tokenizer);
        _text = new char[_decoder.MaxCharsPerToken];
        QueuedAt = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    /// <summary>When the generation was queued (stopwatch ticks): time to first token counts from here.</summary>
    public long QueuedAt { get; }

    public string PromptText { get; }
    public int[] Prompt { get; }
    public SamplerOptions Sampling { get; }
    public int MaxOutputTokens { get; }

    /// <summary>The grammar the output must follow (a required tool call), or null.</summary>
    public TokenConstraint? Constraint { get; }

    /// <summary>Fires when the client went away or the reader disposed the generation.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>Engine side: a new token.</summary>
    public void Emit(int token)
    {
        _generated.Add(token);
        _tokens.Writer.TryWrite(token);
    }

    /// <summary>Engine side: the end.</summary>
    public void Finish(GenerationOutcome outcome)
    {
        _outcome = outcome;
        _tokens.Writer.TryComplete();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<GenerationStep> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            while (_tokens.Reader.TryRead(out int token))
            {
                int length = _decoder.Append(token, _text);
                if (length > 0) return GenerationStep.OfText(_text.AsMemory(0, length));
            }
            if (await _tokens.Reader.WaitToReadAsync(cancellationToken)) continue;
            if (!_flushed)
            {
                _flushed = true;
                int length = _decoder.Flush(_text);
                if (length > 0) return GenerationStep.OfText(_text.AsMemory(0, length));
            }
            return GenerationStep.Finished(_outcome!);
        }
    }

    /// <inheritdoc />
    public GenerationContinuation? Continuation(string outputText) =>
        _outcome is null ? null : new GenerationContinuation(PromptText, [.. Prompt, .. _generated], outputText);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _cancellation.Cancel();
        _cancellation.Dispose();
    }

    private int _disposed;
}

using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Spark.Engine.Inference;
using Spark.Engine.Inference.Constraints;
using Spark.Server.Tools;
using Spark.Server.Errors;

namespace Spark.Server.Backends;

/// <summary>
/// Serves one <see cref="SparkModel"/>. Requests are rendered with the model's chat template and tokenized on the
/// caller's thread, then queued; one engine thread runs them first come, first served, one at a time, reusing the
/// KV cache of the session whose tokens share the longest prefix with the prompt. A generation stops between two
/// tokens when its client goes away; a queued one whose client left never runs.
/// </summary>
public sealed class LocalEngineBackend : IModelBackend, IDisposable
{
    private const int PrefillChunk = 256; // cancellation is checked between chunks of a long prompt

    private readonly SparkModel _model;
    private readonly ILogger _logger;
    private readonly BlockingCollection<LocalGeneration> _queue = new(new ConcurrentQueue<LocalGeneration>());
    private readonly KvSessionPool _sessions;
    private readonly Thread _engineThread;
    private readonly Lock _templateLock = new();
    private bool _templateWarned;

    /// <summary>Serves <paramref name="model"/> as <paramref name="modelId"/>, keeping up to <paramref name="cachedSessions"/> KV caches.</summary>
    public LocalEngineBackend(SparkModel model, string modelId, ILogger logger, int cachedSessions = 4)
    {
        _model = model;
        _logger = logger;
        ModelId = modelId;
        CreatedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        _sessions = new KvSessionPool(model, cachedSessions);
        _engineThread = new Thread(RunEngine) { IsBackground = true, Name = "spark-engine" };
        _engineThread.Start();
    }

    /// <inheritdoc />
    public string ModelId { get; }

    /// <inheritdoc />
    public int ContextLength => _model.ContextLength;

    /// <inheritdoc />
    public long CreatedAt { get; }

    /// <inheritdoc />
    public int QueueDepth => _queue.Count;

    /// <inheritdoc />
    public Metrics.GenerationMetrics Metrics { get; } = new();

    /// <summary>Raised on the engine thread when a generation ends (tests and metrics listen).</summary>
    internal event Action<GenerationOutcome>? GenerationFinished;

    /// <summary>
    /// Runs one dummy token through a session so the kernels are compiled and the weights paged in before the first
    /// request, then forgets it.
    /// </summary>
    public void WarmUp()
    {
        var session = _model.CreateSession();
        int token = _model.Tokenizer.BosId ?? 0;
        session.Prefill([token]);
        session.Decode(token);
    }

    /// <inheritdoc />
    public IGeneration Start(GenerationRequest request, CancellationToken cancellationToken)
    {
        var (promptText, prompt) = Prompt(request);
        var sampling = new SamplerOptions
        {
            Temperature = request.Temperature ?? new SamplerOptions().Temperature,
            TopP = request.TopP ?? new SamplerOptions().TopP,
            Seed = request.Seed,
        };
        try
        {
            sampling.Validate();
        }
        catch (ArgumentException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
        var generation = new LocalGeneration(promptText, prompt, sampling, request.MaxOutputTokens ?? int.MaxValue, _model.Tokenizer, cancellationToken,
            Constraint(request.Tools));
        _queue.Add(generation, CancellationToken.None);
        return generation;
    }

    /// <summary>The call syntax this model's template teaches (what a required call is constrained to).</summary>
    public ToolCallFormat ToolCallFormat => ToolPrompt.FormatFor(_model.ChatTemplate);

    // a required or named tool call: decoding follows a grammar of one call whose arguments match the schema
    private TokenConstraint? Constraint(ToolOptions tools)
    {
        if (!tools.Constrained) return null;
        var signatures = new List<ToolSignature>();
        foreach (var tool in tools.Tools)
        {
            if (tools.Choice == ToolChoiceMode.Named && tool.Name != tools.ForcedName) continue;
            try
            {
                signatures.Add(new ToolSignature(tool.Name, SchemaNode.Compile(tool.Parameters)));
            }
            catch (ArgumentException e)
            {
                throw ApiException.BadRequest($"The parameters of tool '{tool.Name}' are not a usable JSON Schema: {e.Message}", "tools", "invalid_value");
            }
        }
        if (signatures.Count > 64)
            throw ApiException.BadRequest($"'tool_choice' requires a call but {signatures.Count} tools were given; at most 64 can be constrained at once.", "tools", "invalid_value");
        return new TokenConstraint(_model.Tokenizer, new ToolCallGrammar(ToolCallFormat, signatures));
    }

    /// <summary>
    /// The rendered, tokenized prompt of <paramref name="request"/>; with <see cref="ContextOverflow.DropOldest"/> the
    /// oldest turns are dropped until it fits with room for the output. Throws a 400 when it cannot fit.
    /// </summary>
    private (string Text, int[] Tokens) Prompt(GenerationRequest request)
    {
        var turns = request.Messages;
        bool prefillOnly = request.MaxOutputTokens == 0;
        var rendered = Tokenize(turns, request.Tools, request.ContinueFrom, prefillOnly);
        if (request.Overflow != ContextOverflow.DropOldest)
        {
            if (rendered.Tokens.Length < ContextLength) return rendered;
            string hint = request.Overflow == ContextOverflow.ErrorSuggestingTruncation
                ? "send truncation: \"auto\" to drop the oldest input items, shorten the input,"
                : "shorten the input";
            throw ContextExceeded($"The prompt is {rendered.Tokens.Length} tokens but the model's context holds {ContextLength} (prompt and output together); {hint} or start the server with a larger --ctx.");
        }

        // room for the answer: the request's limit, at most a quarter of the context (1K tokens when unlimited)
        int budget = ContextLength - Math.Min(request.MaxOutputTokens is int max and > 0 ? max : 1024, ContextLength / 4);
        if (rendered.Tokens.Length <= budget) return rendered;
        var fit = ContextTruncation.Fit(turns, t => Tokenize(t, request.Tools, null, prefillOnly) is var r && r.Tokens.Length <= budget ? new Rendered(r.Text, r.Tokens) : null)
            ?? ContextTruncation.Fit(turns, t => Tokenize(t, request.Tools, null, prefillOnly) is var r && r.Tokens.Length < ContextLength ? new Rendered(r.Text, r.Tokens) : null);
        if (fit is not { } kept)
        {
            if (rendered.Tokens.Length < ContextLength) return rendered; // nothing can be dropped, but it fits with less room to answer
            throw ContextExceeded($"The prompt is {rendered.Tokens.Length} tokens but the model's context holds {ContextLength}, and truncation: \"auto\" cannot drop enough: the instructions, developer messages and the latest user message are always kept. Shorten them or start the server with a larger --ctx.");
        }
        Hosting.ServerLog.Truncated(_logger, kept.DroppedTurns, turns.Count, rendered.Tokens.Length, kept.Result.Tokens.Length, ContextLength);
        return (kept.Result.Text, kept.Result.Tokens);
    }

    private sealed record Rendered(string Text, int[] Tokens);

    private static ApiException ContextExceeded(string message) => ApiException.BadRequest(message, param: "input", code: "context_length_exceeded");

    private (string Text, int[] Tokens) Tokenize(IReadOnlyList<ChatTurn> turns, ToolOptions tools, GenerationContinuation? continueFrom, bool prefillOnly = false)
    {
        string text = prefillOnly && turns.Count > 0 && turns[^1].Role is not ("user" or "tool")
            ? RenderUpToTheNextUserMessage(turns, tools)
            : Render(turns, tools, addGenerationPrompt: true);
        var tokenizer = _model.Tokenizer;
        if (continueFrom is not null && ContinuationEnd(text, continueFrom) is int end)
        {
            // the earlier generation's exact tokens, then only the new text (the end of its turn, the new messages)
            return (text, [.. continueFrom.Tokens, .. tokenizer.Encode(text[end..], addSpecial: false, parseSpecial: true)]);
        }
        int[] ids = tokenizer.Encode(text, addSpecial: true, parseSpecial: true);
        if (ids.Length >= 2 && ids[0] == tokenizer.BosId && ids[1] == tokenizer.BosId) ids = ids[1..]; // the template wrote BOS itself
        if (ids.Length == 0) throw ApiException.BadRequest("The conversation rendered to an empty prompt; send at least one message with text.", "input");
        return (text, ids);
    }

    private string Render(IReadOnlyList<ChatTurn> turns, ToolOptions tools, bool addGenerationPrompt)
    {
        var (array, toolsArray) = ToolPrompt.Build(turns, tools, ToolPrompt.TemplateHandlesTools(_model.ChatTemplate));
        lock (_templateLock)
        {
            // merged after the tools block went into the first system message, so a prewarm of the instructions and
            // the turn that adds developer messages after them still share instructions + tools as their prefix
            _keepsOneSystemMessage ??= SystemTurns.TemplateKeepsOnlyOne(m => _model.FormatChat(m, addGenerationPrompt: true, warn: WarnOnce));
            if (_keepsOneSystemMessage == true) array = SystemTurns.MergeLeading(array);
            return _model.FormatChat(array, addGenerationPrompt, warn: WarnOnce, tools: toolsArray);
        }
    }

    private bool? _keepsOneSystemMessage; // probed once, under the template lock

    private const string NextUserMarker = "SPARKNEXTUSERMESSAGEa7f3";

    /// <summary>
    /// A prewarm (a client's <c>generate: false</c>, e.g. Codex's instructions before the first user message) is cached
    /// as the text up to where the next user message's content starts — what the next turn's prompt begins with —
    /// rather than with an assistant header the next turn will not have; templates that put the system prompt inside
    /// the first user turn (Llama 2's) would otherwise render nothing at all. Found by rendering a placeholder user
    /// message and cutting there.
    /// </summary>
    private string RenderUpToTheNextUserMessage(IReadOnlyList<ChatTurn> turns, ToolOptions tools)
    {
        string text = Render([.. turns, new ChatTurn("user", NextUserMarker)], tools, addGenerationPrompt: false);
        int at = text.IndexOf(NextUserMarker, StringComparison.Ordinal);
        return at > 0 ? text[..at] : Render(turns, tools, addGenerationPrompt: false);
    }

    /// <summary>
    /// Where the continued generation's output ends in <paramref name="text"/>: it must start with that generation's
    /// prompt, followed by its output — verbatim, or trimmed and after whitespace, as templates that trim content
    /// (Llama's) render it. Null when the text does not continue it.
    /// </summary>
    private static int? ContinuationEnd(string text, GenerationContinuation from)
    {
        if (!text.StartsWith(from.PromptText, StringComparison.Ordinal)) return null;
        var after = text.AsSpan(from.PromptText.Length);
        if (after.StartsWith(from.OutputText, StringComparison.Ordinal) && after.Length > from.OutputText.Length)
            return from.PromptText.Length + from.OutputText.Length;
        var output = from.OutputText.AsSpan().Trim();
        var trimmed = after.TrimStart();
        if (trimmed.StartsWith(output, StringComparison.Ordinal) && trimmed.Length > output.Length)
            return text.Length - trimmed.Length + output.Length;
        return null;
    }

    private void WarnOnce(string message)
    {
        if (_templateWarned) return;
        _templateWarned = true;
        Hosting.ServerLog.ChatTemplateWarning(_logger, message);
    }

    private void RunEngine()
    {
        foreach (var generation in _queue.GetConsumingEnumerable())
        {
            long startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            var outcome = Run(generation);
            long finishedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            // reported in usage so a client can tell transport overhead from engine time (spark bench latency)
            var timing = Spark.Protocol.Responses.SparkTiming.Of(startedAt - generation.QueuedAt, finishedAt - startedAt);
            outcome = outcome with { Timing = outcome.Timing is { } steps ? steps with { QueueMs = timing.QueueMs, ComputeMs = timing.ComputeMs } : timing };
            Metrics.RecordFinished(outcome.PromptTokens, outcome.CachedTokens, outcome.OutputTokens);
            GenerationFinished?.Invoke(outcome); // before the client can see the end, so a listener never hears a finished request late
            generation.Finish(outcome);
        }
    }

    private GenerationOutcome Run(LocalGeneration generation)
    {
        int[] prompt = generation.Prompt;
        var cancel = generation.Cancellation;
        if (cancel.IsCancellationRequested) return new GenerationOutcome(FinishReason.Cancelled, prompt.Length, 0, 0);

        var (session, cached) = _sessions.Acquire(prompt);
        Metrics.KvSessions = _sessions.Count;
        int produced = 0;
        long firstTokenAt = 0, lastTokenAt = 0;
        long forwardTicks = 0, pendingForwardTicks = 0; // forward passes between the first and last token; the pending one counts once a token follows it
        try
        {
            for (int start = cached; start < prompt.Length; start += PrefillChunk)
            {
                if (cancel.IsCancellationRequested) return new GenerationOutcome(FinishReason.Cancelled, prompt.Length, cached, 0);
                session.Prefill(prompt.AsSpan(start, Math.Min(PrefillChunk, prompt.Length - start)));
            }
            if (generation.MaxOutputTokens == 0) return Outcome(FinishReason.Stop); // a prewarm: the prompt is cached now
            var sampler = new Sampler(generation.Sampling, _model.VocabSize);
            foreach (int token in prompt) sampler.Accept(token);
            var tokenizer = _model.Tokenizer;
            var logits = session.Session.Logits;
            var constraint = generation.Constraint;
            while (true)
            {
                if (constraint is { IsComplete: true }) return Outcome(FinishReason.Stop);
                int token = sampler.Sample(constraint is null ? logits : constraint.Mask(logits));
                if (tokenizer.IsEndOfGeneration(token)) return Outcome(FinishReason.Stop);
                constraint?.Accept(token);
                generation.Emit(token);
                long now = System.Diagnostics.Stopwatch.GetTimestamp();
                if (produced == 0)
                {
                    Metrics.TimeToFirstToken.Record(now - generation.QueuedAt);
                    firstTokenAt = now;
                }
                else
                {
                    Metrics.InterTokenLatency.Record(now - lastTokenAt);
                    forwardTicks += pendingForwardTicks;
                }
                pendingForwardTicks = 0;
                lastTokenAt = now;
                produced++;
                sampler.Accept(token);
                if (produced >= generation.MaxOutputTokens) return Outcome(FinishReason.MaxOutputTokens);
                if (session.Session.Position + 1 >= ContextLength) return Outcome(FinishReason.ContextLength); // prompt + output fill the context
                if (cancel.IsCancellationRequested) return Outcome(FinishReason.Cancelled);
                long forwardFrom = System.Diagnostics.Stopwatch.GetTimestamp();
                logits = session.Decode(token);
                pendingForwardTicks += System.Diagnostics.Stopwatch.GetTimestamp() - forwardFrom;
            }
        }
        catch (Exception e)
        {
            session.Forget();
            Hosting.ServerLog.GenerationFailed(_logger, e);
            return new GenerationOutcome(FinishReason.Failed, prompt.Length, cached, produced, e);
        }

        // the per-step timing a client sets against the deltas it timed (spark bench latency's per-token overhead)
        GenerationOutcome Outcome(FinishReason reason) => new(reason, prompt.Length, cached, produced)
        {
            Timing = produced < 2 ? null : new Spark.Protocol.Responses.SparkTiming(0, 0)
            {
                DecodeSteps = produced - 1,
                DecodeForwardMs = forwardTicks * 1000.0 / System.Diagnostics.Stopwatch.Frequency,
                DecodeSpanMs = (lastTokenAt - firstTokenAt) * 1000.0 / System.Diagnostics.Stopwatch.Frequency,
            },
        };
    }

    /// <summary>Stops the engine thread after the running generation; queued ones end cancelled.</summary>
    public void Dispose()
    {
        _queue.CompleteAdding();
        _engineThread.Join(TimeSpan.FromSeconds(10));
        while (_queue.TryTake(out var left)) left.Finish(new GenerationOutcome(FinishReason.Cancelled, left.Prompt.Length, 0, 0));
    }
}

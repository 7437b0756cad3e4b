using System.Text;
using Spark.Server.Backends;
using Spark.Server.Errors;
using Spark.Server.Tools;

namespace Spark.Server.Routing;

/// <summary>
/// A fast model's generation that moves to the full model when it fails before anything reached the client, so the
/// client has seen nothing and nothing is sent twice. Two failures count: the generation failing before its first
/// step, and a tool call the server can see is broken (<see cref="ToolArgumentsCheck"/>: not an offered tool,
/// arguments not a JSON object, or not matching a strict schema). While nothing has been forwarded, a reported
/// call is held back (its argument deltas too) until it is complete and checked; the first broken call retries the
/// turn on the same model, a second one moves it to the full model. At most one move; the outcome then carries the
/// full model's alias and the reason, which the response shows as <c>model</c> and <c>metadata.spark_escalated</c>.
/// A broken call after text or another call was forwarded goes to the client as the model wrote it, as it would
/// without escalation: retrying then would repeat or contradict output the user already saw.
/// </summary>
internal sealed class EscalatingGeneration(IGeneration inner, (IModelBackend From, IModelBackend To)? escalation, GenerationRequest request,
    CancellationToken startToken, ModelRouter router) : IGeneration
{
    private IGeneration _current = inner;
    private bool _forwarded;
    private bool _retried;
    private readonly Queue<GenerationStep> _ready = new();
    private string? _heldCall; // the tool of the call being held back
    private readonly StringBuilder _heldArguments = new();

    /// <summary>The model the turn moved to, once it moved.</summary>
    public string? EscalatedTo { get; set; }

    /// <summary>Why it moved.</summary>
    public string? Reason { get; set; }

    // the reader picks its tool-call parsing once, before any step: parse text unless both models report calls themselves
    public bool ReportsToolCalls => _current.ReportsToolCalls && (escalation is not { } e || e.To is UpstreamBackend);

    // calls are checked only while a retry or move is still possible and the model reports them as calls (a local
    // model's text is parsed by the reader, where a call that does not parse stays text)
    private bool Checking => !_forwarded && EscalatedTo is null && escalation is not null && _current.ReportsToolCalls;

    public async ValueTask<GenerationStep> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_ready.TryDequeue(out var ready))
            {
                _forwarded = true;
                return ready;
            }
            var step = await _current.NextAsync(cancellationToken);
            if (!_forwarded && EscalatedTo is null && escalation is { } e
                && step.Kind == GenerationStepKind.Finished && step.Outcome!.Reason == FinishReason.Failed)
            {
                if (await MoveAsync(e.To, $"{e.From.ModelId} -> {e.To.ModelId}: {step.Outcome.Error?.Message}") is { } failed)
                    return GenerationStep.Finished(step.Outcome with { Error = new UpstreamException($"{step.Outcome.Error?.Message}; {failed}") });
                continue;
            }
            if (Checking && _heldCall is null && step.Kind == GenerationStepKind.ToolCallStart)
            {
                _heldCall = step.Name;
                _heldArguments.Clear();
                continue;
            }
            if (_heldCall is not null && step.Kind == GenerationStepKind.ToolCallArguments)
            {
                _heldArguments.Append(step.Text.Span);
                continue;
            }
            if (_heldCall is not null && step.Kind == GenerationStepKind.ToolCallDone)
            {
                string arguments = step.Text.ToString();
                _heldCall = null;
                if (ToolArgumentsCheck.Problem(request.Tools, step.Name!, arguments) is not { } problem)
                {
                    // the checked call goes out whole: its start, all its arguments as one delta, its end
                    _ready.Enqueue(GenerationStep.OfToolCallStart(step.Name!));
                    _ready.Enqueue(GenerationStep.OfToolCallArguments(arguments.AsMemory()));
                    _ready.Enqueue(GenerationStep.OfToolCallDone(step.Name!, arguments));
                    continue;
                }
                var (from, to) = escalation!.Value;
                string? failure;
                if (!_retried)
                {
                    _retried = true;
                    router.Retried(from, $"a broken tool call: {problem}");
                    failure = await RestartAsync(from);
                    if (failure is null) continue;
                    problem += $"; the retry could not start: {failure}";
                }
                else problem += " (twice)";
                failure = await MoveAsync(to, $"{from.ModelId} -> {to.ModelId}: {problem}");
                if (failure is null) continue;
                return GenerationStep.Finished(new GenerationOutcome(FinishReason.Failed, 0, 0, 0, new UpstreamException($"Model '{from.ModelId}' wrote a broken tool call: {problem}; {failure}")));
            }
            if (step.Kind != GenerationStepKind.Finished)
            {
                _forwarded = true;
                return step;
            }
            return EscalatedTo is null ? step : GenerationStep.Finished(step.Outcome! with { Model = EscalatedTo, Escalation = Reason });
        }
    }

    /// <summary>Moves the turn to <paramref name="to"/>; null when it started, otherwise why not.</summary>
    private async ValueTask<string?> MoveAsync(IModelBackend to, string reason)
    {
        router.Escalated(escalation!.Value.From, to, reason);
        string? failure = await RestartAsync(to);
        if (failure is not null) return $"escalation to '{to.ModelId}' failed too: {failure}";
        EscalatedTo = to.ModelId;
        Reason = reason;
        return null;
    }

    /// <summary>Starts the turn again on <paramref name="model"/>, replacing the current generation; null when it started.</summary>
    private async ValueTask<string?> RestartAsync(IModelBackend model)
    {
        IGeneration next;
        try
        {
            next = await model.StartAsync(request, startToken);
        }
        catch (ApiException failed)
        {
            return failed.Message;
        }
        _current.Dispose();
        _current = next;
        _heldCall = null;
        return null;
    }

    public GenerationContinuation? Continuation(string outputText) => EscalatedTo is null ? _current.Continuation(outputText) : null;

    public void Dispose() => _current.Dispose();
}

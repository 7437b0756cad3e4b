using Spark.Server.Backends;
using Spark.Server.Errors;

namespace Spark.Server.Routing;

/// <summary>
/// A fast model's generation that moves to the full model when it fails before anything reached the client: its
/// first step is a failure, so the client has seen no text and nothing is sent twice. At most one move; the
/// outcome then carries the full model's alias and the reason, which the response shows as <c>model</c> and
/// <c>metadata.spark_escalated</c>.
/// </summary>
internal sealed class EscalatingGeneration(IGeneration inner, (IModelBackend From, IModelBackend To)? escalation, GenerationRequest request,
    CancellationToken startToken, ModelRouter router) : IGeneration
{
    private IGeneration _current = inner;
    private bool _forwarded;

    /// <summary>The model the turn moved to, once it moved.</summary>
    public string? EscalatedTo { get; set; }

    /// <summary>Why it moved.</summary>
    public string? Reason { get; set; }

    // the reader picks its tool-call parsing once, before any step: parse text unless both models report calls themselves
    public bool ReportsToolCalls => _current.ReportsToolCalls && (escalation is not { } e || e.To is UpstreamBackend);

    public async ValueTask<GenerationStep> NextAsync(CancellationToken cancellationToken)
    {
        var step = await _current.NextAsync(cancellationToken);
        if (!_forwarded && EscalatedTo is null && escalation is { } e
            && step.Kind == GenerationStepKind.Finished && step.Outcome!.Reason == FinishReason.Failed)
        {
            string reason = $"{e.From.ModelId} -> {e.To.ModelId}: {step.Outcome.Error?.Message}";
            router.Escalated(e.From, e.To, reason);
            IGeneration next;
            try
            {
                next = await e.To.StartAsync(request, startToken);
            }
            catch (ApiException failed)
            {
                return GenerationStep.Finished(step.Outcome with { Error = new UpstreamException($"{step.Outcome.Error?.Message}; escalation to '{e.To.ModelId}' failed too: {failed.Message}") });
            }
            _current.Dispose();
            _current = next;
            EscalatedTo = e.To.ModelId;
            Reason = reason;
            step = await _current.NextAsync(cancellationToken);
        }
        if (step.Kind != GenerationStepKind.Finished)
        {
            _forwarded = true;
            return step;
        }
        return EscalatedTo is null ? step : GenerationStep.Finished(step.Outcome! with { Model = EscalatedTo, Escalation = Reason });
    }

    public GenerationContinuation? Continuation(string outputText) => EscalatedTo is null ? _current.Continuation(outputText) : null;

    public void Dispose() => _current.Dispose();
}

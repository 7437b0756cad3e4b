namespace Spark.Server.Backends;

/// <summary>
/// Something that generates text for a conversation: the local engine (<see cref="LocalEngineBackend"/>) or, later,
/// an upstream server. Endpoints and the response runner talk only to this.
/// </summary>
public interface IModelBackend
{
    /// <summary>The model name requests use.</summary>
    string ModelId { get; }

    /// <summary>Tokens the context holds (prompt plus output).</summary>
    int ContextLength { get; }

    /// <summary>Unix seconds when the model was loaded.</summary>
    long CreatedAt { get; }

    /// <summary>Requests waiting to run (not counting those running).</summary>
    int QueueDepth { get; }

    /// <summary>Latency and token metrics, when the backend measures them.</summary>
    Metrics.GenerationMetrics? Metrics => null;

    /// <summary>
    /// Validates and queues a generation. Throws <see cref="Errors.ApiException"/> before anything is queued when the
    /// request cannot run (e.g. the prompt does not fit in the context), so the caller can still answer with an error
    /// status. Generation stops when <paramref name="cancellationToken"/> fires or the result is disposed.
    /// </summary>
    IGeneration Start(GenerationRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="Start"/> for backends that must reach something first (an upstream server): completes once the
    /// generation is running, or throws the <see cref="Errors.ApiException"/> the client gets (a 502 naming the backend
    /// when no replica can be reached).
    /// </summary>
    ValueTask<IGeneration> StartAsync(GenerationRequest request, CancellationToken cancellationToken) => ValueTask.FromResult(Start(request, cancellationToken));
}

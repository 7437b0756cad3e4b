using Spark.Protocol.Responses;

namespace Spark.Server.Responses;

/// <summary>Why a running response was stopped from outside its generation.</summary>
internal enum StopReason
{
    /// <summary>Not stopped.</summary>
    None,
    /// <summary><c>POST /v1/responses/{id}/cancel</c>: the response ends <c>cancelled</c>.</summary>
    Cancelled,
    /// <summary>WebSocket <c>response.steer</c>: the response ends <c>incomplete</c> (<c>steered</c>) and a successor follows.</summary>
    Steered,
}

/// <summary>
/// The outside handle of one running response: stopping it cancels its generation (the engine notices between two
/// tokens) and records why, so the runner can end it <c>cancelled</c> or <c>steered</c>; <see cref="Finished"/>
/// gives the final response to whoever stopped it.
/// </summary>
internal sealed class ResponseControl : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly TaskCompletionSource<ResponseObject?> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _reason;

    public ResponseControl(string responseId, CancellationToken clientGone)
    {
        ResponseId = responseId;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(clientGone);
        Token = _stop.Token;
    }

    public string ResponseId { get; }

    /// <summary>Cancels the generation: pass it to <see cref="Backends.IModelBackend.Start"/>.</summary>
    public CancellationToken Token { get; }

    public StopReason Reason => (StopReason)Volatile.Read(ref _reason);

    /// <summary>The final response once the runner returned (null when it ended without one, e.g. the socket died).</summary>
    public Task<ResponseObject?> Finished => _finished.Task;

    /// <summary>Stops the generation for <paramref name="reason"/>; false when it was already stopped for another reason.</summary>
    public bool TryStop(StopReason reason)
    {
        int previous = Interlocked.CompareExchange(ref _reason, (int)reason, (int)StopReason.None);
        if (previous != (int)StopReason.None) return previous == (int)reason;
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // the response already ended
        }
        return true;
    }

    public void Complete(ResponseObject? final) => _finished.TrySetResult(final);

    public void Dispose()
    {
        _finished.TrySetResult(null);
        _stop.Dispose();
    }
}

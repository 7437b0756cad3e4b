namespace Spark.Server.Backends;

/// <summary>
/// A started upstream response's events as they arrive, whatever carries them: SSE over HTTP
/// (<see cref="SseEventReader"/>) or text messages on a WebSocket (<see cref="UpstreamWebSocketEvents"/>). The
/// protocol's translation (<see cref="UpstreamGeneration"/>) reads only this.
/// </summary>
internal interface IUpstreamEvents : IDisposable
{
    /// <summary>The next event (its SSE <c>event:</c> name, null on a WebSocket, and its JSON text), or null at the end.</summary>
    /// <exception cref="TimeoutException">Nothing arrived within <paramref name="timeout"/> (default: the idle timeout).</exception>
    /// <exception cref="IOException">The connection broke.</exception>
    ValueTask<(string? Event, string Data)?> NextAsync(CancellationToken cancellationToken, TimeSpan? timeout = null);
}

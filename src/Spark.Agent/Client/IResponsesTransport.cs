using Spark.Protocol.Responses;

namespace Spark.Agent.Client;

/// <summary>
/// Sends one <c>response.create</c> and streams its events back: over HTTP/SSE (<see cref="HttpResponsesTransport"/>)
/// or one WebSocket per session (<see cref="WebSocketResponsesTransport"/>), which adds prewarm and steering.
/// </summary>
public interface IResponsesTransport : IDisposable
{
    /// <summary>A short name for logs and <c>--json</c> (<c>http</c>, <c>ws</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Sends <paramref name="request"/> (streaming) and yields its events in order until the response ends.
    /// </summary>
    /// <exception cref="ResponsesApiException">The server refused the request or could not be reached.</exception>
    IAsyncEnumerable<ResponseStreamEvent> StreamAsync(ResponseCreateRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// True when the server keeps the session's state on this connection: prewarm (<c>generate: false</c>) and
    /// steering (<c>response.steer</c>) work. Only a WebSocket does.
    /// </summary>
    bool SupportsSessionFeatures { get; }

    /// <summary>Sends <c>response.steer</c> for the running response <paramref name="responseId"/>; the answer arrives in its stream.</summary>
    /// <exception cref="NotSupportedException">The transport cannot steer (HTTP/SSE).</exception>
    /// <exception cref="ResponsesApiException">The connection broke.</exception>
    Task SteerAsync(string responseId, string text, CancellationToken cancellationToken);
}

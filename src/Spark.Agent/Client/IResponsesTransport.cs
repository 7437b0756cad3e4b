using Spark.Protocol.Responses;

namespace Spark.Agent.Client;

/// <summary>
/// Sends one <c>response.create</c> and streams its events back. HTTP/SSE implements it today; a WebSocket transport
/// (one socket per session) slots in behind the same interface.
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
}

using System.Net.Http.Headers;
using Spark.Protocol.Sse;

namespace Spark.Cli.Bench.Latency;

/// <summary>
/// A conversation over HTTP/SSE: either through a shared pooled client (keep-alive: the TCP connection survives the
/// turn) or through a client of its own made and disposed for every turn (a new connection each time).
/// </summary>
internal sealed class HttpConversationChannel : IConversationChannel
{
    private readonly Uri _responses;
    private readonly string? _apiKey;
    private readonly HttpClient? _shared;

    /// <param name="responses">The <c>/v1/responses</c> URL.</param>
    /// <param name="apiKey">Bearer key, or null.</param>
    /// <param name="shared">The pooled client for keep-alive, or null for a fresh connection per turn.</param>
    public HttpConversationChannel(Uri responses, string? apiKey, HttpClient? shared)
    {
        _responses = responses;
        _apiKey = apiKey;
        _shared = shared;
    }

    /// <summary>A pooled client whose connections live for the whole run.</summary>
    public static HttpClient CreatePooledClient() => new(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { Timeout = Timeout.InfiniteTimeSpan };

    public async Task<TurnMeasurement> RunTurnAsync(int turn, TurnRequest request, CancellationToken cancellationToken)
    {
        var recorder = new TurnRecorder(turn); // the clock starts before the connection is made
        HttpClient? own = _shared is null
            ? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = Timeout.InfiniteTimeSpan }
            : null;
        try
        {
            var client = own ?? _shared!;
            using var message = new HttpRequestMessage(HttpMethod.Post, _responses) { Content = new ByteArrayContent(request.HttpBody()) };
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            if (_apiKey is not null) message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
            if (own is not null) message.Headers.ConnectionClose = true;
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                throw new BenchServerException($"POST {_responses} answered {(int)response.StatusCode} {response.ReasonPhrase}: {Shorten(body)}");
            }
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await foreach (var e in SseReader.ReadAsync(stream, cancellationToken).ConfigureAwait(false))
            {
                if (e.Data == "[DONE]") continue;
                if (recorder.Observe(e.Data)) return recorder.Result!;
            }
            throw new BenchServerException($"POST {_responses}: the event stream of turn {turn} ended before response.completed");
        }
        finally
        {
            own?.Dispose();
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask; // the shared client belongs to the run

    internal static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}

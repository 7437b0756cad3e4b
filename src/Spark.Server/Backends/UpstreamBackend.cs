using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Spark.Server.Errors;
using Spark.Server.Routing;

namespace Spark.Server.Backends;

/// <summary>
/// A model served by other servers: one pooled <see cref="HttpClient"/> (keep-alive, HTTP/2 when offered) — or, for
/// a Responses upstream with <c>websocket = true</c>, an <see cref="UpstreamWebSocketPool"/> — the replicas with
/// their health, and the start of a request — failing over to the next replica on a connect error, a timeout
/// before the response begins or a 5xx/429, which is safe because nothing has reached the client yet. When every replica fails the client gets a 502 naming the model and replicas, never the API key. The
/// protocol subclasses write the request and translate the streamed events.
/// </summary>
internal abstract class UpstreamBackend : IModelBackend, IDisposable
{
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _healthChecks;
    private readonly UpstreamWebSocketPool? _webSockets;

    protected UpstreamBackend(UpstreamOptions options, ILogger logger)
    {
        Options = options;
        Logger = logger;
        Replicas = new ReplicaSet(options.Replicas, options.HealthInterval);
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            EnableMultipleHttp2Connections = true,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
        if (options.WebSocket) _webSockets = new UpstreamWebSocketPool(options);
        CreatedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        _healthChecks = Task.Run(() => CheckHealthLoopAsync(_stopping.Token));
    }

    public UpstreamOptions Options { get; }

    public ReplicaSet Replicas { get; }

    /// <summary>The open WebSocket connections, when the upstream is reached in WebSocket mode.</summary>
    public UpstreamWebSocketPool? WebSockets => _webSockets;

    protected ILogger Logger { get; }

    public string ModelId => Options.Alias;

    public int ContextLength => Options.ContextLength;

    public long CreatedAt { get; }

    public int QueueDepth => 0;

    /// <summary>Where requests go below the base URL: <c>chat/completions</c> or <c>responses</c>.</summary>
    protected abstract string EndpointPath { get; }

    /// <summary>The streaming request body for <paramref name="request"/>.</summary>
    protected abstract byte[] RequestBody(GenerationRequest request);

    /// <summary>Translates the started stream into generation steps.</summary>
    protected abstract IGeneration Translate(UpstreamStream stream, CancellationToken startToken);

    public IGeneration Start(GenerationRequest request, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"model '{ModelId}' is served upstream; start it with StartAsync");

    public async ValueTask<IGeneration> StartAsync(GenerationRequest request, CancellationToken cancellationToken)
    {
        byte[] body = RequestBody(request);
        var failures = new List<string>();
        foreach (var replica in Replicas.Order(request.AffinityKey))
        {
            replica.Enter();
            try
            {
                var stream = _webSockets is { } sockets
                    ? await sockets.OpenAsync(replica, body, Refusal, cancellationToken)
                    : await OpenHttpAsync(replica, body, cancellationToken);
                replica.MarkUp();
                Replicas.Stick(request.AffinityKey, replica);
                return Translate(stream, cancellationToken);
            }
            catch (ReplicaFailedException e)
            {
                Fail(replica, $"{replica}: {e.Message}", failures);
                replica.Leave();
            }
            catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                Fail(replica, $"{replica}: {Describe(e)}", failures);
                replica.Leave();
            }
            catch
            {
                replica.Leave();
                throw;
            }
        }
        throw new ApiException(502, "server_error", "upstream_unavailable", null,
            $"The backend of model '{ModelId}' ({Options.BackendName}{(_webSockets is null ? "" : " over WebSocket")}) could not be reached: {string.Join("; ", failures)}. Check that the upstream server is running, or see `spark models` for each replica's health.");
    }

    /// <summary>POSTs the request to one replica and returns its SSE stream once the response headers arrived.</summary>
    private async Task<UpstreamStream> OpenHttpAsync(UpstreamReplica replica, byte[] body, CancellationToken cancellationToken)
    {
        HttpResponseMessage? response = null;
        try
        {
            using var headers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            headers.CancelAfter(Options.ConnectTimeout + Options.FirstTokenTimeout);
            using var message = new HttpRequestMessage(HttpMethod.Post, replica.Endpoint(EndpointPath)) { Content = new ByteArrayContent(body) };
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            if (Options.ApiKey is { Length: > 0 } key) message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, headers.Token);
            int status = (int)response.StatusCode;
            if (status >= 500 || status == 429)
            {
                string detail = await ErrorDetailAsync(response, cancellationToken);
                throw new ReplicaFailedException($"HTTP {status}{(detail.Length > 0 ? " " + detail : "")}");
            }
            if (!response.IsSuccessStatusCode) throw Refusal(replica, status, await ReadSomeAsync(response, cancellationToken));
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            return new UpstreamStream(response, new SseEventReader(stream, Options.IdleTimeout), replica, Options);
        }
        catch
        {
            response?.Dispose();
            throw;
        }
    }

    private void Fail(UpstreamReplica replica, string error, List<string> failures)
    {
        replica.MarkDown(error);
        failures.Add(error);
        Hosting.ServerLog.UpstreamFailed(Logger, ModelId, error);
    }

    private string Describe(Exception e) => e switch
    {
        // SocketsHttpHandler reports its ConnectTimeout as a cancellation whose inner exception is a TimeoutException
        OperationCanceledException { InnerException: TimeoutException } or HttpRequestException { InnerException: TimeoutException or OperationCanceledException }
            => $"connect timed out after {Options.ConnectTimeout.TotalSeconds:0.###} s",
        OperationCanceledException => $"no response within {(Options.ConnectTimeout + Options.FirstTokenTimeout).TotalSeconds:0.###} s",
        HttpRequestException h => h.HttpRequestError switch
        {
            HttpRequestError.ConnectionError => $"cannot connect ({h.InnerException?.Message ?? h.Message})",
            HttpRequestError.NameResolutionError => "unknown host",
            _ => h.Message,
        },
        _ => e.Message,
    };

    // a 4xx: the upstream understood and refused; its message (and code, e.g. context_length_exceeded) goes to the
    // client. raw is the body of an HTTP answer or a WebSocket-mode error event: both carry {"error":{…}}.
    private ApiException Refusal(UpstreamReplica replica, int status, string raw)
    {
        string message = raw, type = "invalid_request_error";
        string? code = null, param = null;
        try
        {
            using var doc = JsonDocument.Parse(raw);
            if (doc.RootElement.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.String) message = error.GetString()!;
                else
                {
                    message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : raw;
                    type = error.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : type;
                    code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                    param = error.TryGetProperty("param", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
                }
            }
        }
        catch (JsonException)
        {
        }
        if (status == 401 || status == 403)
            return new ApiException(502, "server_error", "upstream_unauthorized", null,
                $"The backend of model '{ModelId}' ({Options.BackendName} at {replica}) refused Spark's credentials (HTTP {status}); check the key in ${Options.ApiKeyEnv ?? "(no env_key configured)"}.");
        return new ApiException(status, type, code, param, $"Model '{ModelId}' ({Options.BackendName} at {replica}): {message}");
    }

    private static async Task<string> ErrorDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string raw = await ReadSomeAsync(response, cancellationToken);
        try
        {
            using var doc = JsonDocument.Parse(raw);
            if (doc.RootElement.TryGetProperty("error", out var error))
                return error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.GetString() ?? "" : error.ToString();
        }
        catch (JsonException)
        {
        }
        return raw.Length > 200 ? raw[..200] + "…" : raw;
    }

    private static async Task<string> ReadSomeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            string text = await response.Content.ReadAsStringAsync(timeout.Token);
            return text.Length > 4096 ? text[..4096] : text.Trim();
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            return "";
        }
    }

    /// <summary>Probes every replica once now (<c>GET {base_url}/models</c>: any answer below 500 means up).</summary>
    public async Task CheckHealthAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(Replicas.Replicas.Select(r => ProbeAsync(r, cancellationToken)));
    }

    private async Task ProbeAsync(UpstreamReplica replica, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Options.ConnectTimeout + TimeSpan.FromSeconds(5));
            using var message = new HttpRequestMessage(HttpMethod.Get, replica.Endpoint("models"));
            if (Options.ApiKey is { Length: > 0 } key) message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if ((int)response.StatusCode < 500) replica.MarkUp();
            else replica.MarkDown($"{replica}: health check HTTP {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            replica.MarkDown($"{replica}: health check failed: {Describe(e)}");
        }
    }

    // up replicas are probed every interval; down ones when their backoff has passed
    private async Task CheckHealthLoopAsync(CancellationToken stopping)
    {
        try
        {
            while (true)
            {
                await Task.Delay(Options.HealthInterval, stopping);
                await Task.WhenAll(Replicas.Replicas.Where(r => r.DueForRetry).Select(r => ProbeAsync(r, stopping)));
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        try
        {
            _healthChecks.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _webSockets?.Dispose();
        _http.Dispose();
        _stopping.Dispose();
    }
}

/// <summary>
/// A started upstream response: its events, the replica it runs on (counted in flight until disposed) and the
/// timeouts. <paramref name="response"/> is the HTTP response the events come from (null on a WebSocket, whose
/// events object returns or closes its connection itself).
/// </summary>
internal sealed class UpstreamStream(IDisposable? response, IUpstreamEvents events, UpstreamReplica replica, UpstreamOptions options) : IDisposable
{
    private int _disposed;

    public IUpstreamEvents Events { get; } = events;
    public UpstreamReplica Replica { get; } = replica;
    public UpstreamOptions Options { get; } = options;

    /// <summary>"model 'full' (openai-chat at http://…)", for errors.</summary>
    public string Source => $"model '{Options.Alias}' ({Options.BackendName} at {Replica})";

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Events.Dispose();
        response?.Dispose(); // closes the connection mid-stream when the client went away: the upstream stops generating
        Replica.Leave();
    }
}

/// <summary>One replica could not take the request (down, overloaded, 5xx): the next one is tried. The message names what happened, never a key.</summary>
internal sealed class ReplicaFailedException(string message) : Exception(message);

using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Spark.Server.Tests.WebSockets;

/// <summary>A real <see cref="ClientWebSocket"/> on the test server's <c>/v1/responses</c>, reading one JSON event per message.</summary>
internal sealed class WsClient : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly byte[] _buffer = new byte[1 << 16];

    private WsClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    public static Task<WsClient> ConnectAsync(ServerFixture server) => ConnectAsync(server.BaseAddress, ServerFixture.ApiKey);

    public static async Task<WsClient> ConnectAsync(Uri baseAddress, string apiKey)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {apiKey}");
        var uri = new UriBuilder(baseAddress) { Scheme = "ws", Path = "/v1/responses" }.Uri;
        using var timeout = new CancellationTokenSource(Timeout);
        await socket.ConnectAsync(uri, timeout.Token);
        return new WsClient(socket);
    }

    public Task SendAsync(string json) => SendRawAsync(Encoding.UTF8.GetBytes(json));

    public async Task SendRawAsync(byte[] bytes)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await Socket.SendAsync(bytes, WebSocketMessageType.Text, true, timeout.Token);
    }

    /// <summary>The next event.</summary>
    public async Task<JsonElement> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        using var message = new MemoryStream();
        while (true)
        {
            var result = await Socket.ReceiveAsync(_buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close) throw new InvalidOperationException("the server closed the socket");
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            message.Write(_buffer, 0, result.Count);
            if (result.EndOfMessage) return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
        }
    }

    /// <summary>Events up to and including the first whose type is one of <paramref name="types"/>.</summary>
    public async Task<List<JsonElement>> ReceiveUntilAsync(params string[] types)
    {
        var events = new List<JsonElement>();
        while (true)
        {
            var e = await ReceiveAsync();
            events.Add(e);
            if (types.Contains(e.GetProperty("type").GetString())) return events;
        }
    }

    /// <summary>Events of one response, up to its completed / incomplete / failed event.</summary>
    public Task<List<JsonElement>> ReceiveResponseAsync() => ReceiveUntilAsync("response.completed", "response.incomplete", "response.failed", "error");

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
        }
        Socket.Dispose();
    }
}

internal static class JsonEventExtensions
{
    public static string Type(this JsonElement e) => e.GetProperty("type").GetString()!;

    public static JsonElement Response(this JsonElement e) => e.GetProperty("response");

    public static int CachedTokens(this JsonElement response) =>
        response.GetProperty("usage").GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt32();

    public static int InputTokens(this JsonElement response) => response.GetProperty("usage").GetProperty("input_tokens").GetInt32();

    public static int OutputTokens(this JsonElement response) => response.GetProperty("usage").GetProperty("output_tokens").GetInt32();
}

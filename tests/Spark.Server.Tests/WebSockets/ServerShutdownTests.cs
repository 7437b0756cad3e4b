using System.Net.WebSockets;
using Spark.Server.Hosting;
using Spark.Server.Tests.Storage;
using Spark.Testing;

namespace Spark.Server.Tests.WebSockets;

public class ServerShutdownTests
{
    [Fact]
    public async Task StoppingServer_ClosesIdleWebSockets_WithGoingAway_InsteadOfWaitingForTheShutdownTimeout()
    {
        using var dir = new TempDirectory();
        var server = await TinyServer.StartAsync(dir, new SparkServerOptions());
        using var socket = new ClientWebSocket();
        var uri = new UriBuilder(server.Http.BaseAddress!) { Scheme = "ws", Path = "/v1/responses" }.Uri;
        using (var connect = new CancellationTokenSource(TimeSpan.FromSeconds(30))) await socket.ConnectAsync(uri, connect.Token);

        var receive = socket.ReceiveAsync(new byte[1024], CancellationToken.None);
        // Kestrel's own shutdown timeout is 30 s; the server closes its sockets itself, so stopping takes far less
        await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        var result = await receive.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, socket.CloseStatus);
        Assert.Equal("the server is shutting down", socket.CloseStatusDescription);
    }
}

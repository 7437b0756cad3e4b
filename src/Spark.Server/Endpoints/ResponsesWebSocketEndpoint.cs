using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spark.Server.Errors;
using Spark.Server.WebSockets;

namespace Spark.Server.Endpoints;

/// <summary><c>GET /v1/responses</c> with a WebSocket upgrade: WebSocket mode (<see cref="ResponsesWebSocket"/>).</summary>
internal sealed class ResponsesWebSocketEndpoint(ServerContext server)
{
    public void Map(IEndpointRouteBuilder routes) => routes.MapGet("/v1/responses", async http =>
    {
        if (!http.WebSockets.IsWebSocketRequest)
            throw ApiException.BadRequest("GET /v1/responses opens WebSocket mode and needs a WebSocket upgrade (ws:// or wss://); to create a response over HTTP, POST /v1/responses.", code: "websocket_upgrade_required");
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        var lifetime = http.RequestServices.GetRequiredService<IHostApplicationLifetime>();
        await new ResponsesWebSocket(socket, server, http.RequestAborted, lifetime.ApplicationStopping).RunAsync();
    });
}

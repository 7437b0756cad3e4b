using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Spark.Protocol.Json;
using Spark.Protocol.Models;

namespace Spark.Server.Endpoints;

/// <summary><c>GET /v1/models</c> (with each model's context length) and <c>GET /health</c>.</summary>
internal sealed class ModelsEndpoints(ServerContext server)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/models", http =>
        {
            var cards = server.Router.Models.Select(b => new ModelCard(b.ModelId, b.CreatedAt, "spark", b.ContextLength)).ToList();
            if (server.Router.Auto is { } auto)
            {
                var full = server.Router.Models.First(m => m.ModelId == auto.Full);
                cards.Add(new ModelCard(Routing.ModelRouter.AutoAlias, server.Router.Default.CreatedAt, "spark", full.ContextLength));
            }
            var list = new ModelList(cards);
            return http.Response.WriteAsJsonAsync(list, ProtocolJsonContext.Default.ModelList, cancellationToken: http.RequestAborted);
        });
        routes.MapGet("/health", http =>
        {
            return http.Response.WriteAsJsonAsync(new HealthStatus("ok", server.Backend.ModelId, server.Backend.QueueDepth), ProtocolJsonContext.Default.HealthStatus, cancellationToken: http.RequestAborted);
        });
    }
}

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
            var b = server.Backend;
            var list = new ModelList([new ModelCard(b.ModelId, b.CreatedAt, "spark", b.ContextLength)]);
            return http.Response.WriteAsJsonAsync(list, ProtocolJsonContext.Default.ModelList, cancellationToken: http.RequestAborted);
        });
        routes.MapGet("/health", http =>
        {
            return http.Response.WriteAsJsonAsync(new HealthStatus("ok", server.Backend.ModelId, server.Backend.QueueDepth), ProtocolJsonContext.Default.HealthStatus, cancellationToken: http.RequestAborted);
        });
    }
}

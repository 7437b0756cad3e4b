using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Spark.Server.Metrics;

namespace Spark.Server.Endpoints;

/// <summary>
/// <c>GET /metrics</c>: Prometheus text — time to first token and inter-token latency histograms, token counters
/// (from the backend), queue depth, running responses and open WebSocket connections.
/// </summary>
internal sealed class MetricsEndpoint(ServerContext server)
{
    public void Map(IEndpointRouteBuilder routes) => routes.MapGet("/metrics", http =>
    {
        http.Response.ContentType = PrometheusText.ContentType;
        return http.Response.WriteAsync(Render(), http.RequestAborted);
    });

    public string Render()
    {
        var text = new StringBuilder(4096);
        server.Backend.Metrics?.WriteTo(text);
        PrometheusText.Gauge(text, "spark_queue_depth", "Generations waiting for the engine.", server.Backend.QueueDepth);
        PrometheusText.Gauge(text, "spark_active_responses", "Responses generating now (HTTP and WebSocket).", server.Running.Count);
        server.Router.Metrics.WriteTo(text);
        PrometheusText.Gauge(text, "spark_websocket_connections", "Open WebSocket connections on /v1/responses.", Volatile.Read(ref server.WebSocketConnections));
        return text.ToString();
    }
}

namespace Spark.Protocol.Models;

/// <summary>The body of <c>GET /health</c>.</summary>
/// <param name="Status"><c>ok</c> when the server takes requests.</param>
/// <param name="Model">The model it serves.</param>
/// <param name="QueueDepth">Requests waiting for the engine.</param>
public sealed record HealthStatus(string Status, string Model, int QueueDepth);

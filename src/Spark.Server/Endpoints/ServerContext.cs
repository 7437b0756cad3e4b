using Microsoft.Extensions.Logging;
using Spark.Server.Backends;
using Spark.Server.Errors;
using Spark.Server.Hosting;
using Spark.Server.Responses;

namespace Spark.Server.Endpoints;

/// <summary>What every endpoint needs: the backend, the response store, the options and a logger.</summary>
internal sealed class ServerContext(IModelBackend backend, SparkServerOptions options, ILogger logger)
{
    public IModelBackend Backend { get; } = backend;
    public SparkServerOptions Options { get; } = options;
    public ILogger Logger { get; } = logger;
    public ResponseStore Store { get; } = new(options.StoredResponses);
    public RunningResponses Running { get; } = new();

    /// <summary>Open WebSocket connections on <c>/v1/responses</c>.</summary>
    public int WebSocketConnections;

    /// <summary>The backend for <paramref name="model"/>, or a 400/404 naming what is served.</summary>
    public IModelBackend Resolve(string? model)
    {
        if (string.IsNullOrWhiteSpace(model))
            throw ApiException.BadRequest($"Missing required parameter: 'model'. This server serves \"{Backend.ModelId}\".", "model", "missing_required_parameter");
        if (!string.Equals(model, Backend.ModelId, StringComparison.Ordinal))
            throw ApiException.NotFound($"The model '{model}' does not exist. This server serves \"{Backend.ModelId}\" (see GET /v1/models).", "model", "model_not_found");
        return Backend;
    }
}

using Microsoft.Extensions.Logging;
using Spark.Server.Backends;
using Spark.Server.Errors;
using Spark.Server.Hosting;
using Spark.Protocol.Responses;
using Spark.Server.Responses;
using Spark.Server.Storage;

namespace Spark.Server.Endpoints;

/// <summary>What every endpoint needs: the backend, the response store, the options and a logger.</summary>
internal sealed class ServerContext(IModelBackend backend, SparkServerOptions options, ILogger logger, IResponseStore store)
{
    public IModelBackend Backend { get; } = backend;
    public SparkServerOptions Options { get; } = options;
    public ILogger Logger { get; } = logger;
    public IResponseStore Store { get; } = store;
    public RunningResponses Running { get; } = new();

    /// <summary>Open WebSocket connections on <c>/v1/responses</c>.</summary>
    public int WebSocketConnections;

    /// <summary>
    /// Stores a finished response with its conversation (<paramref name="conversation"/> then its output) unless it
    /// asked not to be stored or failed. Runs before the terminal event is sent (see <see cref="PersistingEventSink"/>);
    /// a store that fails is logged, and the client still gets its answer.
    /// </summary>
    public async Task PersistAsync(ResponseObject final, IReadOnlyList<ResponseItem> conversation)
    {
        if (!final.Store || final.Status == ResponseStatus.Failed) return;
        try
        {
            await Store.SaveAsync(new StoredResponse(final, [.. conversation, .. final.Output]), CancellationToken.None);
        }
        catch (ApiException e)
        {
            Hosting.ServerLog.StoreFailed(Logger, final.Id, e.Message);
        }
    }

    /// <summary>The conversation of stored response <paramref name="id"/>, or the 404 that <c>previous_response_id</c> gets.</summary>
    public async Task<IReadOnlyList<ResponseItem>> PreviousConversationAsync(string id, CancellationToken cancellationToken) =>
        (await Store.FindAsync(id, cancellationToken))?.Conversation ?? throw ResponseSetup.PreviousNotFound(id);

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

using Microsoft.Extensions.Logging;
using Spark.Server.Backends;
using Spark.Server.Errors;
using Spark.Server.Hosting;
using Spark.Protocol.Responses;
using Spark.Server.Responses;
using Spark.Server.Routing;
using Spark.Server.Storage;

namespace Spark.Server.Endpoints;

/// <summary>What every endpoint needs: the backend, the response store, the options and a logger.</summary>
internal sealed class ServerContext(ModelRouter router, SparkServerOptions options, ILogger logger, IResponseStore store)
{
    /// <summary>The models served by alias, <c>auto</c>, escalation.</summary>
    public ModelRouter Router { get; } = router;

    /// <summary>The default (first) model.</summary>
    public IModelBackend Backend => Router.Default;
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

    /// <summary>The route for <paramref name="model"/> (a 400/404 naming what is served); <paramref name="input"/> feeds <c>auto</c>.</summary>
    public Route Resolve(string? model, Func<RouteInput> input) => Router.Resolve(model, input);
}

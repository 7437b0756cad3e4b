using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Spark.Protocol.Json;
using Spark.Protocol.Responses;
using Spark.Server.Backends;
using Spark.Server.Errors;
using Spark.Server.Responses;
using Spark.Server.Tools;

namespace Spark.Server.Endpoints;

/// <summary><c>POST /v1/responses</c> (SSE or one JSON body), <c>GET</c> and <c>DELETE /v1/responses/{id}</c>, <c>POST /v1/responses/{id}/cancel</c>.</summary>
internal sealed class ResponsesEndpoints(ServerContext server)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/responses", CreateAsync);
        routes.MapGet("/v1/responses/{id}", GetAsync);
        routes.MapPost("/v1/responses/{id}/cancel", CancelAsync);
        routes.MapDelete("/v1/responses/{id}", DeleteAsync);
    }

    private async Task CreateAsync(HttpContext http)
    {
        var aborted = http.RequestAborted;
        var request = await RequestBody.ReadAsync(http.Request, ProtocolJsonContext.Default.ResponseCreateRequest, aborted);
        IReadOnlyList<ResponseItem> history = [];
        if (request.PreviousResponseId is { } previousId)
            history = await server.PreviousConversationAsync(previousId, aborted);
        var conversation = ResponseSetup.Conversation(history, request.Input?.Items ?? []);
        var route = ResponseSetup.Validate(server, request, conversation);
        var shell = ResponseSetup.Shell(request, route.Backend.ModelId);

        var tools = ResponseSetup.Tools(server, request);
        using var control = new ResponseControl(shell.Id, aborted);
        using var generation = await server.Router.StartAsync(route, ResponseSetup.Generation(request, conversation, tools), control.Token);
        server.Running.Add(control);
        ResponseObject final;
        ResponseRunner? runner = null;
        Task Persist(ResponseObject finished, CancellationToken _) => server.PersistAsync(finished, conversation);
        try
        {
            if (request.Stream == true)
            {
                http.Response.ContentType = "text/event-stream";
                http.Response.Headers.CacheControl = "no-cache";
                http.Response.Headers["X-Accel-Buffering"] = "no";
                var sink = new PersistingEventSink(new SseEventSink(http.Response.BodyWriter), Persist);
                runner = new ResponseRunner(shell, generation, sink, server.Options.HeartbeatInterval, control, tools);
            }
            else
            {
                runner = new ResponseRunner(shell, generation, new PersistingEventSink(DiscardingEventSink.Instance, Persist), control: control, tools: tools);
            }
            final = await runner.RunAsync(aborted);
        }
        finally
        {
            server.Running.Remove(control);
            // Logged even when the client hung up during the last flush (it had read the terminal event): the
            // generation happened and the log is how operators and the Codex interop test see it.
            if (runner is { Outcome: { } outcome, Final: { } ended })
                Hosting.ServerLog.GenerationDone(server.Logger, "responses", ended.Status, outcome.PromptTokens, outcome.CachedTokens, outcome.OutputTokens);
        }

        control.Complete(final);
        if (request.Stream != true)
            await http.Response.WriteAsJsonAsync(final, ProtocolJsonContext.Default.ResponseObject, cancellationToken: aborted);
    }

    /// <summary>
    /// Stops a running response (the engine notices between two tokens) and returns it with status
    /// <c>cancelled</c>; a response that already ended is returned as it is.
    /// </summary>
    private async Task CancelAsync(HttpContext http)
    {
        string id = (string)http.GetRouteValue("id")!;
        ResponseObject? final = null;
        if (server.Running.Find(id) is { } control)
        {
            control.TryStop(StopReason.Cancelled);
            final = await control.Finished.WaitAsync(server.Options.CancelTimeout, http.RequestAborted);
        }
        final ??= (await server.Store.FindAsync(id, http.RequestAborted))?.Response ?? throw NotFound(id);
        await http.Response.WriteAsJsonAsync(final, ProtocolJsonContext.Default.ResponseObject, cancellationToken: http.RequestAborted);
    }

    private async Task GetAsync(HttpContext http)
    {
        string id = (string)http.GetRouteValue("id")!;
        var stored = await server.Store.FindAsync(id, http.RequestAborted) ?? throw NotFound(id);
        await http.Response.WriteAsJsonAsync(stored.Response, ProtocolJsonContext.Default.ResponseObject, cancellationToken: http.RequestAborted);
    }

    private async Task DeleteAsync(HttpContext http)
    {
        string id = (string)http.GetRouteValue("id")!;
        if (!await server.Store.DeleteAsync(id, http.RequestAborted)) throw NotFound(id);
        server.Logger.LogDebug("deleted response {Id}", id);
        await http.Response.WriteAsJsonAsync(new ResponseDeleted(id), ProtocolJsonContext.Default.ResponseDeleted, cancellationToken: http.RequestAborted);
    }

    private static ApiException NotFound(string id) =>
        ApiException.NotFound($"No response with id '{id}' is stored here (responses created with store: false are not kept).", "id", "response_not_found");
}

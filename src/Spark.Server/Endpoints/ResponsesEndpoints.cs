using System.Text.Json;
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

/// <summary><c>POST /v1/responses</c> (SSE or one JSON body), <c>GET</c> and <c>DELETE /v1/responses/{id}</c>.</summary>
internal sealed class ResponsesEndpoints(ServerContext server)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/responses", CreateAsync);
        routes.MapGet("/v1/responses/{id}", GetAsync);
        routes.MapDelete("/v1/responses/{id}", DeleteAsync);
    }

    private async Task CreateAsync(HttpContext http)
    {
        var aborted = http.RequestAborted;
        var request = await RequestBody.ReadAsync(http.Request, ProtocolJsonContext.Default.ResponseCreateRequest, aborted);
        var backend = server.Resolve(request.Model);
        SamplingValidation.Check(request.Temperature, request.TopP, request.MaxOutputTokens, "max_output_tokens");
        if (request.Metadata is { Count: > 16 })
            throw ApiException.BadRequest($"'metadata' has {request.Metadata.Count} entries; at most 16 are allowed.", "metadata", "invalid_value");

        IReadOnlyList<ResponseItem> history = [];
        if (request.PreviousResponseId is { } previousId)
        {
            history = server.Store.Find(previousId)?.Conversation
                ?? throw ApiException.NotFound($"Previous response with id '{previousId}' not found. It may have been deleted, never stored (store: false), or forgotten by a restarted server; resend the full conversation.",
                    "previous_response_id", "previous_response_not_found");
        }
        var input = request.Input?.Items ?? [];
        if (input.Count == 0 && history.Count == 0)
            throw ApiException.BadRequest("Missing required parameter: 'input' (a string or a list of items).", "input", "missing_required_parameter");
        var conversation = new List<ResponseItem>(history.Count + input.Count + 1);
        conversation.AddRange(history);
        conversation.AddRange(input);

        var tools = ToolRequestReader.FromResponses(request.Tools, request.ToolChoice, server.Logger);
        using var generation = backend.Start(new GenerationRequest
        {
            Messages = Conversation.ToChat(request.Instructions, conversation),
            Tools = tools,
            MaxOutputTokens = request.MaxOutputTokens,
            Temperature = request.Temperature,
            TopP = request.TopP,
        }, aborted);

        var shell = new ResponseObject
        {
            Id = Ids.New("resp"),
            CreatedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            Status = ResponseStatus.InProgress,
            Model = backend.ModelId,
            Instructions = request.Instructions,
            MaxOutputTokens = request.MaxOutputTokens,
            PreviousResponseId = request.PreviousResponseId,
            Store = request.Store ?? true,
            Temperature = request.Temperature,
            TopP = request.TopP,
            ParallelToolCalls = request.ParallelToolCalls ?? true,
            ToolChoice = request.ToolChoice ?? AutoToolChoice,
            Tools = request.Tools ?? [],
            Truncation = request.Truncation ?? "disabled",
            Metadata = request.Metadata ?? [],
        };

        ResponseObject final;
        ResponseRunner runner;
        if (request.Stream == true)
        {
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            var sink = new SseEventSink(http.Response.BodyWriter);
            runner = new ResponseRunner(shell, generation, sink, server.Options.HeartbeatInterval, tools);
        }
        else
        {
            runner = new ResponseRunner(shell, generation, DiscardingEventSink.Instance, tools: tools);
        }
        final = await runner.RunAsync(aborted);

        var outcome = runner.Outcome!;
        Hosting.ServerLog.GenerationDone(server.Logger, "responses", final.Status, outcome.PromptTokens, outcome.CachedTokens, outcome.OutputTokens);
        if (final.Store && final.Status != ResponseStatus.Failed)
        {
            conversation.AddRange(final.Output);
            server.Store.Add(new StoredResponse(final, conversation));
        }
        if (request.Stream != true)
            await http.Response.WriteAsJsonAsync(final, ProtocolJsonContext.Default.ResponseObject, cancellationToken: aborted);
    }

    private static readonly JsonElement AutoToolChoice = JsonDocument.Parse("\"auto\"").RootElement.Clone();

    private Task GetAsync(HttpContext http)
    {
        string id = (string)http.GetRouteValue("id")!;
        var stored = server.Store.Find(id) ?? throw NotFound(id);
        return http.Response.WriteAsJsonAsync(stored.Response, ProtocolJsonContext.Default.ResponseObject, cancellationToken: http.RequestAborted);
    }

    private Task DeleteAsync(HttpContext http)
    {
        string id = (string)http.GetRouteValue("id")!;
        if (!server.Store.Remove(id)) throw NotFound(id);
        server.Logger.LogDebug("deleted response {Id}", id);
        return http.Response.WriteAsJsonAsync(new ResponseDeleted(id), ProtocolJsonContext.Default.ResponseDeleted, cancellationToken: http.RequestAborted);
    }

    private static ApiException NotFound(string id) =>
        ApiException.NotFound($"No response with id '{id}' is stored here (responses created with store: false are not kept).", "id", "response_not_found");
}

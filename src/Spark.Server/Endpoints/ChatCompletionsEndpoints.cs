using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Spark.Protocol.Chat;
using Spark.Protocol.Json;
using Spark.Server.Backends;
using Spark.Server.Chat;
using Spark.Server.Errors;
using Spark.Server.Tools;
using Spark.Server.Routing;

namespace Spark.Server.Endpoints;

/// <summary><c>POST /v1/chat/completions</c>, streaming or not.</summary>
internal sealed class ChatCompletionsEndpoints(ServerContext server)
{
    public void Map(IEndpointRouteBuilder routes) => routes.MapPost("/v1/chat/completions", CreateAsync);

    private async Task CreateAsync(HttpContext http)
    {
        var aborted = http.RequestAborted;
        var request = await RequestBody.ReadAsync(http.Request, ProtocolJsonContext.Default.ChatCompletionRequest, aborted);
        if (request.Messages is not { Count: > 0 } messages)
        {
            server.Resolve(request.Model, () => new RouteInput(0, 0, null, null)); // an unknown model is reported first
            throw ApiException.BadRequest("Missing required parameter: 'messages' (a non-empty list of {role, content}).", "messages", "missing_required_parameter");
        }
        var route = server.Resolve(request.Model, () => RouteInputOf(request, messages));
        var backend = route.Backend;
        int? maxTokens = request.MaxCompletionTokens ?? request.MaxTokens;
        SamplingValidation.Check(request.Temperature, request.TopP, maxTokens, request.MaxCompletionTokens is null ? "max_tokens" : "max_completion_tokens");

        var tools = ToolRequestReader.FromChat(request.Tools, request.ToolChoice, server.Logger);
        using var generation = await server.Router.StartAsync(route, new GenerationRequest
        {
            Messages = ToTurns(messages),
            Tools = tools,
            MaxOutputTokens = maxTokens,
            Temperature = request.Temperature,
            TopP = request.TopP,
            Seed = request.Seed is long seed ? unchecked((ulong)seed) : null,
        }, aborted);

        var runner = new ChatCompletionRunner($"chatcmpl-{Guid.NewGuid():N}", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), backend.ModelId, generation, server.Options.HeartbeatInterval, tools);
        if (request.Stream == true)
        {
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            await runner.StreamAsync(http.Response.BodyWriter, request.StreamOptions?.IncludeUsage == true, aborted);
        }
        else
        {
            var completion = await runner.CompleteAsync(aborted);
            await http.Response.WriteAsJsonAsync(completion, ProtocolJsonContext.Default.ChatCompletion, cancellationToken: aborted);
        }
        if (runner.Outcome is { } outcome)
            Hosting.ServerLog.GenerationDone(server.Logger, "chat.completions", outcome.Reason.ToString(), outcome.PromptTokens, outcome.CachedTokens, outcome.OutputTokens);
    }

    private static RouteInput RouteInputOf(ChatCompletionRequest request, IReadOnlyList<ChatMessage> messages)
    {
        int chars = 0;
        string? latestUser = null;
        foreach (var m in messages)
        {
            chars += m.Content?.Length ?? 0;
            if (m.Role == "user") latestUser = m.Content;
        }
        return new RouteInput(chars, request.Tools?.Count ?? 0, null, latestUser);
    }

    private static List<ChatTurn> ToTurns(IReadOnlyList<ChatMessage> messages)
    {
        var turns = new List<ChatTurn>(messages.Count);
        for (int i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            string content = m.Content ?? "";
            switch (m.Role)
            {
                case "system" or "developer":
                    turns.Add(new ChatTurn("system", content));
                    break;
                case "user":
                    turns.Add(new ChatTurn("user", content));
                    break;
                case "assistant":
                    List<ChatTurnToolCall>? calls = null;
                    foreach (var call in m.ToolCalls ?? [])
                        (calls ??= []).Add(new ChatTurnToolCall(call.Id, call.Function.Name, call.Function.Arguments));
                    turns.Add(new ChatTurn("assistant", content) { ToolCalls = calls });
                    break;
                case "tool":
                    turns.Add(new ChatTurn("tool", content) { ToolCallId = m.ToolCallId });
                    break;
                default:
                    throw ApiException.BadRequest($"Invalid 'messages[{i}].role': '{m.Role}'. Expected system, developer, user, assistant or tool.", $"messages[{i}].role", "invalid_value");
            }
        }
        return turns;
    }
}

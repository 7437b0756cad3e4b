using System.Text.Json;
using Spark.Protocol.Responses;
using Spark.Server.Backends;
using Spark.Server.Endpoints;
using Spark.Server.Errors;
using Spark.Server.Routing;
using Spark.Server.Tools;

namespace Spark.Server.Responses;

/// <summary>
/// Turns a <see cref="ResponseCreateRequest"/> into what runs it — the checked backend, the whole conversation, the
/// generation request and the response shell — the same way for <c>POST /v1/responses</c> and WebSocket mode.
/// </summary>
internal static class ResponseSetup
{
    /// <summary>
    /// Where the request runs (its model, or what <c>auto</c> picks for this conversation), after the field checks
    /// (400/404 <see cref="ApiException"/>s).
    /// </summary>
    public static Route Validate(ServerContext server, ResponseCreateRequest request, IReadOnlyList<ResponseItem> conversation)
    {
        var route = server.Router.Resolve(request.Model, () => RouteInputOf(request, conversation));
        SamplingValidation.Check(request.Temperature, request.TopP, request.MaxOutputTokens, "max_output_tokens");
        if (request.Metadata is { Count: > 16 })
            throw ApiException.BadRequest($"'metadata' has {request.Metadata.Count} entries; at most 16 are allowed.", "metadata", "invalid_value");
        if (request.Truncation is not (null or "auto" or "disabled"))
            throw ApiException.BadRequest($"Invalid value for 'truncation': '{request.Truncation}'. Supported values are 'auto' (drop the oldest input items when the conversation overflows the context) and 'disabled' (the default: such a request fails).",
                "truncation", "invalid_value");
        return route;
    }

    private static RouteInput RouteInputOf(ResponseCreateRequest request, IReadOnlyList<ResponseItem> conversation)
    {
        int chars = request.Instructions?.Length ?? 0;
        string? latestUser = null;
        foreach (var item in conversation)
        {
            switch (item)
            {
                case MessageItem message:
                    string text = message.Text();
                    chars += text.Length;
                    if (message.Role == "user") latestUser = text;
                    break;
                case FunctionCallItem call: chars += call.Arguments.Length; break;
                case FunctionCallOutputItem output: chars += output.Output.Length; break;
                case CustomToolCallItem custom: chars += custom.Input.Length; break;
                case CustomToolCallOutputItem output: chars += output.Output.Length; break;
            }
        }
        return new RouteInput(chars, request.Tools?.Count ?? 0, request.Reasoning?.Effort, latestUser);
    }

    /// <summary>
    /// What keeps a conversation on one upstream replica: the client's <c>prompt_cache_key</c>, else a digest of the
    /// instructions and first item — the same for every turn of a conversation, on every Spark server.
    /// </summary>
    public static string AffinityKey(ResponseCreateRequest request, IReadOnlyList<ResponseItem> conversation)
    {
        if (request.PromptCacheKey is { Length: > 0 } key) return key;
        string first = conversation.Count > 0 && conversation[0] is MessageItem m ? m.Text() : "";
        byte[] digest = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes((request.Instructions ?? "") + "\u0000" + first));
        return Convert.ToHexString(digest, 0, 12);
    }

    /// <summary>The history a <c>previous_response_id</c> names, followed by the new input.</summary>
    public static List<ResponseItem> Conversation(IReadOnlyList<ResponseItem> history, IReadOnlyList<ResponseItem> input)
    {
        if (input.Count == 0 && history.Count == 0)
            throw ApiException.BadRequest("Missing required parameter: 'input' (a string or a list of items).", "input", "missing_required_parameter");
        var conversation = new List<ResponseItem>(history.Count + input.Count + 1);
        conversation.AddRange(history);
        conversation.AddRange(input);
        return conversation;
    }

    public static ApiException PreviousNotFound(string previousId) =>
        ApiException.NotFound($"Previous response with id '{previousId}' not found. It may have been deleted, never stored (store: false), or forgotten by a restarted server; resend the full conversation.",
            "previous_response_id", "previous_response_not_found");

    /// <summary>The request's tools and tool choice, read once (tools Spark cannot run are logged and left out).</summary>
    public static ToolOptions Tools(ServerContext server, ResponseCreateRequest request) =>
        ToolRequestReader.FromResponses(request.Tools, request.ToolChoice, server.Logger);

    /// <summary>What the engine runs; <paramref name="prefillOnly"/> caches the prompt without generating.</summary>
    public static GenerationRequest Generation(ResponseCreateRequest request, IReadOnlyList<ResponseItem> conversation, ToolOptions tools,
        bool prefillOnly = false) => new()
    {
        Messages = Responses.Conversation.ToChat(request.Instructions, conversation),
        Tools = tools,
        MaxOutputTokens = prefillOnly ? 0 : request.MaxOutputTokens,
        Temperature = request.Temperature,
        TopP = request.TopP,
        AffinityKey = AffinityKey(request, conversation),
        Overflow = request.Truncation == "auto" ? ContextOverflow.DropOldest : ContextOverflow.ErrorSuggestingTruncation,
    };

    /// <summary>The response object before it runs: a new id and the request's settings echoed.</summary>
    public static ResponseObject Shell(ResponseCreateRequest request, string modelId) => new()
    {
        Id = Ids.New("resp"),
        CreatedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        Status = ResponseStatus.InProgress,
        Model = modelId,
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

    private static readonly JsonElement AutoToolChoice = JsonDocument.Parse("\"auto\"").RootElement.Clone();
}

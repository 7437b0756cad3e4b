using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Spark.Server.Responses;
using Spark.Server.Tools;

namespace Spark.Server.Backends;

/// <summary>
/// A model behind a Responses API server (OpenAI, or another Spark server) over HTTP/SSE, or in WebSocket mode with
/// <see cref="UpstreamOptions.WebSocket"/> (the same body as a <c>response.create</c> message on a pooled
/// connection): the conversation goes up as input items with <c>store: false</c> (Spark's own store keeps the
/// conversation), and the upstream's text deltas and function / custom tool calls come back as steps as they
/// arrive, translated in one place whichever way they came.
/// </summary>
internal sealed class OpenAIResponsesUpstream(UpstreamOptions options, ILogger logger) : UpstreamBackend(options, logger)
{
    protected override string EndpointPath => "responses";

    protected override byte[] RequestBody(GenerationRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (Options.WebSocket) w.WriteString("type", "response.create");
            w.WriteString("model", Options.UpstreamModel);
            string instructions = string.Join("\n\n", request.Messages.Where(t => t.Role == "system").Select(t => t.Content));
            if (instructions.Length > 0) w.WriteString("instructions", instructions);
            w.WriteStartArray("input");
            foreach (var turn in request.Messages)
            {
                switch (turn.Role)
                {
                    case "system":
                        break;
                    case "tool":
                        w.WriteStartObject();
                        w.WriteString("type", "function_call_output");
                        w.WriteString("call_id", turn.ToolCallId ?? "");
                        w.WriteString("output", turn.Content);
                        w.WriteEndObject();
                        break;
                    default:
                        if (turn.Content.Length > 0 || turn.ToolCalls is not { Count: > 0 })
                        {
                            w.WriteStartObject();
                            w.WriteString("type", "message");
                            w.WriteString("role", turn.Role);
                            w.WriteStartArray("content");
                            w.WriteStartObject();
                            w.WriteString("type", turn.Role == "assistant" ? "output_text" : "input_text");
                            w.WriteString("text", turn.Content);
                            w.WriteEndObject();
                            w.WriteEndArray();
                            w.WriteEndObject();
                        }
                        foreach (var call in turn.ToolCalls ?? [])
                        {
                            w.WriteStartObject();
                            w.WriteString("type", "function_call");
                            w.WriteString("call_id", call.Id);
                            w.WriteString("name", call.Name);
                            w.WriteString("arguments", call.Arguments);
                            w.WriteEndObject();
                        }
                        break;
                }
            }
            w.WriteEndArray();
            WriteTools(w, request.Tools);
            if (request.MaxOutputTokens is { } max) w.WriteNumber("max_output_tokens", Math.Max(max, 1));
            if (request.Temperature is { } temperature) w.WriteNumber("temperature", temperature);
            if (request.TopP is { } topP) w.WriteNumber("top_p", topP);
            if (request.AffinityKey is { } key) w.WriteString("prompt_cache_key", key);
            w.WriteBoolean("store", false);
            if (!Options.WebSocket) w.WriteBoolean("stream", true); // WebSocket mode always streams
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    // every tool goes up as a function (a custom tool as its one-string-input function), so calls come back uniformly
    private static void WriteTools(Utf8JsonWriter w, ToolOptions tools)
    {
        if (tools.Tools.Count == 0) return;
        w.WriteStartArray("tools");
        foreach (var tool in tools.Tools)
        {
            w.WriteStartObject();
            w.WriteString("type", "function");
            w.WriteString("name", tool.Name);
            if (tool.Description is { } description) w.WriteString("description", description);
            w.WritePropertyName("parameters");
            if (tool.Parameters is { } parameters) parameters.WriteTo(w);
            else w.WriteRawValue("""{"type":"object","properties":{}}""");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        switch (tools.Choice)
        {
            case ToolChoiceMode.None: w.WriteString("tool_choice", "none"); break;
            case ToolChoiceMode.Required: w.WriteString("tool_choice", "required"); break;
            case ToolChoiceMode.Named:
                w.WriteStartObject("tool_choice");
                w.WriteString("type", "function");
                w.WriteString("name", tools.ForcedName);
                w.WriteEndObject();
                break;
            default: w.WriteString("tool_choice", "auto"); break;
        }
    }

    protected override IGeneration Translate(UpstreamStream stream, CancellationToken startToken) => new ResponsesStreamGeneration(stream, startToken);

    /// <summary>Responses events to steps; the terminal event carries the usage and how it ended.</summary>
    private sealed class ResponsesStreamGeneration(UpstreamStream stream, CancellationToken startToken) : UpstreamGeneration(stream, startToken)
    {
        /// <summary>
        /// A Spark upstream's <c>usage.spark_timing</c>, passed through so clients (and <c>spark bench latency</c>) can
        /// still tell transport from compute — queue and compute time, and the decode-step figures the per-token
        /// overhead is measured against; null when the upstream does not report it (a decode field it leaves out or
        /// writes as something other than a number stays null).
        /// </summary>
        private static Spark.Protocol.Responses.SparkTiming? UpstreamTiming(JsonElement timing)
        {
            if (timing.ValueKind != JsonValueKind.Object || Number(timing, "queue_ms") is not double queueMs || Number(timing, "compute_ms") is not double computeMs)
                return null;
            return new Spark.Protocol.Responses.SparkTiming(queueMs, computeMs)
            {
                DecodeSteps = timing.TryGetProperty("decode_steps", out var steps) && steps.ValueKind == JsonValueKind.Number && steps.TryGetInt32(out int n) && n >= 0 ? n : null,
                DecodeForwardMs = Number(timing, "decode_forward_ms"),
                DecodeSpanMs = Number(timing, "decode_span_ms"),
            };
        }

        private static double? Number(JsonElement obj, string name) =>
            obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double d) ? d : null;

        private bool _custom;

        protected override void OnEvent(string? name, JsonElement? json)
        {
            if (json is not { } root) return;
            string? type = String(root, "type") ?? name;
            switch (type)
            {
                case "response.output_text.delta":
                    if (String(root, "delta") is { Length: > 0 } delta) Pending.Enqueue(GenerationStep.OfText(delta.AsMemory()));
                    break;
                case "response.output_item.added":
                {
                    var item = Child(root, "item");
                    string? itemType = String(item, "type");
                    if (itemType is "function_call" or "custom_tool_call" && String(item, "name") is { } callName)
                    {
                        _custom = itemType == "custom_tool_call";
                        Pending.Enqueue(GenerationStep.OfToolCallStart(callName));
                    }
                    break;
                }
                case "response.function_call_arguments.delta":
                    if (String(root, "delta") is { Length: > 0 } arguments) Pending.Enqueue(GenerationStep.OfToolCallArguments(arguments.AsMemory()));
                    break;
                case "response.output_item.done":
                {
                    var item = Child(root, "item");
                    string? itemType = String(item, "type");
                    if (itemType == "function_call" && String(item, "name") is { } callName)
                        Pending.Enqueue(GenerationStep.OfToolCallDone(callName, String(item, "arguments") ?? "{}"));
                    else if (itemType == "custom_tool_call" && String(item, "name") is { } customName)
                        Pending.Enqueue(GenerationStep.OfToolCallDone(customName, _custom ? Conversation.CustomArguments(String(item, "input") ?? "") : "{}"));
                    break;
                }
                case "response.completed" or "response.incomplete" or "response.failed":
                {
                    var response = Child(root, "response");
                    var usage = Child(response, "usage");
                    PromptTokens = Int(usage, "input_tokens");
                    OutputTokens = Int(usage, "output_tokens");
                    CachedTokens = Int(Child(usage, "input_tokens_details"), "cached_tokens");
                    Timing = UpstreamTiming(Child(usage, "spark_timing"));
                    if (type == "response.completed") Finish(FinishReason.Stop);
                    else if (type == "response.incomplete")
                        Finish(String(Child(response, "incomplete_details"), "reason") == "context_length" ? FinishReason.ContextLength : FinishReason.MaxOutputTokens);
                    else Fail($"{Stream.Source} failed: {String(Child(response, "error"), "message") ?? "no reason given"}");
                    break;
                }
                case "error":
                    Fail($"{Stream.Source} failed: {String(Child(root, "error"), "message") ?? String(root, "message") ?? root.ToString()}");
                    break;
            }
        }
    }
}

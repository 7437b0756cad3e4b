using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Spark.Server.Tools;

namespace Spark.Server.Backends;

/// <summary>
/// A model behind any Chat Completions server (vLLM, SGLang, TGI, llama.cpp, Ollama, cloud APIs): the conversation
/// goes up as <c>messages</c> with <c>stream: true</c>, and each <c>chat.completion.chunk</c> comes back as text or
/// tool-call steps the moment it arrives, so the Responses API (events, items, function calls,
/// <c>previous_response_id</c> from Spark's own store) works on top of it.
/// </summary>
internal sealed class OpenAIChatUpstream(UpstreamOptions options, ILogger logger) : UpstreamBackend(options, logger)
{
    protected override string EndpointPath => "chat/completions";

    protected override byte[] RequestBody(GenerationRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("model", Options.UpstreamModel);
            w.WriteStartArray("messages");
            foreach (var turn in request.Messages)
            {
                w.WriteStartObject();
                w.WriteString("role", turn.Role);
                if (turn.ToolCalls is { Count: > 0 } calls)
                {
                    if (turn.Content.Length > 0) w.WriteString("content", turn.Content);
                    else w.WriteNull("content");
                    w.WriteStartArray("tool_calls");
                    foreach (var call in calls)
                    {
                        w.WriteStartObject();
                        w.WriteString("id", call.Id);
                        w.WriteString("type", "function");
                        w.WriteStartObject("function");
                        w.WriteString("name", call.Name);
                        w.WriteString("arguments", call.Arguments);
                        w.WriteEndObject();
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                else
                {
                    w.WriteString("content", turn.Content);
                }
                if (turn.ToolCallId is { } callId) w.WriteString("tool_call_id", callId);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            WriteTools(w, request.Tools);
            if (request.MaxOutputTokens is { } max) w.WriteNumber("max_tokens", Math.Max(max, 1));
            if (request.Temperature is { } temperature) w.WriteNumber("temperature", temperature);
            if (request.TopP is { } topP) w.WriteNumber("top_p", topP);
            if (request.Seed is { } seed) w.WriteNumber("seed", unchecked((long)seed));
            w.WriteBoolean("stream", true);
            w.WriteStartObject("stream_options");
            w.WriteBoolean("include_usage", true);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteTools(Utf8JsonWriter w, ToolOptions tools)
    {
        if (tools.Tools.Count == 0) return;
        w.WriteStartArray("tools");
        foreach (var tool in tools.Tools)
        {
            w.WriteStartObject();
            w.WriteString("type", "function");
            w.WriteStartObject("function");
            w.WriteString("name", tool.Name);
            if (tool.Description is { } description) w.WriteString("description", description);
            w.WritePropertyName("parameters");
            (tool.Parameters ?? EmptyObject).WriteTo(w);
            w.WriteEndObject();
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
                w.WriteStartObject("function");
                w.WriteString("name", tools.ForcedName);
                w.WriteEndObject();
                w.WriteEndObject();
                break;
            default: w.WriteString("tool_choice", "auto"); break;
        }
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();

    protected override IGeneration Translate(UpstreamStream stream, CancellationToken startToken) => new ChatStreamGeneration(stream, startToken);

    /// <summary>Chunks to steps: <c>delta.content</c> is text; <c>delta.tool_calls</c> open, extend and (at the next call or the end) close calls.</summary>
    private sealed class ChatStreamGeneration(UpstreamStream stream, CancellationToken startToken) : UpstreamGeneration(stream, startToken)
    {
        private int _callIndex = -1;
        private string? _callName;
        private readonly StringBuilder _arguments = new();
        private string? _finishReason;

        protected override void OnEvent(string? name, JsonElement? json)
        {
            if (json is not { } root)
            {
                End(); // [DONE]
                return;
            }
            if (root.TryGetProperty("error", out var error))
            {
                Fail($"{Stream.Source} failed mid-response: {String(error, "message") ?? error.ToString()}");
                return;
            }
            var usage = Child(root, "usage");
            if (usage.ValueKind == JsonValueKind.Object)
            {
                PromptTokens = Int(usage, "prompt_tokens");
                OutputTokens = Int(usage, "completion_tokens");
                CachedTokens = Int(Child(usage, "prompt_tokens_details"), "cached_tokens");
            }
            var choices = Child(root, "choices");
            if (choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0) return;
            var choice = choices[0];
            var delta = Child(choice, "delta");
            if (String(delta, "content") is { Length: > 0 } content) Pending.Enqueue(GenerationStep.OfText(content.AsMemory()));
            var calls = Child(delta, "tool_calls");
            if (calls.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in calls.EnumerateArray())
                {
                    int index = call.TryGetProperty("index", out var i) && i.TryGetInt32(out int n) ? n : _callIndex;
                    var function = Child(call, "function");
                    if (index != _callIndex && String(function, "name") is { } callName)
                    {
                        CloseCall();
                        _callIndex = index;
                        _callName = callName;
                        Pending.Enqueue(GenerationStep.OfToolCallStart(callName));
                    }
                    if (_callName is not null && String(function, "arguments") is { Length: > 0 } arguments)
                    {
                        _arguments.Append(arguments);
                        Pending.Enqueue(GenerationStep.OfToolCallArguments(arguments.AsMemory()));
                    }
                }
            }
            if (String(choice, "finish_reason") is { } finish) _finishReason = finish;
        }

        protected override void OnEnd()
        {
            if (_finishReason is null) base.OnEnd(); // dropped before the model finished
            else End();
        }

        private void End()
        {
            CloseCall();
            Finish(_finishReason is "length" ? FinishReason.MaxOutputTokens : FinishReason.Stop);
        }

        private void CloseCall()
        {
            if (_callName is null) return;
            Pending.Enqueue(GenerationStep.OfToolCallDone(_callName, _arguments.Length == 0 ? "{}" : _arguments.ToString()));
            _callName = null;
            _arguments.Clear();
        }
    }
}

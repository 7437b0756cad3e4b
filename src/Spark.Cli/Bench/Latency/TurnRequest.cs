using System.Buffers;
using System.Text.Json;

namespace Spark.Cli.Bench.Latency;

/// <summary>
/// One request of a benchmark turn: the user's message (or, in an agent-like turn's second request, the tool's
/// output), the response it continues and the output limit. With <see cref="ToolChoice"/> set, the request declares
/// the benchmark's one tool, as an agent declares its tools on every request (so the prompt prefix stays the same).
/// </summary>
internal sealed record TurnRequest(string Model, string Input, string? PreviousResponseId, int MaxOutputTokens)
{
    /// <summary>The name of the benchmark's tool.</summary>
    public const string ToolName = "run_command";

    /// <summary><c>required</c> (the model must call the tool), <c>auto</c>, or null to declare no tools.</summary>
    public string? ToolChoice { get; init; }

    /// <summary>When set, the input is this call's <c>function_call_output</c> (with <see cref="Input"/> as the output) instead of a user message.</summary>
    public string? ToolCallId { get; init; }

    /// <summary>The body of <c>POST /v1/responses</c> (streaming).</summary>
    public byte[] HttpBody() => Write(type: null, stream: true);

    /// <summary>The <c>response.create</c> message of the WebSocket mode.</summary>
    public byte[] WebSocketMessage() => Write(type: "response.create", stream: false);

    private byte[] Write(string? type, bool stream)
    {
        var buffer = new ArrayBufferWriter<byte>(Input.Length + 768);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (type is not null) json.WriteString("type", type);
            json.WriteString("model", Model);
            if (ToolCallId is null) json.WriteString("input", Input);
            else
            {
                json.WriteStartArray("input");
                json.WriteStartObject();
                json.WriteString("type", "function_call_output");
                json.WriteString("call_id", ToolCallId);
                json.WriteString("output", Input);
                json.WriteEndObject();
                json.WriteEndArray();
            }
            if (PreviousResponseId is not null) json.WriteString("previous_response_id", PreviousResponseId);
            if (ToolChoice is not null)
            {
                WriteTool(json);
                json.WriteString("tool_choice", ToolChoice);
            }
            json.WriteNumber("max_output_tokens", MaxOutputTokens);
            json.WriteBoolean("store", true);
            if (stream) json.WriteBoolean("stream", true);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    // the command is an enum, so a forced call is a few tokens long and always complete within the output limit
    private static void WriteTool(Utf8JsonWriter json)
    {
        json.WriteStartArray("tools");
        json.WriteStartObject();
        json.WriteString("type", "function");
        json.WriteString("name", ToolName);
        json.WriteString("description", "Runs a command in the project and returns its exit code and output.");
        json.WriteStartObject("parameters");
        json.WriteString("type", "object");
        json.WriteStartObject("properties");
        json.WriteStartObject("command");
        json.WriteString("type", "string");
        json.WriteStartArray("enum");
        json.WriteStringValue("make test");
        json.WriteStringValue("git status");
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartArray("required");
        json.WriteStringValue("command");
        json.WriteEndArray();
        json.WriteBoolean("additionalProperties", false);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndArray();
    }
}

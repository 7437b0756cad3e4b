using System.Buffers;
using System.Text.Json;

namespace Spark.Cli.Bench.Latency;

/// <summary>One turn's request: the user's message, the response it continues and the output limit.</summary>
internal sealed record TurnRequest(string Model, string Input, string? PreviousResponseId, int MaxOutputTokens)
{
    /// <summary>The body of <c>POST /v1/responses</c> (streaming).</summary>
    public byte[] HttpBody() => Write(type: null, stream: true);

    /// <summary>The <c>response.create</c> message of the WebSocket mode.</summary>
    public byte[] WebSocketMessage() => Write(type: "response.create", stream: false);

    private byte[] Write(string? type, bool stream)
    {
        var buffer = new ArrayBufferWriter<byte>(Input.Length + 256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (type is not null) json.WriteString("type", type);
            json.WriteString("model", Model);
            json.WriteString("input", Input);
            if (PreviousResponseId is not null) json.WriteString("previous_response_id", PreviousResponseId);
            json.WriteNumber("max_output_tokens", MaxOutputTokens);
            json.WriteBoolean("store", true);
            if (stream) json.WriteBoolean("stream", true);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}

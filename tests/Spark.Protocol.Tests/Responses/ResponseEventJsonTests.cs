using System.Buffers;
using System.Text;
using System.Text.Json;
using Spark.Protocol.Json;
using Spark.Protocol.Responses;

namespace Spark.Protocol.Tests.Responses;

/// <summary>The hand-written per-token writers produce exactly what serializing the event records does.</summary>
public class ResponseEventJsonTests
{
    private static string Written(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer)) write(json);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void FunctionCallArgumentsDelta_MatchesTheRecord()
    {
        const string delta = "{\"city\": \"Zürich <\\\\n>\"";
        string fast = Written(j => ResponseEventJson.WriteFunctionCallArgumentsDelta(j, 7, "fc_1", 2, delta));
        string record = JsonSerializer.Serialize(new FunctionCallArgumentsDeltaEvent(7, "fc_1", 2, delta), ProtocolJsonContext.Default.FunctionCallArgumentsDeltaEvent);
        Assert.Equal(record, fast);
    }

    [Fact]
    public void OutputTextDelta_MatchesTheRecord()
    {
        string fast = Written(j => ResponseEventJson.WriteOutputTextDelta(j, 3, "msg_1", 0, 0, "hé\n"));
        string record = JsonSerializer.Serialize(new OutputTextDeltaEvent(3, "msg_1", 0, 0, "hé\n"), ProtocolJsonContext.Default.OutputTextDeltaEvent);
        Assert.Equal(record, fast);
    }

    [Fact]
    public void CustomToolCallItem_RoundTrips()
    {
        var item = new CustomToolCallItem { Id = "ctc_1", CallId = "call_1", Name = "apply_patch", Input = "*** Begin Patch\n", Status = "completed" };
        string json = JsonSerializer.Serialize<ResponseItem>(item, ProtocolJsonContext.Default.ResponseItem);
        Assert.Equal("""{"id":"ctc_1","type":"custom_tool_call","status":"completed","call_id":"call_1","name":"apply_patch","input":"*** Begin Patch\n"}""", json);
        Assert.Equal(item, JsonSerializer.Deserialize(json, ProtocolJsonContext.Default.ResponseItem));
        var output = JsonSerializer.Deserialize("""{"type":"custom_tool_call_output","call_id":"call_1","output":"ok"}""", ProtocolJsonContext.Default.ResponseItem);
        Assert.Equal("ok", Assert.IsType<CustomToolCallOutputItem>(output).Output);
    }
}

using Spark.Server.WebSockets;

namespace Spark.Server.Tests.WebSockets;

public class WebSocketEventSinkTests
{
    [Fact]
    public void TextDelta_WithALane_IsWrittenWithoutAllocating()
    {
        // the sink touches its connection only when flushing
        var sink = new WebSocketEventSink(null!, "lane-\"7\"");
        for (int i = 0; i < 64; i++) sink.WriteTextDelta(i, "msg_1", 0, 0, "warm");
        var field = typeof(WebSocketEventSink).GetField("_buffer", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        var buffer = (MessageBuffer)field.GetValue(sink)!;
        var ends = (List<int>)typeof(WebSocketEventSink).GetField("_messageEnds", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(sink)!;

        string first = System.Text.Encoding.UTF8.GetString(buffer.Written.Span[..ends[0]]);
        Assert.Equal("""{"type":"response.output_text.delta","sequence_number":0,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"warm","logprobs":[],"stream_id":"lane-\u00227\u0022"}""", first);
        System.Text.Json.JsonDocument.Parse(first).Dispose();

        buffer.Clear();
        ends.Clear();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 64; i++) sink.WriteTextDelta(i, "msg_1", 0, 0, "tok");
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

using System.Buffers;
using System.Text;
using Spark.Protocol.Chat;
using Spark.Protocol.Json;
using Spark.Protocol.Responses;
using Spark.Protocol.Sse;

namespace Spark.Protocol.Tests.Sse;

public class SseWriterTests
{
    [Fact]
    public void TextDelta_IsOneEventWithTheSerializersJson()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var sse = new SseWriter(buffer);
        ResponseEventJson.WriteOutputTextDelta(sse.BeginEvent(ResponseEventTypes.OutputTextDeltaUtf8), 7, "msg_1", 0, 0, "Hé \"x\"\n");
        sse.EndEvent();

        string expectedJson = System.Text.Json.JsonSerializer.Serialize(
            new OutputTextDeltaEvent(7, "msg_1", 0, 0, "Hé \"x\"\n"), ProtocolJsonContext.Default.OutputTextDeltaEvent);
        Assert.Equal($"event: response.output_text.delta\ndata: {expectedJson}\n\n", Encoding.UTF8.GetString(buffer.WrittenSpan));
        Assert.StartsWith("{\"type\":\"response.output_text.delta\",\"sequence_number\":7,\"item_id\":\"msg_1\"", expectedJson);
    }

    [Fact]
    public void ChatDelta_IsOneDataLineWithTheSerializersJson()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var sse = new SseWriter(buffer);
        ChatChunkJson.WriteContentDelta(sse.BeginEvent(ReadOnlySpan<byte>.Empty), "chatcmpl-1", 1700000000, "spark", "hi");
        sse.EndEvent();
        sse.WriteDone();

        var chunk = new ChatCompletionChunk("chatcmpl-1", 1700000000, "spark", [new ChatChunkChoice(0, new ChatDelta(null, "hi"), null)]);
        string expectedJson = System.Text.Json.JsonSerializer.Serialize(chunk, ProtocolJsonContext.Default.ChatCompletionChunk);
        Assert.Equal($"data: {expectedJson}\n\ndata: [DONE]\n\n", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void WritingDeltas_AllocatesNothingPerToken()
    {
        var buffer = new ArrayBufferWriter<byte>(1 << 16);
        var sse = new SseWriter(buffer);
        string itemId = "msg_0123456789abcdef";
        char[] piece = " the quick".ToCharArray();

        for (int i = 0; i < 100; i++) WriteBoth(sse, buffer, itemId, piece, i); // warm up: buffers reach their size
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++) WriteBoth(sse, buffer, itemId, piece, i);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Contains("\"delta\":\" the quick\"", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    private static void WriteBoth(SseWriter sse, ArrayBufferWriter<byte> buffer, string itemId, char[] piece, int i)
    {
        buffer.ResetWrittenCount();
        ResponseEventJson.WriteOutputTextDelta(sse.BeginEvent(ResponseEventTypes.OutputTextDeltaUtf8), i, itemId, 0, 0, piece);
        sse.EndEvent();
        ChatChunkJson.WriteContentDelta(sse.BeginEvent(ReadOnlySpan<byte>.Empty), itemId, 1700000000, "spark", piece);
        sse.EndEvent();
        sse.WriteComment("keep-alive"u8);
    }

    [Fact]
    public void BeginEvent_Twice_SaysToEndTheFirst()
    {
        var sse = new SseWriter(new ArrayBufferWriter<byte>());
        sse.BeginEvent("a"u8);
        var e = Assert.Throws<InvalidOperationException>(() => sse.BeginEvent("b"u8));
        Assert.Contains("EndEvent", e.Message);
    }
}

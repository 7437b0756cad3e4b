using System.Buffers;
using System.Text;
using System.Text.Json;
using Spark.Protocol.Json;
using Spark.Protocol.Responses;
using Spark.Protocol.Sse;

namespace Spark.Protocol.Tests.Sse;

public class SseReaderTests
{
    private static async Task<List<SseEvent>> Read(string text)
    {
        var events = new List<SseEvent>();
        await foreach (var e in SseReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)))) events.Add(e);
        return events;
    }

    [Fact]
    public async Task Read_SkipsCommentsAndIds_JoinsDataLines_AndKeepsAnUnterminatedLastEvent()
    {
        var events = await Read(": heartbeat\n\nevent: a\nid: 7\ndata: {\"x\":1}\n\ndata: line1\ndata:line2\n\nevent: b\ndata: tail");
        Assert.Equal([new SseEvent("a", "{\"x\":1}"), new SseEvent(null, "line1\nline2"), new SseEvent("b", "tail")], events);
    }

    [Fact]
    public async Task Read_WhatSseWriterWrites_ParsesBackToTheSameEvents()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new SseWriter(buffer);
        var item = new FunctionCallItem { Id = "fc_1", CallId = "c1", Name = "shell", Arguments = "{\"command\":\"ls\"}" };
        writer.WriteEvent(ResponseEventTypes.OutputItemDone, new OutputItemEvent(ResponseEventTypes.OutputItemDone, 3, 0, item), ProtocolJsonContext.Default.OutputItemEvent);
        var json = writer.BeginEvent(ResponseEventTypes.OutputTextDeltaUtf8);
        ResponseEventJson.WriteOutputTextDelta(json, 4, "msg_1", 1, 0, "héllo\n\"x\"");
        writer.EndEvent();
        var response = new ResponseObject { Id = "resp_1", CreatedAt = 1, Status = ResponseStatus.Completed, Model = "m", Output = [item], Usage = ResponseUsage.Of(10, 4, 2) };
        writer.WriteEvent(ResponseEventTypes.Completed, new ResponseLifecycleEvent(ResponseEventTypes.Completed, 5, response), ProtocolJsonContext.Default.ResponseLifecycleEvent);
        writer.WriteComment("ping"u8);

        var parsed = new List<ResponseStreamEvent>();
        foreach (var e in await Read(Encoding.UTF8.GetString(buffer.WrittenSpan))) parsed.Add(ResponseStreamEventParser.Parse(e.Data));

        var done = Assert.IsType<OutputItemEvent>(parsed[0]);
        Assert.Equal(item, done.Item);
        var delta = Assert.IsType<OutputTextDeltaEvent>(parsed[1]);
        Assert.Equal("héllo\n\"x\"", delta.Delta);
        var completed = Assert.IsType<ResponseLifecycleEvent>(parsed[2]);
        Assert.Equal(ResponseEventTypes.Completed, completed.Type);
        Assert.Equal("resp_1", completed.Response.Id);
        Assert.Equal(4, completed.Response.Usage!.InputTokensDetails.CachedTokens);
        Assert.Equal(item, Assert.Single(completed.Response.Output));
    }

    [Fact]
    public void Parse_UnknownEvent_IsKeptByType_AndBadJsonNamesTheProblem()
    {
        var other = Assert.IsType<OtherStreamEvent>(ResponseStreamEventParser.Parse("{\"type\":\"response.reasoning.delta\",\"sequence_number\":9}"));
        Assert.Equal(("response.reasoning.delta", 9), (other.Type, other.SequenceNumber));
        Assert.Contains("string \"type\"", Assert.Throws<JsonException>(() => ResponseStreamEventParser.Parse("[1]")).Message);
        Assert.Contains("malformed 'response.output_item.done' event", Assert.ThrowsAny<JsonException>(() => ResponseStreamEventParser.Parse("{\"type\":\"response.output_item.done\",\"item\":{\"type\":\"function_call\"}}")).Message);
    }
}

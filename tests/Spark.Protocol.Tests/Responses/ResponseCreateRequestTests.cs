using System.Text.Json;
using Spark.Protocol.Json;
using Spark.Protocol.Responses;

namespace Spark.Protocol.Tests.Responses;

public class ResponseCreateRequestTests
{
    private static ResponseCreateRequest Parse(string json) =>
        JsonSerializer.Deserialize(json, ProtocolJsonContext.Default.ResponseCreateRequest)!;

    [Fact]
    public void StringInput_IsOneUserMessage()
    {
        var request = Parse("""{"model":"spark","input":"Hello","max_output_tokens":5,"temperature":0,"stream":true,"metadata":{"k":"v"}}""");
        var message = Assert.IsType<MessageItem>(Assert.Single(request.Input!.Items));
        Assert.Equal("user", message.Role);
        Assert.Equal("Hello", message.Text());
        Assert.Equal(5, request.MaxOutputTokens);
        Assert.Equal(0f, request.Temperature);
        Assert.True(request.Stream);
        Assert.Equal("v", request.Metadata!["k"]);
    }

    [Fact]
    public void ItemInput_ReadsEveryKindAndIgnoresUnknownFields()
    {
        var request = Parse("""
            {"model":"spark","include":["x"],"reasoning":{"effort":"low"},"client_metadata":{"a":1},"text":{"format":{"type":"text"}},
             "tools":[{"type":"function","name":"f","parameters":{"type":"object"}},{"type":"web_search"}],
             "input":[
              {"role":"developer","content":"Be brief."},
              {"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi","annotations":[]}]},
              {"type":"function_call","id":"fc_1","call_id":"call_1","name":"f","arguments":"{}","status":"completed"},
              {"type":"function_call_output","call_id":"call_1","output":[{"type":"input_text","text":"4"},{"type":"input_text","text":"2"}]},
              {"type":"reasoning","id":"rs_1","summary":[]},
              {"type":"message","role":"user","content":[{"type":"input_text","text":"a"},{"type":"input_text","text":"b"}],"future":1}
             ]}
            """);
        var items = request.Input!.Items;
        Assert.Equal(6, items.Count);
        Assert.Equal("Be brief.", Assert.IsType<MessageItem>(items[0]).Text());
        Assert.Equal("msg_1", items[1].Id);
        Assert.Equal("call_1", Assert.IsType<FunctionCallItem>(items[2]).CallId);
        Assert.Equal("42", Assert.IsType<FunctionCallOutputItem>(items[3]).Output);
        Assert.Equal("reasoning", Assert.IsType<OtherItem>(items[4]).Type);
        Assert.Equal("ab", Assert.IsType<MessageItem>(items[5]).Text());
        Assert.Equal(2, request.Tools!.Count);
    }

    [Theory]
    [InlineData("""{"input":"x","max_output_tokens":"ten"}""", "$.max_output_tokens")]
    [InlineData("""{"input":42}""", "$.input")]
    [InlineData("""{"input":[{"role":"user","content":"hi"},{"type":"function_call","call_id":"c"}]}""", "$.input", "input[1]: a function_call item needs \"name\"")]
    [InlineData("""{"input":[{"type":"message","role":"user","content":7}]}""", "$.input", "input[0]: a message's \"content\" must be a string or a list of parts, not a number")]
    public void BadFieldTypes_NameTheField(string json, string path, string? message = null)
    {
        var e = Assert.ThrowsAny<JsonException>(() => Parse(json));
        Assert.Equal(path, e.Path);
        if (message is not null) Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void OutputItems_RoundTripInTheApiShape()
    {
        var response = new ResponseObject
        {
            Id = "resp_1", CreatedAt = 1, Status = ResponseStatus.Completed, Model = "spark",
            Output = [new MessageItem { Id = "msg_1", Role = "assistant", Status = "completed", Content = [ContentPart.OutputText("Hi")] }],
            Usage = ResponseUsage.Of(10, 4, 2),
        };
        string json = JsonSerializer.Serialize(response, ProtocolJsonContext.Default.ResponseObject);
        Assert.Contains("""{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi","annotations":[]}]}""", json);
        Assert.Contains("\"input_tokens_details\":{\"cached_tokens\":4,\"cache_write_tokens\":6}", json);
        Assert.Contains("\"error\":null", json);
        var back = JsonSerializer.Deserialize(json, ProtocolJsonContext.Default.ResponseObject)!;
        Assert.Equal("Hi", back.OutputText());
    }
}

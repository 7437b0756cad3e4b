using Spark.Protocol.Responses;

namespace Spark.Protocol.Tests.Responses;

public class ResponseStreamEventParserTests
{
    [Fact]
    public void WebSocketError_WithItsNestedErrorObject_ReadsAsAnErrorEvent()
    {
        var e = Assert.IsType<ResponseErrorEvent>(ResponseStreamEventParser.Parse(
            """{"type":"error","status":404,"error":{"type":"invalid_request_error","code":"previous_response_not_found","message":"Previous response with id 'resp_x' not found.","param":"previous_response_id"}}"""));
        Assert.Equal("previous_response_not_found", e.Code);
        Assert.Equal("Previous response with id 'resp_x' not found.", e.Message);
        Assert.Equal("previous_response_id", e.Param);

        var flat = Assert.IsType<ResponseErrorEvent>(ResponseStreamEventParser.Parse("""{"type":"error","sequence_number":3,"code":"server_error","message":"boom","param":null}"""));
        Assert.Equal(("server_error", "boom"), (flat.Code, flat.Message));
    }

    [Fact]
    public void SteerEvents_AreTyped()
    {
        var accepted = Assert.IsType<SteerAcceptedEvent>(ResponseStreamEventParser.Parse(
            """{"type":"response.steer.accepted","sequence_number":7,"steer":{"id":"steer_1","previous_response_id":"resp_1"}}"""));
        Assert.Equal(new SteerReference("steer_1", "resp_1"), accepted.Steer);

        var failed = Assert.IsType<SteerFailedEvent>(ResponseStreamEventParser.Parse(
            """{"type":"response.steer.failed","sequence_number":8,"error":{"type":"invalid_request_error","code":"response_already_completed","message":"already ended"},"steer":{"previous_response_id":"resp_1","input":"faster"}}"""));
        Assert.Equal("response_already_completed", failed.Error.Code);
        Assert.Equal("faster", failed.Steer.Input.GetString());

        var pending = Assert.IsType<SteerPendingEvent>(ResponseStreamEventParser.Parse(
            """{"type":"response.steer.pending","sequence_number":9,"reason":"waiting_for_required_input","required_input":[{"type":"function_call_output","call_id":"c1","name":"shell"}],"steer":{"id":"steer_2","previous_response_id":"resp_2"}}"""));
        Assert.Equal("c1", Assert.Single(pending.RequiredInput).CallId);
    }
}

using Spark.Protocol.Responses;

namespace Spark.Agent.Client;

/// <summary>One finished model request: the response as the server reported it and the client's clock readings.</summary>
/// <param name="Response">The final response (status completed or incomplete; failed ones are exceptions).</param>
/// <param name="TimeToFirstOutput">From sending the request to its first output (text delta or item): network plus prefill.</param>
/// <param name="Total">From sending the request to the response's last event.</param>
public sealed record ModelResponse(ResponseObject Response, TimeSpan TimeToFirstOutput, TimeSpan Total)
{
    /// <summary>The function calls the model made, in order.</summary>
    public IReadOnlyList<FunctionCallItem> FunctionCalls => [.. Response.Output.OfType<FunctionCallItem>()];
}

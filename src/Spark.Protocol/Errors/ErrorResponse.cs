using System.Text.Json.Serialization;

namespace Spark.Protocol.Errors;

/// <summary>An OpenAI-shaped error body: <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
/// <param name="Error">What went wrong.</param>
public sealed record ErrorResponse(ErrorBody Error);

/// <summary>The inside of an <see cref="ErrorResponse"/>.</summary>
/// <param name="Message">What went wrong and how to fix it, for a person.</param>
/// <param name="Type">The class of error: <c>invalid_request_error</c>, <c>authentication_error</c>, <c>not_found_error</c>, <c>server_error</c>.</param>
/// <param name="Param">The request field at fault, or null.</param>
/// <param name="Code">A stable machine-readable code (e.g. <c>model_not_found</c>), or null.</param>
public sealed record ErrorBody(
    string Message,
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Param,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Code);

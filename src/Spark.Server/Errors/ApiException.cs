namespace Spark.Server.Errors;

/// <summary>
/// A request the server refuses, with everything an OpenAI-shaped error body needs. Thrown anywhere while handling a
/// request; <see cref="ApiErrors"/> turns it into the HTTP status and body.
/// </summary>
public sealed class ApiException : Exception
{
    /// <summary>Creates the error.</summary>
    public ApiException(int status, string type, string? code, string? param, string message) : base(message)
    {
        Status = status;
        Type = type;
        Code = code;
        Param = param;
    }

    /// <summary>The HTTP status code.</summary>
    public int Status { get; }

    /// <summary>The error type (<c>invalid_request_error</c>, …).</summary>
    public string Type { get; }

    /// <summary>A stable code, or null.</summary>
    public string? Code { get; }

    /// <summary>The request field at fault, or null.</summary>
    public string? Param { get; }

    /// <summary>400 invalid_request_error.</summary>
    public static ApiException BadRequest(string message, string? param = null, string? code = null) =>
        new(400, "invalid_request_error", code, param, message);

    /// <summary>404 for an id or model that does not exist.</summary>
    public static ApiException NotFound(string message, string? param = null, string? code = null) =>
        new(404, "invalid_request_error", code, param, message);
}

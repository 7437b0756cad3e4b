using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Spark.Protocol.Errors;
using Spark.Protocol.Json;

namespace Spark.Server.Errors;

/// <summary>The one place where exceptions become HTTP statuses and OpenAI-shaped error bodies.</summary>
internal static class ApiErrors
{
    /// <summary>Maps <paramref name="e"/> to an <see cref="ApiException"/> (unknown exceptions become 500 server_error).</summary>
    public static ApiException From(Exception e) => e switch
    {
        ApiException api => api,
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => new ApiException(413, "invalid_request_error",
            "request_too_large", null, $"The request body is larger than the server's limit ({e.Message.Trim()}); send a smaller body or start the server with a larger --max-body-bytes."),
        BadHttpRequestException bad => new ApiException(bad.StatusCode, "invalid_request_error", null, null, bad.Message),
        _ => new ApiException(500, "server_error", "server_error", null, $"The server failed: {e.GetType().Name}: {e.Message}"),
    };

    /// <summary>The body of <paramref name="error"/>.</summary>
    public static ErrorResponse Body(ApiException error) => new(new ErrorBody(error.Message, error.Type, error.Param, error.Code));

    /// <summary>Writes <paramref name="error"/> as the response, when nothing has been sent yet.</summary>
    public static Task WriteAsync(HttpContext context, ApiException error)
    {
        context.Response.StatusCode = error.Status;
        return context.Response.WriteAsJsonAsync(Body(error), ProtocolJsonContext.Default.ErrorResponse, cancellationToken: context.RequestAborted);
    }

    /// <summary>
    /// Turns a deserialization failure into a 400 naming the field: <c>max_output_tokens: expected an integer</c>.
    /// </summary>
    public static ApiException FromJson(JsonException e)
    {
        string? param = e.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null;
        string message = e.Message;
        int pathNote = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (pathNote >= 0) message = message[..pathNote];
        const string conversion = "The JSON value could not be converted to ";
        if (message.StartsWith(conversion, StringComparison.Ordinal))
            message = $"Invalid type for '{param ?? "body"}': expected {Expected(message[conversion.Length..])}.";
        else if (param is not null && !message.Contains(param, StringComparison.Ordinal))
            message = $"Invalid value for '{param}': {message}";
        return ApiException.BadRequest(message, param, "invalid_type");
    }

    private static string Expected(string clrType) => clrType switch
    {
        _ when clrType.Contains("Int32", StringComparison.Ordinal) || clrType.Contains("Int64", StringComparison.Ordinal) => "an integer",
        _ when clrType.Contains("Single", StringComparison.Ordinal) || clrType.Contains("Double", StringComparison.Ordinal) => "a number",
        _ when clrType.Contains("Boolean", StringComparison.Ordinal) => "a boolean",
        _ when clrType.StartsWith("System.String", StringComparison.Ordinal) => "a string",
        _ when clrType.Contains("Dictionary", StringComparison.Ordinal) => "an object of string values",
        _ when clrType.Contains("List", StringComparison.Ordinal) => "an array",
        _ => "an object",
    };
}

using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
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
    /// Turns a deserialization failure into a 400 naming the field and the type it needs:
    /// <c>Invalid type for 'max_output_tokens': expected an integer.</c> The field's type is looked up along the
    /// exception's JSON path in <paramref name="root"/>.
    /// </summary>
    public static ApiException FromJson(JsonException e, JsonTypeInfo root)
    {
        string? param = e.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null;
        string message = e.Message;
        int pathNote = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (pathNote >= 0) message = message[..pathNote];
        if (message.StartsWith("The JSON value could not be converted to ", StringComparison.Ordinal))
            message = $"Invalid type for '{param ?? "body"}': expected {Describe(TypeAt(root, param))}.";
        else if (param is not null && !message.Contains(param, StringComparison.Ordinal))
            message = $"Invalid value for '{param}': {message}";
        return ApiException.BadRequest(message, param, "invalid_type");
    }

    private static Type? TypeAt(JsonTypeInfo root, string? path)
    {
        if (path is null) return null;
        var current = root;
        foreach (string segment in path.Replace("[", ".[", StringComparison.Ordinal).Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            Type? next;
            if (current.Kind == JsonTypeInfoKind.Object)
                next = current.Properties.FirstOrDefault(p => p.Name == segment)?.PropertyType;
            else
                next = current.ElementType; // a list index or a dictionary key
            if (next is null) return null;
            current = current.Options.GetTypeInfo(next);
        }
        return current.Type;
    }

    private static string Describe(Type? type)
    {
        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int) || type == typeof(long)) return "an integer";
        if (type == typeof(float) || type == typeof(double)) return "a number";
        if (type == typeof(bool)) return "a boolean";
        if (type == typeof(string)) return "a string";
        if (type is null) return "a different type";
        if (type.IsAssignableTo(typeof(System.Collections.IDictionary)) || type.Name.StartsWith("IReadOnlyDictionary", StringComparison.Ordinal)) return "an object";
        if (type.IsAssignableTo(typeof(System.Collections.IEnumerable))) return "an array";
        return "an object";
    }
}

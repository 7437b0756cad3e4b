namespace Spark.Agent.Client;

/// <summary>
/// The Responses API failed: the server answered with an error status or a failed response, the connection broke,
/// or the stream was malformed. The message says what happened and where.
/// </summary>
public sealed class ResponsesApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ResponsesApiException(string message, int? status = null, string? code = null, Exception? inner = null)
        : base(message, inner)
    {
        Status = status;
        Code = code;
    }

    /// <summary>The HTTP status, when the server answered.</summary>
    public int? Status { get; }

    /// <summary>The API error code (e.g. <c>previous_response_not_found</c>), when the server sent one.</summary>
    public string? Code { get; }

    /// <summary>True when the server no longer knows the <c>previous_response_id</c> (resend the full history).</summary>
    public bool IsPreviousResponseNotFound => Code == "previous_response_not_found";
}

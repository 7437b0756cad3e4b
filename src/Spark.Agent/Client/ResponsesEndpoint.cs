namespace Spark.Agent.Client;

/// <summary>Where a Responses API lives and how to authenticate to it.</summary>
/// <param name="BaseUrl">The API root, e.g. <c>http://127.0.0.1:8080/v1</c> (a root without <c>/v1</c> gets it appended).</param>
/// <param name="ApiKey">Sent as <c>Authorization: Bearer KEY</c> when set.</param>
public sealed record ResponsesEndpoint(Uri BaseUrl, string? ApiKey = null)
{
    /// <summary>How long a request may wait for its response headers before it is given up; the stream itself may run longer.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a streaming response may send nothing at all before it is given up (a hung server must not hang the
    /// agent). Generous: a long prefill is silent unless the server sends heartbeats.
    /// </summary>
    public TimeSpan StreamIdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The URL of <c>POST …/responses</c>.</summary>
    public Uri ResponsesUrl
    {
        get
        {
            string root = BaseUrl.AbsoluteUri.TrimEnd('/');
            if (!root.EndsWith("/v1", StringComparison.Ordinal)) root += "/v1";
            return new Uri(root + "/responses");
        }
    }

    /// <summary>Parses a <c>--base-url</c> value.</summary>
    /// <exception cref="ArgumentException">It is not an absolute http(s) URL.</exception>
    public static Uri ParseBaseUrl(string value)
    {
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new ArgumentException($"--base-url '{value}' is not an http(s) URL; use e.g. http://127.0.0.1:8080/v1.", nameof(value));
        return uri;
    }
}

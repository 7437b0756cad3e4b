using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Spark.Server.Errors;

namespace Spark.Server.Hosting;

/// <summary>With an API key configured, every path but <c>/health</c> needs <c>Authorization: Bearer KEY</c>.</summary>
internal sealed class ApiKeyCheck(string apiKey)
{
    private readonly byte[] _expected = Encoding.UTF8.GetBytes(apiKey);

    public Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (http.Request.Path.Equals("/health", StringComparison.Ordinal)) return next(http);
        string? header = http.Request.Headers.Authorization;
        if (header is null)
            throw new ApiException(401, "authentication_error", "missing_api_key", null,
                "You didn't provide an API key. This server requires 'Authorization: Bearer KEY' (the key given to spark serve with --api-key or SPARK_API_KEY).");
        const string scheme = "Bearer ";
        bool valid = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()), _expected);
        if (!valid)
            throw new ApiException(401, "authentication_error", "invalid_api_key", null,
                "Incorrect API key provided. Send 'Authorization: Bearer KEY' with the key spark serve was started with.");
        return next(http);
    }
}

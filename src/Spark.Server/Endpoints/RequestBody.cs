using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Spark.Server.Errors;

namespace Spark.Server.Endpoints;

/// <summary>
/// Reads a JSON request body in two steps so each failure gets its own clear error: first the syntax
/// (malformed JSON, 400 <c>invalid_json</c>), then the shape (a field of the wrong type, 400 naming the field).
/// Kestrel's body size limit surfaces as 413 through <see cref="ApiErrors"/>.
/// </summary>
internal static class RequestBody
{
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
        }
        catch (JsonException e)
        {
            string detail = e.Message;
            int pathNote = detail.IndexOf(" Path: ", StringComparison.Ordinal);
            if (pathNote >= 0) detail = detail[..pathNote];
            throw ApiException.BadRequest(
                $"We could not parse the JSON body of your request ({detail.TrimEnd('.')}{Where(e)}). Send a JSON object with Content-Type: application/json.",
                code: "invalid_json");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw ApiException.BadRequest("The request body must be a JSON object, e.g. {\"model\":\"spark\",\"input\":\"Hello\"}.", code: "invalid_json");
            try
            {
                return document.RootElement.Deserialize(typeInfo)!;
            }
            catch (JsonException e)
            {
                throw ApiErrors.FromJson(e, typeInfo);
            }
        }
    }

    private static string Where(JsonException e) =>
        e.LineNumber is long line && e.BytePositionInLine is long column ? $" at line {line + 1}, byte {column + 1}" : "";
}

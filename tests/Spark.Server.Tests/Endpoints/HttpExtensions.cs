using System.Text;
using System.Text.Json;

namespace Spark.Server.Tests.Endpoints;

internal static class HttpExtensions
{
    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient http, string path, string json, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead) =>
        http.SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") }, completion);

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    /// <summary>Asserts an OpenAI-shaped error body and returns its <c>error</c> object.</summary>
    public static async Task<JsonElement> ErrorAsync(this HttpResponseMessage response, int status, string? code = null)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal(JsonValueKind.String, error.GetProperty("type").ValueKind);
        Assert.True(error.TryGetProperty("param", out _));
        if (code is not null) Assert.Equal(code, error.GetProperty("code").GetString());
        return error;
    }
}

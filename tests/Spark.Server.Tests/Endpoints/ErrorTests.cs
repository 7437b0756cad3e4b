using System.Text;

namespace Spark.Server.Tests.Endpoints;

/// <summary>Every bad input gets an OpenAI-shaped error with the right status, code, param and a message that says what to do.</summary>
[Collection(ServerCollection.Name)]
public class ErrorTests(ServerFixture server)
{
    private readonly HttpClient _http = server.Http;

    [Theory]
    [InlineData("/v1/responses")]
    [InlineData("/v1/chat/completions")]
    public async Task MalformedJson_Is400InvalidJson(string path)
    {
        using var response = await _http.PostJsonAsync(path, """{"model":"spark-tiny","input":""");
        var error = await response.ErrorAsync(400, "invalid_json");
        Assert.Contains("could not parse the JSON body", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task BodyNotAnObject_Is400()
    {
        using var response = await _http.PostJsonAsync("/v1/responses", "[1,2]");
        var error = await response.ErrorAsync(400, "invalid_json");
        Assert.Contains("must be a JSON object", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("/v1/responses", """{"model":"gpt-9","input":"x"}""")]
    [InlineData("/v1/chat/completions", """{"model":"gpt-9","messages":[{"role":"user","content":"x"}]}""")]
    public async Task UnknownModel_Is404NamingTheServedModel(string path, string json)
    {
        using var response = await _http.PostJsonAsync(path, json);
        var error = await response.ErrorAsync(404, "model_not_found");
        Assert.Equal("model", error.GetProperty("param").GetString());
        Assert.Contains("gpt-9", error.GetProperty("message").GetString());
        Assert.Contains(ServerFixture.ModelId, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task MissingModel_Is400()
    {
        using var response = await _http.PostJsonAsync("/v1/responses", """{"input":"x"}""");
        var error = await response.ErrorAsync(400, "missing_required_parameter");
        Assert.Equal("model", error.GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("""{"model":"spark-tiny","input":"x","max_output_tokens":"ten"}""", "max_output_tokens", "expected an integer")]
    [InlineData("""{"model":"spark-tiny","input":"x","temperature":"hot"}""", "temperature", "expected a number")]
    [InlineData("""{"model":"spark-tiny","input":"x","stream":"yes"}""", "stream", "expected a boolean")]
    [InlineData("""{"model":"spark-tiny","input":"x","metadata":{"a":1}}""", "metadata.a", "expected a string")]
    [InlineData("""{"model":"spark-tiny","input":{"role":"user"}}""", "input", "must be a string or a list of items")]
    [InlineData("""{"model":"spark-tiny","input":[{"type":"message","content":"x"}]}""", "input", "input[0]: a message item needs \"role\"")]
    public async Task BadFieldType_Is400NamingTheField(string json, string param, string message)
    {
        using var response = await _http.PostJsonAsync("/v1/responses", json);
        var error = await response.ErrorAsync(400, "invalid_type");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Contains(message, error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("""{"model":"spark-tiny","input":"x","temperature":3}""", "temperature")]
    [InlineData("""{"model":"spark-tiny","input":"x","top_p":0}""", "top_p")]
    [InlineData("""{"model":"spark-tiny","input":"x","max_output_tokens":0}""", "max_output_tokens")]
    public async Task OutOfRangeValue_Is400NamingTheField(string json, string param)
    {
        using var response = await _http.PostJsonAsync("/v1/responses", json);
        var error = await response.ErrorAsync(400, "invalid_value");
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task MissingInput_Is400()
    {
        using var response = await _http.PostJsonAsync("/v1/responses", """{"model":"spark-tiny"}""");
        var error = await response.ErrorAsync(400, "missing_required_parameter");
        Assert.Equal("input", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task BadChatRole_Is400()
    {
        using var response = await _http.PostJsonAsync("/v1/chat/completions", """{"model":"spark-tiny","messages":[{"role":"robot","content":"x"}]}""");
        var error = await response.ErrorAsync(400, "invalid_value");
        Assert.Equal("messages[0].role", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task OversizedBody_Is413()
    {
        string big = new('a', (int)ServerFixture.BodyLimit + 1000);
        using var response = await _http.PostJsonAsync("/v1/responses", $$"""{"model":"spark-tiny","input":"{{big}}"}""");
        var error = await response.ErrorAsync(413, "request_too_large");
        Assert.Contains("--max-body-bytes", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task PromptLongerThanTheContext_Is400WithTheNumbers()
    {
        string longText = string.Concat(Enumerable.Repeat("the ocean waves roll over stones ", 1600));
        using var response = await _http.PostJsonAsync("/v1/responses", $$"""{"model":"spark-tiny","input":"{{longText}}","stream":true}""");
        var error = await response.ErrorAsync(400, "context_length_exceeded");
        string message = error.GetProperty("message").GetString()!;
        Assert.Contains($"context holds {ServerFixture.ContextLength}", message);
        Assert.Contains("--ctx", message);
    }

    [Fact]
    public async Task MissingApiKey_Is401()
    {
        using var anonymous = server.NewClient(apiKey: null);
        using var response = await anonymous.GetAsync("/v1/models");
        await response.ErrorAsync(401, "missing_api_key");
    }

    [Fact]
    public async Task WrongApiKey_Is401()
    {
        using var wrong = server.NewClient(apiKey: "nope");
        using var response = await wrong.PostJsonAsync("/v1/responses", """{"model":"spark-tiny","input":"x"}""");
        var error = await response.ErrorAsync(401, "invalid_api_key");
        Assert.Equal("authentication_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task UnknownRoute_Is404ListingTheRoutes()
    {
        using var response = await _http.GetAsync("/v1/embeddings");
        var error = await response.ErrorAsync(404, "unknown_route");
        Assert.Contains("/v1/responses", error.GetProperty("message").GetString());
    }
}

using System.Text.Json;
using Spark.Server.Tests.Endpoints;

namespace Spark.Server.Tests.Storage;

/// <summary>What "two servers share conversations" means, checked the same way for every shared store.</summary>
internal static class SharedConversation
{
    /// <summary>
    /// Starts a conversation on <paramref name="first"/> (streamed) and, the moment its terminal event arrives — before
    /// that stream has even ended — continues it on <paramref name="second"/> with <c>previous_response_id</c>; then
    /// reads and deletes it through the other server.
    /// </summary>
    public static async Task AssertSharedAsync(TinyServer first, TinyServer second)
    {
        using var stream = await first.Http.PostJsonAsync("/v1/responses",
            """{"model":"spark-tiny","input":"Hello there","stream":true,"max_output_tokens":4,"temperature":0}""", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)stream.StatusCode);
        JsonElement? terminal = null;
        await foreach (var e in ServerSentEvents.ReadAsync(await stream.Content.ReadAsStreamAsync()))
        {
            if (e.Event is "response.completed" or "response.incomplete")
            {
                terminal = e.Json.GetProperty("response");
                break;
            }
        }
        Assert.NotNull(terminal);
        string id = terminal.Value.GetProperty("id").GetString()!;
        int firstInput = terminal.Value.GetProperty("usage").GetProperty("input_tokens").GetInt32();
        int firstOutput = terminal.Value.GetProperty("usage").GetProperty("output_tokens").GetInt32();

        using var continued = await second.Http.PostJsonAsync("/v1/responses",
            $$"""{"model":"spark-tiny","input":"And then?","previous_response_id":"{{id}}","max_output_tokens":3,"temperature":0}""");
        var body = await continued.JsonAsync();
        Assert.True(continued.IsSuccessStatusCode, body.GetRawText());
        Assert.Equal(id, body.GetProperty("previous_response_id").GetString());
        // the second server's prompt holds the first turn (its input and output) before the new input
        Assert.True(body.GetProperty("usage").GetProperty("input_tokens").GetInt32() > firstInput + firstOutput,
            $"the continued prompt ({body.GetProperty("usage").GetProperty("input_tokens")} tokens) should contain the first turn ({firstInput} + {firstOutput} tokens)");
        string secondId = body.GetProperty("id").GetString()!;

        // and back: the first server continues the second server's response
        using var third = await first.Http.PostJsonAsync("/v1/responses",
            $$"""{"model":"spark-tiny","input":"Go on","previous_response_id":"{{secondId}}","max_output_tokens":2,"temperature":0}""");
        Assert.True(third.IsSuccessStatusCode, await third.Content.ReadAsStringAsync());

        using (var fetched = await second.Http.GetAsync($"/v1/responses/{id}"))
            Assert.Equal(terminal.Value.GetProperty("output").GetRawText(), (await fetched.JsonAsync()).GetProperty("output").GetRawText());
        using (var deleted = await second.Http.DeleteAsync($"/v1/responses/{id}"))
            Assert.True((await deleted.JsonAsync()).GetProperty("deleted").GetBoolean());
        using (var gone = await first.Http.GetAsync($"/v1/responses/{id}"))
            await gone.ErrorAsync(404, "response_not_found");
        using var orphan = await first.Http.PostJsonAsync("/v1/responses",
            $$"""{"model":"spark-tiny","input":"Hi","previous_response_id":"{{id}}","max_output_tokens":2}""");
        await orphan.ErrorAsync(404, "previous_response_not_found");
    }
}

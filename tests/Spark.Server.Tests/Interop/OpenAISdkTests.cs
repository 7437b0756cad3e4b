using System.ClientModel;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Responses;

namespace Spark.Server.Tests.Interop;

/// <summary>The official OpenAI .NET SDK (NuGet <c>OpenAI</c>) as the client, unchanged: only the endpoint differs.</summary>
[Collection(ServerCollection.Name)]
public class OpenAISdkTests(ServerFixture server)
{
    private OpenAIClient Client() => new(new ApiKeyCredential(ServerFixture.ApiKey),
        new OpenAIClientOptions { Endpoint = new Uri(server.BaseAddress, "/v1") });

    [Fact]
    public async Task Responses_Streaming()
    {
        var responses = Client().GetResponsesClient();
        var options = new CreateResponseOptions { Model = ServerFixture.ModelId, MaxOutputTokenCount = 10, Temperature = 0, StreamingEnabled = true };
        options.InputItems.Add(ResponseItem.CreateUserMessageItem("Tell me a story"));

        var text = new System.Text.StringBuilder();
        ResponseResult? final = null;
        var kinds = new List<string>();
        await foreach (var update in await responses.CreateResponseStreamingAsync(options))
        {
            kinds.Add(update.GetType().Name);
            if (update is StreamingResponseOutputTextDeltaUpdate delta) text.Append(delta.Delta);
            if (update is StreamingResponseIncompleteUpdate incomplete) final = incomplete.Response;
            if (update is StreamingResponseCompletedUpdate completed) final = completed.Response;
        }

        Assert.Contains(nameof(StreamingResponseCreatedUpdate), kinds);
        Assert.NotNull(final);
        Assert.Equal(text.ToString(), final.GetOutputText());
        Assert.Equal(10, final.Usage.OutputTokenCount);
        Assert.True(text.Length > 0);
    }

    [Fact]
    public async Task Responses_NonStreaming_ThenContinuation()
    {
        var responses = Client().GetResponsesClient();
        var firstOptions = new CreateResponseOptions { Model = ServerFixture.ModelId, MaxOutputTokenCount = 8 };
        firstOptions.InputItems.Add(ResponseItem.CreateUserMessageItem("Write a haiku"));
        var first = (await responses.CreateResponseAsync(firstOptions)).Value;
        Assert.StartsWith("resp_", first.Id);
        Assert.NotNull(first.GetOutputText());

        var options = new CreateResponseOptions { Model = ServerFixture.ModelId, PreviousResponseId = first.Id, MaxOutputTokenCount = 4 };
        options.InputItems.Add(ResponseItem.CreateUserMessageItem("Another"));
        var second = (await responses.CreateResponseAsync(options)).Value;
        Assert.True(second.Usage.InputTokenDetails.CachedTokenCount > 0);

        var fetched = (await responses.GetResponseAsync(second.Id)).Value;
        Assert.Equal(second.GetOutputText(), fetched.GetOutputText());
    }

    [Fact]
    public async Task ChatCompletions_Streaming()
    {
        var chat = Client().GetChatClient(ServerFixture.ModelId);
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 6, Temperature = 0 };
        var text = new System.Text.StringBuilder();
        ChatFinishReason? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Hello")], options))
        {
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            finish ??= update.FinishReason;
        }
        Assert.Equal(ChatFinishReason.Length, finish);
        Assert.True(text.Length > 0);
    }
}

using System.ClientModel;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Responses;
using Spark.Server.Tests.Tools;

namespace Spark.Server.Tests.Interop;

/// <summary>Tool calling through the official OpenAI .NET SDK, unchanged: Responses round trip and chat tools.</summary>
[Collection(ServerCollection.Name)]
public class OpenAISdkToolTests(ServerFixture server)
{
    private const string WeatherSchema =
        """{"type":"object","properties":{"city":{"type":"string","maxLength":20},"unit":{"enum":["celsius","fahrenheit"]}},"required":["city","unit"],"additionalProperties":false}""";

    private OpenAIClient Client() => new(new ApiKeyCredential(ServerFixture.ApiKey),
        new OpenAIClientOptions { Endpoint = new Uri(server.BaseAddress, "/v1") });

    [Fact]
    public async Task Responses_FunctionCall_ThenFunctionCallOutput_RoundTrip()
    {
        var responses = Client().GetResponsesClient();
        var options = new CreateResponseOptions
        {
            Model = ServerFixture.ModelId,
            Temperature = 0,
            MaxOutputTokenCount = 600,
            ToolChoice = ResponseToolChoice.CreateRequiredChoice(),
        };
        options.Tools.Add(ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString(WeatherSchema), strictModeEnabled: true, functionDescription: "Weather for a city"));
        options.InputItems.Add(ResponseItem.CreateUserMessageItem("What is the weather in Paris?"));
        var first = (await responses.CreateResponseAsync(options)).Value;

        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(first.OutputItems));
        Assert.Equal("get_weather", call.FunctionName);
        SchemaCheck.AssertValid(WeatherSchema, call.FunctionArguments.ToString());

        var next = new CreateResponseOptions { Model = ServerFixture.ModelId, PreviousResponseId = first.Id, Temperature = 0, MaxOutputTokenCount = 5 };
        next.Tools.Add(ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString(WeatherSchema), strictModeEnabled: true, functionDescription: "Weather for a city"));
        next.InputItems.Add(ResponseItem.CreateFunctionCallOutputItem(call.CallId, """{"temperature": 21}"""));
        var second = (await responses.CreateResponseAsync(next)).Value;
        Assert.True(second.Usage.InputTokenDetails.CachedTokenCount > 0, $"cached {second.Usage.InputTokenDetails.CachedTokenCount} of {second.Usage.InputTokenCount}; first {first.Usage.InputTokenCount}+{first.Usage.OutputTokenCount}");
        Assert.True(second.Usage.InputTokenCount > first.Usage.InputTokenCount);
        Assert.NotEmpty(second.OutputItems);

        // the same round trip resent in full, as stateless clients do
        var full = new CreateResponseOptions { Model = ServerFixture.ModelId, Temperature = 0, MaxOutputTokenCount = 3 };
        full.InputItems.Add(ResponseItem.CreateUserMessageItem("What is the weather in Paris?"));
        full.InputItems.Add(call);
        full.InputItems.Add(ResponseItem.CreateFunctionCallOutputItem(call.CallId, """{"temperature": 21}"""));
        var third = (await responses.CreateResponseAsync(full)).Value;
        Assert.NotEmpty(third.OutputItems);
    }

    [Fact]
    public async Task Chat_WithTools_RequiredChoice_ReturnsToolCalls()
    {
        var chat = Client().GetChatClient(ServerFixture.ModelId);
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 600, ToolChoice = ChatToolChoice.CreateRequiredChoice() };
        options.Tools.Add(ChatTool.CreateFunctionTool("get_weather", "Weather for a city", BinaryData.FromString(WeatherSchema)));
        List<OpenAI.Chat.ChatMessage> messages = [new UserChatMessage("Weather in Oslo?")];
        var completion = (await chat.CompleteChatAsync(messages, options)).Value;

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        var call = Assert.Single(completion.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        SchemaCheck.AssertValid(WeatherSchema, call.FunctionArguments.ToString());

        messages.Add(new AssistantChatMessage(completion));
        messages.Add(new ToolChatMessage(call.Id, """{"temperature": -3}"""));
        var next = (await chat.CompleteChatAsync(messages, new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 4 })).Value;
        Assert.NotEqual(ChatFinishReason.ToolCalls, next.FinishReason);
    }
}

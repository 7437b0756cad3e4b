using System.Text.Json.Nodes;
using Spark.Engine.Templates;

namespace Spark.Engine.Tests.Templates;

public class ChatPromptFormatterTests
{
    private static JsonArray Messages() => JsonNode.Parse("""
        [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
        """)!.AsArray();

    private const string ChatMl = "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n";

    [Fact]
    public void Format_WithTemplate_RendersTheModelTemplateWithTokens()
    {
        var warnings = new List<string>();
        var formatter = new ChatPromptFormatter(
            "{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}",
            bosToken: "<s>", warn: warnings.Add);
        Assert.Equal("<s>[system]Be brief.[user]Hi[assistant]", formatter.Format(Messages(), addGenerationPrompt: true));
        Assert.False(formatter.UsesFallback);
        Assert.Empty(warnings);
    }

    [Fact]
    public void Format_WithTools_PassesThemToTheTemplate()
    {
        var formatter = new ChatPromptFormatter("{{ tools|length }}{{ tools is defined }}");
        Assert.Equal("1true", formatter.Format(Messages(), false, JsonNode.Parse("[{\"name\": \"f\"}]")!.AsArray()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Format_NoTemplate_FallsBackToChatMlAndWarnsOnce(string? source)
    {
        var warnings = new List<string>();
        var formatter = new ChatPromptFormatter(source, warn: warnings.Add);
        Assert.Equal(ChatMl, formatter.Format(Messages(), addGenerationPrompt: true));
        Assert.Equal(ChatMl, formatter.Format(Messages(), addGenerationPrompt: true));
        Assert.True(formatter.UsesFallback);
        var warning = Assert.Single(warnings);
        Assert.Contains("ChatML", warning);
        Assert.Contains("no chat template", warning);
    }

    [Fact]
    public void Format_TemplateWithSyntaxError_FallsBackAndSaysWhy()
    {
        var warnings = new List<string>();
        var formatter = new ChatPromptFormatter("{% if %}", warn: warnings.Add);
        Assert.Equal(ChatMl, formatter.Format(Messages(), addGenerationPrompt: true));
        Assert.Contains("line 1", Assert.Single(warnings));
    }

    [Fact]
    public void Format_TemplateUsingUnsupportedFilter_FallsBackAndWarnsOnce()
    {
        var warnings = new List<string>();
        var formatter = new ChatPromptFormatter("{{ messages|frobnicate }}", warn: warnings.Add);
        Assert.Equal(ChatMl, formatter.Format(Messages(), addGenerationPrompt: true));
        Assert.Equal(ChatMl, formatter.Format(Messages(), addGenerationPrompt: true));
        Assert.Contains("frobnicate", Assert.Single(warnings));
    }

    [Fact]
    public void Format_TemplateRaisingOnPurpose_Rethrows()
    {
        var formatter = new ChatPromptFormatter("{{ raise_exception('System role not supported') }}");
        var e = Assert.Throws<ChatTemplateException>(() => formatter.Format(Messages(), true));
        Assert.Equal("System role not supported", e.Message);
    }

    [Fact]
    public void FormatChatMl_WithoutGenerationPrompt_EndsAfterLastMessage() =>
        Assert.Equal("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n",
            ChatPromptFormatter.FormatChatMl(Messages(), addGenerationPrompt: false));
}

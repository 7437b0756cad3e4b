using System.Text.Json.Nodes;

namespace Spark.Engine.Templates;

/// <summary>
/// A parsed chat template: the Jinja template GGUF models carry in <c>tokenizer.chat_template</c>, rendered the way
/// Hugging Face's <c>@huggingface/jinja</c> renders it (lstrip_blocks and trim_blocks on).
/// Parse once, render for every request; a parsed template is immutable and safe to share between threads.
/// </summary>
public sealed class ChatTemplate
{
    private readonly List<TemplateNode> _nodes;

    private ChatTemplate(List<TemplateNode> nodes) => _nodes = nodes;

    /// <summary>Parses template source.</summary>
    /// <exception cref="ChatTemplateException">The source has a syntax error (the message gives line and column) or
    /// uses a statement the interpreter does not support (named in the message).</exception>
    public static ChatTemplate Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new ChatTemplate(TemplateParser.Parse(source));
    }

    /// <summary>
    /// Renders the template with <paramref name="variables"/> as its globals (usually <c>messages</c>,
    /// <c>add_generation_prompt</c>, <c>bos_token</c>, <c>eos_token</c> and, when offered, <c>tools</c>).
    /// </summary>
    /// <exception cref="ChatTemplateException">The template called <c>raise_exception</c> (the message is the
    /// template's), used an unsupported filter, test or method, or failed at run time.</exception>
    public string Render(JsonObject variables, ChatTemplateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var globals = new TemplateScope(null);
        foreach (var (name, value) in variables) globals.Set(name, TemplateValues.FromJson(value));
        return RenderWith(globals, options);
    }

    /// <summary>
    /// Renders with the chat variables given directly: what <see cref="Render(JsonObject, ChatTemplateOptions?)"/>
    /// renders for an object holding them, without first copying <paramref name="messages"/> and
    /// <paramref name="tools"/> into one (a JSON node has one parent, so that object would need deep clones).
    /// </summary>
    internal string RenderChat(JsonArray messages, bool addGenerationPrompt, string bosToken, string eosToken, JsonArray? tools, ChatTemplateOptions? options)
    {
        var globals = new TemplateScope(null);
        globals.Set("messages", TemplateValues.FromJson(messages));
        globals.Set("add_generation_prompt", addGenerationPrompt);
        globals.Set("bos_token", bosToken);
        globals.Set("eos_token", eosToken);
        if (tools is not null) globals.Set("tools", TemplateValues.FromJson(tools));
        return RenderWith(globals, options);
    }

    private string RenderWith(TemplateScope globals, ChatTemplateOptions? options) =>
        new TemplateInterpreter(options?.Now ?? DateTime.Now).Render(_nodes, globals);
}

using System.Text;
using System.Text.Json.Nodes;

namespace Spark.Engine.Templates;

/// <summary>
/// Turns chat messages into prompt text with the model's own chat template, falling back to the built-in ChatML
/// format (<c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>) when the model has no template or its template
/// uses something this interpreter does not support. The fallback is reported once through <c>warn</c>.
/// </summary>
public sealed class ChatPromptFormatter
{
    private readonly ChatTemplate? _template;
    private readonly Action<string>? _warn;
    private readonly string _bosToken;
    private readonly string _eosToken;
    private int _warned;

    /// <summary>Creates a formatter for a model's template text (null or empty when the model has none).</summary>
    /// <param name="templateSource">The GGUF <c>tokenizer.chat_template</c>, or null.</param>
    /// <param name="bosToken">The text of the model's beginning-of-sequence token, given to the template as <c>bos_token</c>.</param>
    /// <param name="eosToken">The text of the model's end-of-sequence token, given to the template as <c>eos_token</c>.</param>
    /// <param name="warn">Told once, in words, when the built-in ChatML format is used instead of the model's template.</param>
    public ChatPromptFormatter(string? templateSource, string bosToken = "", string eosToken = "", Action<string>? warn = null)
    {
        _warn = warn;
        _bosToken = bosToken;
        _eosToken = eosToken;
        if (string.IsNullOrEmpty(templateSource))
        {
            Warn("the model has no chat template; using the built-in ChatML format");
            return;
        }
        try
        {
            _template = ChatTemplate.Parse(templateSource);
        }
        catch (ChatTemplateException e)
        {
            Warn($"the model's chat template cannot be used ({e.Message}); using the built-in ChatML format");
        }
    }

    /// <summary>True when prompts come from the built-in ChatML format rather than the model's template.</summary>
    public bool UsesFallback => _template is null;

    /// <summary>
    /// Renders <paramref name="messages"/> (objects with <c>role</c> and <c>content</c>, and optionally
    /// <c>tool_calls</c>) and, when given, <paramref name="tools"/>. Errors the template raises on purpose
    /// (<c>raise_exception</c>) are rethrown: they mean the conversation does not fit the model.
    /// </summary>
    /// <exception cref="ChatTemplateException">The template rejected the conversation.</exception>
    public string Format(JsonArray messages, bool addGenerationPrompt, JsonArray? tools = null, ChatTemplateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (_template is not null)
        {
            try
            {
                return _template.RenderChat(messages, addGenerationPrompt, _bosToken, _eosToken, tools, options);
            }
            catch (ChatTemplateException e) when (e.IsUnsupported)
            {
                Warn($"the model's chat template cannot be used ({e.Message}); using the built-in ChatML format");
            }
        }
        return FormatChatMl(messages, addGenerationPrompt);
    }

    /// <summary>The built-in ChatML format: each message as <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>.</summary>
    public static string FormatChatMl(JsonArray messages, bool addGenerationPrompt)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var sb = new StringBuilder();
        foreach (var message in messages)
        {
            string role = message?["role"]?.GetValue<string>() ?? "user";
            var content = message?["content"];
            string text = content is JsonValue v && v.TryGetValue(out string? s) ? s : content?.ToJsonString() ?? "";
            sb.Append("<|im_start|>").Append(role).Append('\n').Append(text).Append("<|im_end|>\n");
        }
        if (addGenerationPrompt) sb.Append("<|im_start|>assistant\n");
        return sb.ToString();
    }

    private void Warn(string message)
    {
        if (Interlocked.Exchange(ref _warned, 1) == 0) _warn?.Invoke(message);
    }
}

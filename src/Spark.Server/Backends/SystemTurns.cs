using System.Text.Json.Nodes;

namespace Spark.Server.Backends;

/// <summary>
/// Many chat templates keep only the first message as the system prompt (Llama 2's drops the others silently, some
/// raise an error), while clients send several: Codex CLI sends its instructions and then more developer messages.
/// For such templates the leading run of system messages is merged into one, so all of them reach the prompt.
/// </summary>
internal static class SystemTurns
{
    /// <summary>Merges the leading system messages of <paramref name="messages"/> (rendered chat messages) into the first.</summary>
    public static JsonArray MergeLeading(JsonArray messages)
    {
        int run = 0;
        while (run < messages.Count && IsSystem(messages[run])) run++;
        if (run < 2) return messages;
        var parts = new List<string>(run);
        for (int i = 0; i < run; i++)
            if (messages[i]!["content"]?.GetValue<string>() is { Length: > 0 } content) parts.Add(content);
        var merged = new JsonArray { new JsonObject { ["role"] = "system", ["content"] = string.Join("\n\n", parts) } };
        for (int i = run; i < messages.Count; i++) merged.Add(messages[i]!.DeepClone());
        return merged;
    }

    /// <summary>
    /// Whether a template keeps only one system message: it drops a second one (its text does not appear) or fails
    /// on it. <paramref name="render"/> renders messages with the template.
    /// </summary>
    public static bool TemplateKeepsOnlyOne(Func<JsonArray, string> render)
    {
        const string First = "SPARKPROBEFIRSTSYSTEM", Second = "SPARKPROBESECONDSYSTEM";
        try
        {
            return !render([
                new JsonObject { ["role"] = "system", ["content"] = First },
                new JsonObject { ["role"] = "system", ["content"] = Second },
                new JsonObject { ["role"] = "user", ["content"] = "Hello" },
            ]).Contains(Second, StringComparison.Ordinal);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return true; // templates that raise_exception on a second system message
        }
    }

    private static bool IsSystem(JsonNode? message) =>
        message is JsonObject o && o["role"]?.GetValue<string>() == "system" && o["content"] is JsonValue && o["tool_calls"] is null;
}

namespace Spark.Server.Backends;

/// <summary>
/// How a replayed tool call and its result are written into a chat turn when the model's template has no tool support
/// (<see cref="Tools.ToolPrompt"/>): the Qwen2.5/Hermes convention (<c>&lt;tool_call&gt;</c> in the assistant turn, <c>&lt;tool_response&gt;</c> in
/// a user turn), which such models were trained on and other models read as plain text.
/// </summary>
internal static class ToolTurnText
{
    public static string Call(string name, string arguments) =>
        $"<tool_call>\n{{\"name\": \"{name}\", \"arguments\": {arguments}}}\n</tool_call>";

    public static string Result(string output) => $"<tool_response>\n{output}\n</tool_response>";
}

using Spark.Protocol.Responses;
using Spark.Server.Backends;

namespace Spark.Server.Responses;

/// <summary>
/// Turns Responses items into the chat messages a template renders. Function calls and their outputs become text
/// turns (<see cref="ToolTurnText"/>) so a model sees a replayed tool round trip; items Spark does not use
/// (reasoning, …) are left out.
/// </summary>
internal static class Conversation
{
    public static List<ChatTurn> ToChat(string? instructions, IEnumerable<ResponseItem> items)
    {
        var turns = new List<ChatTurn>();
        if (!string.IsNullOrEmpty(instructions)) turns.Add(new ChatTurn("system", instructions));
        foreach (var item in items)
        {
            switch (item)
            {
                case MessageItem message:
                    turns.Add(new ChatTurn(message.Role == "developer" ? "system" : message.Role, message.Text()));
                    break;
                case FunctionCallItem call:
                    turns.Add(new ChatTurn("assistant", ToolTurnText.Call(call.Name, call.Arguments)));
                    break;
                case FunctionCallOutputItem output:
                    turns.Add(new ChatTurn("user", ToolTurnText.Result(output.Output)));
                    break;
            }
        }
        return turns;
    }
}

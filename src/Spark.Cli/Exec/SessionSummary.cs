using Spark.Agent.Sessions;
using Spark.Protocol.Responses;

namespace Spark.Cli.Exec;

/// <summary>
/// A recorded conversation as a few readable lines: each user prompt (›), each tool call (•) with the first line of
/// its result, and each answer (‹), shortened to fit a terminal line.
/// </summary>
internal static class SessionSummary
{
    private const int Width = 100;

    public static IEnumerable<string> Lines(RecordedSession session)
    {
        yield return $"session {session.Info.Id} · {session.Info.Model} · {session.Info.Cwd} · {session.Turns} turn(s), {session.Items.Count} items";
        foreach (var item in session.Items)
        {
            switch (item)
            {
                case MessageItem { Role: "user" } user:
                    yield return "› " + Short(user.Text());
                    break;
                case MessageItem { Role: "assistant" } answer:
                    yield return "  ‹ " + Short(answer.Text());
                    break;
                case FunctionCallItem call:
                    yield return $"  • {call.Name} {Short(call.Arguments)}";
                    break;
                case FunctionCallOutputItem output:
                    yield return "    └ " + Short(output.Output);
                    break;
            }
        }
    }

    private static string Short(string text)
    {
        string line = text.ReplaceLineEndings(" ⏎ ").Trim();
        return line.Length <= Width ? line : line[..Width] + "…";
    }
}

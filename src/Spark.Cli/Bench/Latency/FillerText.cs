using System.Text;

namespace Spark.Cli.Bench.Latency;

/// <summary>
/// The text of benchmark turns: plain English words, about one token each with common BPE vocabularies, so a
/// word count stands in for a token count without the client needing the server's tokenizer.
/// </summary>
internal static class FillerText
{
    private static readonly string[] Words =
        ("the agent reads the file then runs the tests and looks at the failing case before it edits the code "
        + "a small change in one place keeps the build green while the review stays short and easy to follow").Split(' ');

    /// <summary>
    /// The first turn's message: a tag unique to the conversation first (so no conversation's prompt is served from
    /// another one's KV cache), then filler up to about <paramref name="tokens"/> words.
    /// </summary>
    public static string FirstTurn(string conversationTag, int tokens)
    {
        var text = new StringBuilder(tokens * 6 + 64);
        text.Append("Conversation ").Append(conversationTag).Append(". Summarise this log:");
        for (int i = 0; i < tokens; i++) text.Append(' ').Append(Words[i % Words.Length]);
        return text.ToString();
    }

    /// <summary>What the benchmark's tool "printed": the output an agent sends back as <c>function_call_output</c>.</summary>
    public static string ToolOutput(int turn) =>
        $"exit code 0\n12 tests passed in 0.4 s (run {turn})\n";

    /// <summary>A later turn's short follow-up, as an agent sends after a tool result.</summary>
    public static string FollowUp(int turn) =>
        $"Turn {turn}: the command finished with exit code 0 and printed 12 lines; continue with the next step.";
}

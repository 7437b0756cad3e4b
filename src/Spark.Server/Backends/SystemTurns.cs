namespace Spark.Server.Backends;

/// <summary>
/// Many chat templates keep only the first message as the system prompt (Llama 2's drops the others silently, some
/// raise an error), while clients send several: Codex CLI sends <c>instructions</c> and then developer messages.
/// Merging the leading run of system turns into one keeps all of them in the prompt with every template.
/// </summary>
internal static class SystemTurns
{
    public static IReadOnlyList<ChatTurn> MergeLeading(IReadOnlyList<ChatTurn> turns)
    {
        int run = 0;
        while (run < turns.Count && turns[run].Role == "system") run++;
        if (run < 2) return turns;
        var merged = new List<ChatTurn>(turns.Count - run + 1)
        {
            new("system", string.Join("\n\n", turns.Take(run).Select(t => t.Content).Where(c => c.Length > 0))),
        };
        for (int i = run; i < turns.Count; i++) merged.Add(turns[i]);
        return merged;
    }
}

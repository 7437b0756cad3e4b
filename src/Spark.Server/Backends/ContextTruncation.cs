namespace Spark.Server.Backends;

/// <summary>
/// <c>truncation: "auto"</c>: drops the oldest turns of a conversation until its prompt fits the context. System
/// (instructions, developer) turns, the latest user turn and the newest turn are never dropped; an assistant turn that
/// made tool calls is dropped together with the tool results answering it, so no call loses its output (or the reverse).
/// </summary>
internal static class ContextTruncation
{
    /// <summary>
    /// The droppable units of <paramref name="turns"/>, oldest first: each a turn index range (start, count) — one
    /// message, or an assistant turn that made tool calls together with the tool turns answering it (and any user
    /// messages between them).
    /// </summary>
    public static List<(int Start, int Count)> DroppableUnits(IReadOnlyList<ChatTurn> turns)
    {
        var units = new List<(int Start, int Count)>();
        int lastUser = -1;
        for (int i = turns.Count - 1; i >= 0; i--)
        {
            if (turns[i].Role == "user")
            {
                lastUser = i;
                break;
            }
        }
        for (int i = 0; i < turns.Count;)
        {
            int end = i + 1;
            if (turns[i].ToolCalls is { Count: > 0 })
            {
                // A call's results stay with it, also when user messages (a steer sent while the tools ran) came between
                // the call and its results: they go with the unit rather than leave a result without its call.
                for (int j = end; j < turns.Count && turns[j].Role is not ("assistant" or "system"); j++)
                    if (turns[j].Role == "tool") end = j + 1;
            }
            else if (turns[i].Role != "system")
            {
                while (end < turns.Count && turns[end].Role == "tool") end++;
            }
            bool kept = turns[i].Role == "system" || (lastUser >= i && lastUser < end) || end == turns.Count;
            if (!kept) units.Add((i, end - i));
            i = end;
        }
        return units;
    }

    /// <summary><paramref name="turns"/> without the first <paramref name="count"/> of <paramref name="units"/>.</summary>
    public static List<ChatTurn> WithoutOldest(IReadOnlyList<ChatTurn> turns, List<(int Start, int Count)> units, int count)
    {
        var dropped = new bool[turns.Count];
        for (int u = 0; u < count; u++)
            for (int i = units[u].Start; i < units[u].Start + units[u].Count; i++) dropped[i] = true;
        var kept = new List<ChatTurn>(turns.Count);
        for (int i = 0; i < turns.Count; i++) if (!dropped[i]) kept.Add(turns[i]);
        return kept;
    }

    /// <summary>
    /// Drops as few of the oldest units as make <paramref name="tryFit"/> succeed (it renders a conversation and returns
    /// null when that does not fit), by binary search: a few renders even for a long history. Returns the first success
    /// and how many turns were dropped, or null when even dropping every droppable unit does not fit.
    /// </summary>
    public static (T Result, int DroppedTurns)? Fit<T>(IReadOnlyList<ChatTurn> turns, Func<IReadOnlyList<ChatTurn>, T?> tryFit) where T : class
    {
        var units = DroppableUnits(turns);
        if (units.Count == 0) return null;
        var all = tryFit(WithoutOldest(turns, units, units.Count));
        if (all is null) return null;
        int lo = 1, hi = units.Count; // dropping hi units fits; find the fewest that do
        T best = all;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (tryFit(WithoutOldest(turns, units, mid)) is { } fits)
            {
                best = fits;
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }
        int droppedTurns = 0;
        for (int u = 0; u < hi; u++) droppedTurns += units[u].Count;
        return (best, droppedTurns);
    }
}

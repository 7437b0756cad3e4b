namespace Spark.Server.Routing;

/// <summary>
/// The <c>[auto]</c> section: how the <c>auto</c> model picks the fast or the full model for a turn, and whether a
/// failed fast turn is retried on the full model. The rules are checked in this order and the first that matches
/// decides: (1) <c>reasoning.effort</c> in <see cref="FullEfforts"/> → full, in <see cref="FastEfforts"/> → fast;
/// (2) the latest user message contains one of <see cref="Keywords"/> (case-insensitive) → full; (3) more than
/// <see cref="ToolsOver"/> tools offered → full; (4) instructions plus conversation longer than
/// <see cref="PromptCharsOver"/> characters → full; otherwise fast.
/// </summary>
public sealed record AutoPolicy
{
    /// <summary>The fast model's alias.</summary>
    public string Fast { get; init; } = "spark";

    /// <summary>The full model's alias.</summary>
    public string Full { get; init; } = "full";

    /// <summary>Reasoning efforts that pick the full model.</summary>
    public IReadOnlyList<string> FullEfforts { get; init; } = ["high"];

    /// <summary>Reasoning efforts that pick the fast model.</summary>
    public IReadOnlyList<string> FastEfforts { get; init; } = ["minimal", "low"];

    /// <summary>Words that, in the latest user message, pick the full model.</summary>
    public IReadOnlyList<string> Keywords { get; init; } = [];

    /// <summary>More tools than this pick the full model.</summary>
    public int ToolsOver { get; init; } = 32;

    /// <summary>A longer prompt (instructions and conversation, in characters) picks the full model.</summary>
    public int PromptCharsOver { get; init; } = 32_000;

    /// <summary>Whether a fast turn that fails before any output (upstream error, context overflow) is retried once on the full model.</summary>
    public bool Escalate { get; init; } = true;

    /// <summary>Applies the rules; returns the alias and the rule that decided, for metadata and logs.</summary>
    public (string Model, string Reason) Choose(RouteInput input)
    {
        if (input.ReasoningEffort is { } effort)
        {
            if (Contains(FullEfforts, effort)) return (Full, $"reasoning.effort {effort}");
            if (Contains(FastEfforts, effort)) return (Fast, $"reasoning.effort {effort}");
        }
        if (input.LatestUserText is { Length: > 0 } text)
            foreach (string keyword in Keywords)
                if (text.Contains(keyword, StringComparison.OrdinalIgnoreCase)) return (Full, $"keyword '{keyword}'");
        if (input.ToolCount > ToolsOver) return (Full, $"{input.ToolCount} tools > {ToolsOver}");
        if (input.PromptChars > PromptCharsOver) return (Full, $"prompt {input.PromptChars} chars > {PromptCharsOver}");
        return (Fast, "no rule matched");
    }

    private static bool Contains(IReadOnlyList<string> values, string value)
    {
        foreach (string v in values) if (string.Equals(v, value, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}

/// <summary>What the auto policy looks at in a request.</summary>
/// <param name="PromptChars">Characters of instructions and conversation text.</param>
/// <param name="ToolCount">Tools offered.</param>
/// <param name="ReasoningEffort">The request's <c>reasoning.effort</c>, if any.</param>
/// <param name="LatestUserText">The newest user message's text.</param>
public sealed record RouteInput(int PromptChars, int ToolCount, string? ReasoningEffort, string? LatestUserText);

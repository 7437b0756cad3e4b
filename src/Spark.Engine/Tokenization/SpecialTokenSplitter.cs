namespace Spark.Engine.Tokenization;

/// <summary>A piece of the input: either raw text (<see cref="Token"/> is -1) or one special token.</summary>
internal readonly record struct Fragment(int Token, int Start, int Length)
{
    public bool IsText => Token < 0;
}

/// <summary>
/// Cuts special-token text out of the input before tokenization, as llama.cpp's tokenizer_st_partition:
/// control, user-defined and unknown tokens, longest text first, each over every fragment still raw.
/// Without <c>parseSpecial</c> only user-defined tokens are cut out (Hugging Face's added tokens that are not special);
/// control and unknown token text is then tokenized as plain text.
/// </summary>
internal sealed class SpecialTokenSplitter
{
    private readonly Vocabulary _vocab;
    private readonly int[] _ordered;

    public SpecialTokenSplitter(Vocabulary vocab)
    {
        _vocab = vocab;
        var ids = new List<int>();
        for (int id = 0; id < vocab.Count; id++)
        {
            if (vocab.Has(id, TokenAttributes.Control | TokenAttributes.UserDefined | TokenAttributes.Unknown)) ids.Add(id);
        }
        // longest first; the id keeps equal lengths in a fixed order
        ids.Sort((a, b) => vocab.Text(a).Length != vocab.Text(b).Length ? vocab.Text(b).Length.CompareTo(vocab.Text(a).Length) : a.CompareTo(b));
        _ordered = ids.ToArray();
    }

    /// <summary>The ids considered, in matching order.</summary>
    public IReadOnlyList<int> Candidates => _ordered;

    public List<Fragment> Split(string text, bool parseSpecial)
    {
        var fragments = new List<Fragment>();
        if (text.Length == 0) return fragments;
        fragments.Add(new Fragment(-1, 0, text.Length));
        var next = new List<Fragment>();

        foreach (int id in _ordered)
        {
            var attrs = _vocab.Attributes(id);
            if (!parseSpecial && (attrs & (TokenAttributes.Control | TokenAttributes.Unknown)) != 0) continue;
            string token = _vocab.Text(id);
            if (token.Length > text.Length) continue;

            bool changed = false;
            next.Clear();
            foreach (var f in fragments)
            {
                if (!f.IsText)
                {
                    next.Add(f);
                    continue;
                }
                int pos = f.Start, end = f.Start + f.Length;
                while (pos < end)
                {
                    int at = text.AsSpan(pos, end - pos).IndexOf(token, StringComparison.Ordinal);
                    if (at < 0)
                    {
                        next.Add(new Fragment(-1, pos, end - pos));
                        break;
                    }
                    changed = true;
                    int match = pos + at;
                    int leftLength = match - pos;
                    if ((attrs & TokenAttributes.LStrip) != 0)
                        while (leftLength > 0 && IsCSpace(text[pos + leftLength - 1])) leftLength--;
                    if (leftLength > 0) next.Add(new Fragment(-1, pos, leftLength));
                    next.Add(new Fragment(id, match, token.Length));
                    pos = match + token.Length;
                    if ((attrs & TokenAttributes.RStrip) != 0)
                        while (pos < end && IsCSpace(text[pos])) pos++;
                }
            }
            if (changed) (fragments, next) = (next, fragments);
        }
        return fragments;
    }

    /// <summary>
    /// Whether the text of a special token <see cref="Split"/> would consider occurs across position
    /// <paramref name="cut"/> of <paramref name="text"/> (starting before it, ending after it). When none does, the
    /// text before the cut and the text after it split the same on their own as inside the whole text, provided the
    /// fragment ending at the cut is a special token that strips no whitespace after it and ends in a non-space
    /// character (see <see cref="PromptPrefixMemo"/>).
    /// </summary>
    public bool Straddles(string text, int cut, bool parseSpecial)
    {
        foreach (int id in _ordered)
        {
            var attrs = _vocab.Attributes(id);
            if (!parseSpecial && (attrs & (TokenAttributes.Control | TokenAttributes.Unknown)) != 0) continue;
            string token = _vocab.Text(id);
            if (token.Length < 2) continue; // one character cannot be on both sides
            // every occurrence inside this window starts before the cut and ends after it
            int from = Math.Max(0, cut - token.Length + 1), to = Math.Min(text.Length, cut + token.Length - 1);
            if (to - from >= token.Length && text.AsSpan(from, to - from).IndexOf(token, StringComparison.Ordinal) >= 0) return true;
        }
        return false;
    }

    /// <summary>Whether a special-token fragment ending a prefix lets the text after it split on its own (no RStrip, and its last character stops a following token's LStrip).</summary>
    public bool EndsCleanly(int token) =>
        (_vocab.Attributes(token) & TokenAttributes.RStrip) == 0 && _vocab.Text(token) is { Length: > 0 } text && !IsCSpace(text[^1]);

    // C's isspace in the "C" locale, which llama.cpp uses for LSTRIP/RSTRIP
    private static bool IsCSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}

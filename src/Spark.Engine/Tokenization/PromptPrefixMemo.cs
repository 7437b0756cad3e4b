namespace Spark.Engine.Tokenization;

/// <summary>
/// Remembers the tokens of the last few prompts up to their last special token, so the next request of a
/// conversation — whose prompt starts with the previous one's text — tokenizes only what follows: the previous
/// answer and the new messages, not the whole conversation again. Exact, not approximate: special tokens are cut out
/// of the text before the BPE/SentencePiece encoders run, so the tokens before a special token never depend on the
/// text after it; <see cref="Tokenizer.Encode"/> reuses an entry only when no special token's text straddles the cut
/// (<see cref="SpecialTokenSplitter.Straddles"/>), the cut token swallows no whitespace after it (no RStrip) and ends
/// in a character that stops a following token's LStrip — otherwise it tokenizes the whole text. Holds references
/// to the prompts (no copies); the least recently used entry is forgotten first. Thread-safe.
/// </summary>
internal sealed class PromptPrefixMemo
{
    /// <summary>Prompts remembered: a few conversations at once (the server's KV sessions, with room for prewarms).</summary>
    public const int Capacity = 8;

    private readonly List<Entry> _entries = new(Capacity); // most recently used last
    private readonly Lock _lock = new();

    /// <summary>Texts whose tokens started from a remembered prefix (tests and diagnostics).</summary>
    public long Hits { get; private set; }

    /// <summary>A text whose first <see cref="Length"/> characters tokenize to <see cref="Tokens"/> (BOS first when <see cref="AddSpecial"/> and the model adds it).</summary>
    public sealed record Entry(string Text, int Length, bool AddSpecial, int[] Tokens);

    /// <summary>The entry with the longest prefix of <paramref name="text"/>, or null.</summary>
    public Entry? Find(string text, bool addSpecial)
    {
        lock (_lock)
        {
            int best = -1;
            for (int i = 0; i < _entries.Count; i++)
            {
                var e = _entries[i];
                if (e.AddSpecial != addSpecial || e.Length > text.Length || (best >= 0 && e.Length <= _entries[best].Length)) continue;
                if (text.AsSpan(0, e.Length).SequenceEqual(e.Text.AsSpan(0, e.Length))) best = i;
            }
            if (best < 0) return null;
            var found = _entries[best];
            _entries.RemoveAt(best);
            _entries.Add(found);
            return found;
        }
    }

    /// <summary>Counts a text tokenized from a remembered prefix.</summary>
    public void Hit()
    {
        lock (_lock) Hits++;
    }

    /// <summary>Remembers <paramref name="entry"/>, replacing an entry it extends or repeats.</summary>
    public void Add(Entry entry)
    {
        lock (_lock)
        {
            for (int i = _entries.Count - 1; i >= 0; i--)
            {
                var e = _entries[i];
                // an earlier prompt of the same conversation: the new entry covers it
                if (e.AddSpecial == entry.AddSpecial && e.Length <= entry.Length && entry.Text.AsSpan(0, e.Length).SequenceEqual(e.Text.AsSpan(0, e.Length)))
                    _entries.RemoveAt(i);
            }
            if (_entries.Count == Capacity) _entries.RemoveAt(0);
            _entries.Add(entry);
        }
    }
}

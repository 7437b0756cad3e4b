namespace Spark.Engine.Tokenization;

/// <summary>
/// Remembers the tokens of long text fragments (the raw text between two special tokens) so a chat prompt, which is
/// re-rendered in full for every request of a conversation, costs only its new messages to tokenize: the tools block
/// and every earlier message are fragments seen before. Exact, not approximate: a fragment's tokens depend only on
/// its text (and, for SentencePiece, whether a space prefix is added), never on what surrounds it, because special
/// tokens split the input before the BPE/SPM encoders run. Bounded by total characters; cleared when full.
/// Thread-safe: requests tokenize concurrently.
/// </summary>
internal sealed class FragmentMemo
{
    /// <summary>Fragments shorter than this are encoded directly: cheap, and too many to be worth keeping.</summary>
    public const int MinLength = 64;

    private const int MaxChars = 4 * 1024 * 1024;

    private readonly Dictionary<string, int[]> _withPrefix = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int[]> _plain = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _chars;

    /// <summary>Fragments found in the memo (tests and diagnostics).</summary>
    public long Hits { get; private set; }

    /// <summary>The remembered tokens of <paramref name="fragment"/>, or null.</summary>
    public int[]? Find(string fragment, bool spacePrefix)
    {
        lock (_lock)
        {
            if (!(spacePrefix ? _withPrefix : _plain).TryGetValue(fragment, out var tokens)) return null;
            Hits++;
            return tokens;
        }
    }

    /// <summary>Keeps <paramref name="tokens"/> as <paramref name="fragment"/>'s encoding.</summary>
    public void Add(string fragment, bool spacePrefix, int[] tokens)
    {
        lock (_lock)
        {
            if (_chars + fragment.Length > MaxChars)
            {
                _withPrefix.Clear();
                _plain.Clear();
                _chars = 0;
            }
            if ((spacePrefix ? _withPrefix : _plain).TryAdd(fragment, tokens)) _chars += fragment.Length;
        }
    }
}

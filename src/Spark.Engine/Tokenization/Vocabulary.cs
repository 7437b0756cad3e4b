namespace Spark.Engine.Tokenization;

/// <summary>
/// The token table: text, score and attributes per id, and a text → id lookup that accepts spans
/// so the encoders can probe substrings without allocating.
/// </summary>
internal sealed class Vocabulary
{
    private readonly string[] _texts;
    private readonly float[] _scores;
    private readonly TokenAttributes[] _attributes;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public Vocabulary(string[] texts, float[]? scores, TokenAttributes[] attributes)
    {
        _texts = texts;
        _scores = scores ?? new float[texts.Length];
        _attributes = attributes;
        _ids = new Dictionary<string, int>(texts.Length, StringComparer.Ordinal);
        for (int i = 0; i < texts.Length; i++)
        {
            if (texts[i].Length == 0) texts[i] = $"[EMPTY_{i}]"; // as llama.cpp: an empty token can never match
            _ids.TryAdd(texts[i], i); // the first id wins when a reader's UTF-8 repair made two texts equal
            MaxTokenLength = Math.Max(MaxTokenLength, texts[i].Length);
        }
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _texts.Length;

    /// <summary>The longest token text, in UTF-16 chars.</summary>
    public int MaxTokenLength { get; }

    public string Text(int id) => _texts[id];

    public float Score(int id) => _scores[id];

    public TokenAttributes Attributes(int id) => _attributes[id];

    public void SetAttributes(int id, TokenAttributes attributes) => _attributes[id] = attributes;

    public bool Has(int id, TokenAttributes flags) => (_attributes[id] & flags) != 0;

    /// <summary>The id whose text is exactly <paramref name="text"/>, or -1.</summary>
    public int Find(ReadOnlySpan<char> text) => _lookup.TryGetValue(text, out int id) ? id : -1;

    /// <summary>The id whose text is exactly <paramref name="text"/>, or -1.</summary>
    public int Find(string text) => _ids.TryGetValue(text, out int id) ? id : -1;
}

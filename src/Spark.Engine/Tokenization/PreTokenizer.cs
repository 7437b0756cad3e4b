using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Spark.Engine.Tokenization;

/// <summary>
/// Splits text into the words a BPE tokenizer merges within, by a sequence of regular expressions applied
/// one after another (each splits every piece the previous one left; text between matches stays a piece),
/// as Hugging Face's Split/ByteLevel pre-tokenizers and llama.cpp's <c>unicode_regex_split</c> do.
/// </summary>
/// <remarks>
/// The patterns must see one character per Unicode code point with its real category, but .NET's Regex works
/// on UTF-16 and gives the halves of a surrogate pair category Cs. So matching runs on a "shadow" string: one
/// char per code point, where a code point above U+FFFF is replaced by a BMP stand-in of the same general
/// category (chosen outside the literal ranges the patterns use). Match positions are then code-point indices.
/// </remarks>
internal sealed class PreTokenizer
{
    private static readonly char[] s_standIns = BuildStandIns();
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Regex> s_compiled = new(StringComparer.Ordinal);
    private readonly Regex[] _patterns;

    public PreTokenizer(string name, string[] patterns, bool ignoreMerges = false, bool cleanSpaces = true, bool addBos = false, bool noBos = false)
    {
        Name = name;
        // compiled once per process: compiling costs milliseconds, matching is then fast and thread-safe
        _patterns = Array.ConvertAll(patterns, p => s_compiled.GetOrAdd(p, static q => new Regex(q, RegexOptions.CultureInvariant | RegexOptions.Compiled)));
        IgnoreMerges = ignoreMerges;
        CleanSpaces = cleanSpaces;
        AddBos = addBos;
        NoBos = noBos;
    }

    /// <summary>The llama.cpp pre-tokenizer name this was created for.</summary>
    public string Name { get; }

    /// <summary>A word that is itself a token is emitted whole, without merging (llama.cpp's ignore_merges).</summary>
    public bool IgnoreMerges { get; }

    /// <summary>Decoding removes spaces before punctuation, as Hugging Face's clean_up_tokenization_spaces.</summary>
    public bool CleanSpaces { get; }

    /// <summary>The model family adds BOS by default (overridden by <c>tokenizer.ggml.add_bos_token</c>).</summary>
    public bool AddBos { get; }

    /// <summary>The model family has no BOS token unless the metadata names one.</summary>
    public bool NoBos { get; }

    /// <summary>Appends the pieces of <paramref name="text"/> to <paramref name="output"/> as (start, length) in UTF-16 units.</summary>
    public void Split(string text, List<(int Start, int Length)> output)
    {
        if (text.Length == 0) return;
        string shadow = Shadow(text, out int[]? starts);

        var pieces = new List<(int Start, int Length)> { (0, shadow.Length) };
        var next = new List<(int Start, int Length)>();
        foreach (var regex in _patterns)
        {
            next.Clear();
            foreach (var (start, length) in pieces)
            {
                int pos = start, end = start + length;
                foreach (var m in regex.EnumerateMatches(shadow.AsSpan(start, length)))
                {
                    if (m.Length == 0) continue;
                    int ms = start + m.Index;
                    if (ms > pos) next.Add((pos, ms - pos));
                    next.Add((ms, m.Length));
                    pos = ms + m.Length;
                }
                if (pos < end) next.Add((pos, end - pos));
            }
            (pieces, next) = (next, pieces);
        }

        foreach (var (start, length) in pieces)
        {
            if (starts is null) output.Add((start, length));
            else output.Add((starts[start], starts[start + length] - starts[start]));
        }
    }

    /// <summary>
    /// The text with one char per code point (the text itself when it has no surrogates), and for the other case
    /// the UTF-16 start of every code point (plus the end).
    /// </summary>
    internal static string Shadow(string text, out int[]? starts)
    {
        starts = null;
        if (text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0) return text;

        var chars = new char[text.Length];
        var map = new List<int>(text.Length + 1);
        int n = 0;
        for (int i = 0; i < text.Length;)
        {
            map.Add(i);
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out Rune rune, out int used) != System.Buffers.OperationStatus.Done)
                rune = Rune.ReplacementChar;
            chars[n++] = rune.IsBmp ? (char)rune.Value : s_standIns[(int)Rune.GetUnicodeCategory(rune)];
            i += used;
        }
        map.Add(text.Length);
        starts = map.ToArray();
        return new string(chars, 0, n);
    }

    private static char[] BuildStandIns()
    {
        // The first BMP char of each category, searched where no pattern has literal ranges
        // (Latin-1 and the blocks up to U+07FF, then private use and the compatibility area, then Yi/Vai).
        var result = new char[32];
        Array.Fill(result, '\uFFFD');
        var found = new bool[32];
        foreach (var (lo, hi) in new[] { (0x80, 0x7FF), (0xE000, 0xFFFD), (0xA000, 0xABFF) })
        {
            for (int c = lo; c <= hi; c++)
            {
                int cat = (int)CharUnicodeInfo.GetUnicodeCategory((char)c);
                if (!found[cat] && !char.IsWhiteSpace((char)c))
                {
                    found[cat] = true;
                    result[cat] = (char)c;
                }
            }
        }
        return result;
    }
}

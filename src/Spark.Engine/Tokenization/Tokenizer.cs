using System.Text;
using Spark.Engine.Gguf;

namespace Spark.Engine.Tokenization;

/// <summary>
/// Turns text into token ids and back for a GGUF model, exactly as llama.cpp does: SentencePiece BPE
/// (<c>tokenizer.ggml.model = llama</c>) or byte-level BPE (<c>gpt2</c>) with the pre-tokenizer named by
/// <c>tokenizer.ggml.pre</c>. Create one with <see cref="FromGguf"/>; it is immutable and safe to share between threads.
/// For decoding generated tokens one at a time, use a <see cref="StreamingDecoder"/>.
/// </summary>
public sealed class Tokenizer
{
    private const char EscapedSpace = '\u2581';

    private readonly Vocabulary _vocab;
    private readonly SpecialTokenIds _ids;
    private readonly PreTokenizer? _pre;
    private readonly SpmEncoder? _spm;
    private readonly BpeEncoder? _bpe;
    private readonly SpecialTokenSplitter _splitter;
    private readonly FragmentMemo _memo = new();
    private readonly PromptPrefixMemo _prefixes = new();
    private readonly bool _addSpacePrefix;
    private readonly bool _cleanSpaces;
    private readonly byte[][] _pieces;

    internal Tokenizer(string model, string preTokenizer, Vocabulary vocab, SpecialTokenIds ids, PreTokenizer? pre, string[]? merges,
        bool addBos, bool addEos, bool addSpacePrefix, bool cleanSpaces)
    {
        Model = model;
        PreTokenizer = preTokenizer;
        _vocab = vocab;
        _ids = ids;
        _pre = pre;
        AddBos = addBos;
        AddEos = addEos;
        _addSpacePrefix = addSpacePrefix;
        _cleanSpaces = cleanSpaces;
        if (pre is null) _spm = new SpmEncoder(vocab, ids.Unknown);
        else _bpe = new BpeEncoder(vocab, merges ?? [], pre.IgnoreMerges);
        _splitter = new SpecialTokenSplitter(vocab);
        _pieces = new byte[vocab.Count][];
        for (int id = 0; id < vocab.Count; id++)
        {
            _pieces[id] = BuildPiece(id);
            MaxPieceLength = Math.Max(MaxPieceLength, _pieces[id].Length);
        }
    }

    /// <summary>Builds the tokenizer described by a GGUF file's <c>tokenizer.ggml.*</c> metadata.</summary>
    /// <exception cref="TokenizerException">The metadata is missing or inconsistent, or names a tokenizer model or pre-tokenizer Spark does not support (the message lists the supported ones).</exception>
    public static Tokenizer FromGguf(GgufMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return TokenizerLoader.Load(metadata);
    }

    /// <summary>Every <c>tokenizer.ggml.pre</c> value Spark supports for byte-level BPE models.</summary>
    public static IReadOnlyList<string> SupportedPreTokenizers => PreTokenizerCatalog.SupportedNames;

    /// <summary>The tokenizer algorithm: <c>spm</c> (SentencePiece BPE) or <c>bpe</c> (byte-level BPE).</summary>
    public string Model { get; }

    /// <summary>The pre-tokenizer name from <c>tokenizer.ggml.pre</c> (<c>default</c> when absent).</summary>
    public string PreTokenizer { get; }

    /// <summary>The number of tokens in the vocabulary.</summary>
    public int VocabSize => _vocab.Count;

    /// <summary>The beginning-of-sequence token, or null when the model has none.</summary>
    public int? BosId => _ids.Bos;

    /// <summary>The end-of-sequence token, or null when the model has none.</summary>
    public int? EosId => _ids.Eos;

    /// <summary>The end-of-turn token (e.g. <c>&lt;|eot_id|&gt;</c>, <c>&lt;|im_end|&gt;</c>), or null.</summary>
    public int? EotId => _ids.Eot;

    /// <summary>Whether <see cref="Encode"/> with <c>addSpecial</c> puts BOS first.</summary>
    public bool AddBos { get; }

    /// <summary>Whether <see cref="Encode"/> with <c>addSpecial</c> puts EOS last.</summary>
    public bool AddEos { get; }

    /// <summary>The longest byte rendering of any token (control tokens included).</summary>
    public int MaxPieceLength { get; }

    /// <summary>Whether generating <paramref name="id"/> ends generation: EOS, EOT, EOM and the other end tokens llama.cpp treats so.</summary>
    public bool IsEndOfGeneration(int id) => _ids.EndOfGeneration.Contains(id);

    /// <summary>
    /// Tokenizes <paramref name="text"/>. With <paramref name="addSpecial"/>, BOS and EOS are added as the model's metadata
    /// says (<see cref="AddBos"/>, <see cref="AddEos"/>). With <paramref name="parseSpecial"/>, text spelling a control token
    /// (e.g. <c>&lt;|im_start|&gt;</c>) becomes that token; without it such text is tokenized as plain text.
    /// User-defined tokens are always matched, as in llama.cpp and Hugging Face.
    /// </summary>
    public int[] Encode(string text, bool addSpecial, bool parseSpecial) => EncodeCore(text, addSpecial, parseSpecial, reusePrompts: true);

    /// <summary>
    /// <see cref="Encode(string, bool, bool)"/>; without <paramref name="reusePrompts"/> the whole text is tokenized
    /// even when it continues a remembered prompt (what the reuse is tested against).
    /// </summary>
    internal int[] EncodeCore(string text, bool addSpecial, bool parseSpecial, bool reusePrompts)
    {
        ArgumentNullException.ThrowIfNull(text);
        var output = new List<int>();
        // a prompt that continues a recent one (the next request of a conversation) starts from that one's tokens
        bool prefixes = reusePrompts && parseSpecial && !(addSpecial && AddEos);
        int start = 0;
        if (prefixes && _prefixes.Find(text, addSpecial) is { } known && !_splitter.Straddles(text, known.Length, parseSpecial))
        {
            output.AddRange(known.Tokens);
            start = known.Length;
            _prefixes.Hit();
        }
        else if (addSpecial && AddBos)
        {
            output.Add(_ids.Bos!.Value);
        }

        var (cut, cutTokens) = EncodeFrom(text, start, parseSpecial, output);
        if (prefixes && cut > start && !_splitter.Straddles(text, cut, parseSpecial))
            _prefixes.Add(new PromptPrefixMemo.Entry(text, cut, addSpecial, output.GetRange(0, cutTokens).ToArray()));

        if (addSpecial && AddEos) output.Add(_ids.Eos!.Value);
        return output.ToArray();
    }

    /// <summary>Prompts whose tokens started from a remembered prompt's (tests and diagnostics).</summary>
    internal long PrefixHits => _prefixes.Hits;

    /// <summary>
    /// Tokenizes <paramref name="text"/> from <paramref name="start"/> (0, or just after a special token) into
    /// <paramref name="output"/>; returns where the last special token that can end a remembered prefix ends, and
    /// how many tokens <paramref name="output"/> held then ((0, 0) when there is none).
    /// </summary>
    private (int Cut, int Tokens) EncodeFrom(string text, int start, bool parseSpecial, List<int> output)
    {
        (int Cut, int Tokens) boundary = (0, 0);
        string part = start == 0 ? text : text.Substring(start);
        bool prevSpecial = true;
        var pieces = new List<(int Start, int Length)>();
        foreach (var f in _splitter.Split(part, parseSpecial))
        {
            if (!f.IsText)
            {
                output.Add(f.Token);
                prevSpecial = true;
                if (_splitter.EndsCleanly(f.Token)) boundary = (start + f.Start + f.Length, output.Count);
                continue;
            }
            bool spacePrefix = _spm != null && _addSpacePrefix && prevSpecial;
            prevSpecial = false;
            if (f.Length >= FragmentMemo.MinLength)
            {
                string fragment = part.Substring(f.Start, f.Length);
                if (_memo.Find(fragment, spacePrefix) is { } known)
                {
                    output.AddRange(known);
                    continue;
                }
                int before = output.Count;
                EncodeFragment(fragment, spacePrefix, output, pieces);
                _memo.Add(fragment, spacePrefix, output.GetRange(before, output.Count - before).ToArray());
            }
            else
            {
                EncodeFragment(part.Substring(f.Start, f.Length), spacePrefix, output, pieces);
            }
        }
        return boundary;
    }

    /// <summary>Fragments whose tokens came from the memo rather than the encoder (tests and diagnostics).</summary>
    internal long MemoHits => _memo.Hits;

    // one run of raw text between special tokens: its tokens depend on nothing around it
    private void EncodeFragment(string fragment, bool spacePrefix, List<int> output, List<(int Start, int Length)> pieces)
    {
        if (_spm != null)
        {
            _spm.Encode(EscapeSpaces(fragment, spacePrefix), output);
            return;
        }
        pieces.Clear();
        _pre!.Split(fragment, pieces);
        foreach (var (start, length) in pieces)
            _bpe!.EncodeWord(ByteLevel.EncodeUtf8(fragment.AsSpan(start, length)), output);
    }

    /// <summary>The token's text as stored in the vocabulary (e.g. <c>▁Hello</c>, <c>ĠHello</c>, <c>&lt;0x0A&gt;</c>).</summary>
    public string TokenText(int id)
    {
        CheckId(id);
        return _vocab.Text(id);
    }

    /// <summary>The bytes the token stands for in output text; control and unknown tokens give none.</summary>
    public byte[] TokenBytes(int id) => TokenBytes(id, renderSpecial: false);

    /// <summary>The bytes the token stands for in output text; control and unknown tokens give their text when <paramref name="renderSpecial"/>.</summary>
    public byte[] TokenBytes(int id, bool renderSpecial)
    {
        CheckId(id);
        return Piece(id, renderSpecial).ToArray();
    }

    /// <summary>
    /// Decodes a whole sequence as llama.cpp's detokenize: pieces concatenated, the leading space a SentencePiece prefix
    /// added is removed, control tokens left out, spaces before punctuation cleaned where the model does so,
    /// and invalid UTF-8 replaced by U+FFFD.
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids) => Decode(ids, renderSpecial: false);

    /// <summary>As <see cref="Decode(ReadOnlySpan{int})"/>, rendering control tokens as their text when <paramref name="renderSpecial"/>.</summary>
    public string Decode(ReadOnlySpan<int> ids, bool renderSpecial)
    {
        var bytes = new List<byte>();
        bool removeSpace = _addSpacePrefix;
        foreach (int id in ids)
        {
            CheckId(id);
            var piece = Piece(id, renderSpecial);
            if (removeSpace && piece.Length > 0 && piece[0] == (byte)' ') piece = piece[1..];
            removeSpace = false;
            foreach (byte b in piece) bytes.Add(b);
        }
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes);
        if (_cleanSpaces) span = span[..DecodeCleanup.CleanSpaces(span)];
        return Encoding.UTF8.GetString(span);
    }

    internal ReadOnlySpan<byte> Piece(int id, bool renderSpecial)
    {
        if (!renderSpecial && _vocab.Has(id, TokenAttributes.Control | TokenAttributes.Unknown)) return [];
        return _pieces[id];
    }

    internal void CheckId(int id)
    {
        if ((uint)id >= (uint)_vocab.Count)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"token id {id} is outside the vocabulary (0..{_vocab.Count - 1})");
    }

    // SentencePiece's whitespace escaping, with the optional leading space (llama_escape_whitespace)
    private static char[] EscapeSpaces(ReadOnlySpan<char> text, bool prefix)
    {
        var escaped = new char[text.Length + (prefix ? 1 : 0)];
        int o = 0;
        if (prefix) escaped[o++] = EscapedSpace;
        foreach (char c in text) escaped[o++] = c == ' ' ? EscapedSpace : c;
        return escaped;
    }

    // the token's output bytes with special tokens rendered, as llama.cpp's token_to_piece(special = true)
    private byte[] BuildPiece(int id)
    {
        string text = _vocab.Text(id);
        var attrs = _vocab.Attributes(id);
        if ((attrs & (TokenAttributes.Control | TokenAttributes.Unknown | TokenAttributes.UserDefined)) != 0)
            return Encoding.UTF8.GetBytes(text);
        if ((attrs & TokenAttributes.Normal) != 0)
        {
            if (_spm != null) return Encoding.UTF8.GetBytes(text.Replace(EscapedSpace, ' '));
            var bytes = new List<byte>(text.Length);
            foreach (char c in text)
            {
                if (ByteLevel.TryDecode(c, out byte b)) bytes.Add(b);
                else bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
            return bytes.ToArray();
        }
        if ((attrs & TokenAttributes.Byte) != 0 && text.Length == 6 && text.StartsWith("<0x", StringComparison.Ordinal)
            && byte.TryParse(text.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out byte value))
            return [value];
        return [];
    }
}

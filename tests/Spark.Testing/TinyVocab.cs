using Spark.Engine.Gguf;

namespace Spark.Testing;

/// <summary>
/// Builds GGUF tokenizer metadata for tiny hand-written vocabularies: tokens with scores and types, merges,
/// and any other key. <see cref="Metadata"/> writes it with <see cref="GgufWriter"/> and reads it back.
/// </summary>
public sealed class TinyVocab
{
    /// <summary>Token types as GGUF stores them.</summary>
    public const int Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6;

    private readonly List<string> _tokens = [];
    private readonly List<float> _scores = [];
    private readonly List<int> _types = [];
    private readonly List<string> _merges = [];
    private readonly List<Action<GgufWriter>> _extra = [];
    private readonly HashSet<string> _omit = [];
    private readonly string? _model;

    private TinyVocab(string? model) => _model = model;

    /// <summary>A SentencePiece vocabulary (<c>tokenizer.ggml.model = llama</c>) starting with &lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;.</summary>
    public static TinyVocab Spm() => new TinyVocab("llama").Add("<unk>", 0, Unknown).Add("<s>", 0, Control).Add("</s>", 0, Control);

    /// <summary>A byte-level BPE vocabulary (<c>gpt2</c>) with the given pre-tokenizer (null: no pre key) and no tokens yet.</summary>
    public static TinyVocab Bpe(string? pre = "gpt-2")
    {
        var v = new TinyVocab("gpt2");
        return pre is null ? v : v.Set("tokenizer.ggml.pre", pre);
    }

    /// <summary>A vocabulary with the given model name (null: no model key), for error tests.</summary>
    public static TinyVocab WithModel(string? model) => new(model);

    /// <summary>The id the next added token gets.</summary>
    public int NextId => _tokens.Count;

    /// <summary>Adds a token.</summary>
    public TinyVocab Add(string text, float score = 0, int type = Normal)
    {
        _tokens.Add(text);
        _scores.Add(score);
        _types.Add(type);
        return this;
    }

    /// <summary>Adds the 256 SentencePiece byte tokens &lt;0x00&gt; … &lt;0xFF&gt;.</summary>
    public TinyVocab AddByteTokens()
    {
        for (int b = 0; b < 256; b++) Add($"<0x{b:X2}>", 0, Byte);
        return this;
    }

    /// <summary>Adds the 256 GPT-2 byte-level characters as tokens, in byte order.</summary>
    public TinyVocab AddByteLevelAlphabet()
    {
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= 0x21 and <= 0x7E or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            Add(((char)(printable ? b : 256 + next++)).ToString());
        }
        return this;
    }

    /// <summary>Adds a merge rule; earlier rules have lower rank and apply first.</summary>
    public TinyVocab Merge(string left, string right)
    {
        _merges.Add(left + " " + right);
        return this;
    }

    /// <summary>Sets a string key.</summary>
    public TinyVocab Set(string key, string value) => With(w => w.Set(key, value));

    /// <summary>Sets an integer key (as UInt32, the width llama.cpp writes).</summary>
    public TinyVocab Set(string key, int value) => With(w => w.Set(key, (uint)value));

    /// <summary>Sets a boolean key.</summary>
    public TinyVocab Set(string key, bool value) => With(w => w.Set(key, value));

    /// <summary>Adds an arbitrary write, e.g. a mistyped or truncated array.</summary>
    public TinyVocab With(Action<GgufWriter> write)
    {
        _extra.Add(write);
        return this;
    }

    /// <summary>Leaves out a key the builder would write (tokens, scores, token_type, merges, model), for error tests.</summary>
    public TinyVocab Without(string key)
    {
        _omit.Add(key);
        return this;
    }

    /// <summary>Writes the vocabulary to a GGUF file and reads its metadata back.</summary>
    public GgufMetadata Metadata()
    {
        var w = new GgufWriter();
        w.Set("general.architecture", "llama");
        void Default(string key, Action<GgufWriter> write)
        {
            if (!_omit.Contains(key)) write(w);
        }
        if (_model != null) Default("tokenizer.ggml.model", x => x.Set("tokenizer.ggml.model", _model));
        Default("tokenizer.ggml.tokens", x => x.Set("tokenizer.ggml.tokens", _tokens.ToArray()));
        Default("tokenizer.ggml.scores", x => x.Set("tokenizer.ggml.scores", _scores.ToArray()));
        Default("tokenizer.ggml.token_type", x => x.Set("tokenizer.ggml.token_type", _types.ToArray()));
        if (_model == "gpt2") Default("tokenizer.ggml.merges", x => x.Set("tokenizer.ggml.merges", _merges.ToArray()));
        foreach (var write in _extra) write(w);

        using var dir = new TempDirectory();
        string path = dir.File("vocab.gguf");
        w.WriteFile(path);
        using var file = GgufFile.Open(path);
        return file.Metadata;
    }
}

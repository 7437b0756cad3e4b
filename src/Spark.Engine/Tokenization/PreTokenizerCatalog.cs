namespace Spark.Engine.Tokenization;

/// <summary>
/// The pre-tokenizers named by <c>tokenizer.ggml.pre</c> that Spark implements, with the regular expressions and
/// per-family flags of llama.cpp's llama-vocab.cpp (the Hugging Face tokenizer.json patterns, case-insensitive
/// groups spelled out).
/// </summary>
internal static class PreTokenizerCatalog
{
    private const string Contractions = @"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";

    /// <summary>GPT-2's ByteLevel pattern.</summary>
    internal const string Gpt2 = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>Llama 3's pattern: letters with one leading non-letter, digits in threes.</summary>
    internal const string Llama3 = Contractions + @"|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Qwen2's pattern: as Llama 3, but one digit at a time.</summary>
    internal const string Qwen2 = Contractions + @"|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private const string Poro = @" ?[^(\s|.,!?…。，、।۔،)]+";

    private const string Gpt4o = @"[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+" + Contractions + @"?|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*" + Contractions + @"?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private const string Tekken = @"[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private const string DeepSeek3 = @"[!""#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private static readonly Dictionary<string, Func<string, PreTokenizer>> s_families = Build();

    /// <summary>Every supported <c>tokenizer.ggml.pre</c> value, sorted, for error messages and help.</summary>
    public static IReadOnlyList<string> SupportedNames { get; } = s_families.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The pre-tokenizer for a name, or null when Spark does not implement it.</summary>
    public static PreTokenizer? Create(string name) => s_families.TryGetValue(name, out var make) ? make(name) : null;

    private static Dictionary<string, Func<string, PreTokenizer>> Build()
    {
        var d = new Dictionary<string, Func<string, PreTokenizer>>(StringComparer.Ordinal);
        void Add(string[] names, Func<string, PreTokenizer> make)
        {
            foreach (string n in names) d[n] = make;
        }

        Add(["default"], n => new PreTokenizer(n, [@"[\p{P}\$\+<=>\^~\|]+", Gpt2, @"\p{N}+", "[0-9][0-9][0-9]"]));
        Add(["llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano"],
            n => new PreTokenizer(n, [Llama3], ignoreMerges: true, addBos: true));
        Add(["dbrx", "smaug-bpe"], n => new PreTokenizer(n, [Llama3]));
        Add(["glm4", "chatglm-bpe"], n => new PreTokenizer(n, [Llama3], noBos: true));
        Add(["deepseek-coder"], n => new PreTokenizer(n, [@"[\r\n]", @"\s?\p{L}+", @"\s?\p{P}+", "[一-龥ࠀ-一가-퟿]+", @"\p{N}"], cleanSpaces: false));
        Add(["deepseek-v3", "hunyuan-dense", "joyai-llm", "hy_v4"],
            n => new PreTokenizer(n, [@"\p{N}{1,3}", "[一-龥぀-ゟ゠-ヿ]+", DeepSeek3], cleanSpaces: false));
        Add(["falcon"], n => new PreTokenizer(n, [@"[\p{P}\$\+<=>\^~\|`]+", Gpt2, "[0-9][0-9][0-9]"]));
        Add(["starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2"], n => new PreTokenizer(n, [@"\p{N}", Gpt2]));
        Add(["command-r", "smollm"], n => new PreTokenizer(n, [@"\p{N}", Gpt2], cleanSpaces: false));
        Add(["gpt-2", "phi-2", "mpt", "olmo", "jais", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum", "modern-bert", "exaone4"],
            n => new PreTokenizer(n, [Gpt2]));
        Add(["trillion", "granite-docling"], n => new PreTokenizer(n, [Gpt2], cleanSpaces: false));
        Add(["qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open", "grok-2"],
            n => new PreTokenizer(n, [Qwen2], cleanSpaces: false));
        Add(["stablelm2", "megrez"], n => new PreTokenizer(n, [Qwen2]));
        Add(["qwen35"], n => new PreTokenizer(n,
            [Contractions + @"|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"], cleanSpaces: false));
        Add(["ufakzeka"], n => new PreTokenizer(n, [@"[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"], cleanSpaces: false));
        Add(["seed-coder"], n => new PreTokenizer(n,
            [Contractions + @"|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+"], cleanSpaces: false));
        Add(["bailingmoe", "bailingmoe2", "llada-moe"], n => new PreTokenizer(n,
            [@"'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+"], cleanSpaces: false));
        Add(["minicpm5"], n => new PreTokenizer(n,
            [@"\p{N}{1,3}", Contractions + @"|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}+| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"], ignoreMerges: true));
        Add(["laguna"], n => new PreTokenizer(n, [@"[^\n]+|[\n]+", Qwen2], cleanSpaces: false));
        Add(["poro-chat"], n => new PreTokenizer(n, [Poro], cleanSpaces: false));
        Add(["bloom", "gpt3-finnish"], n => new PreTokenizer(n, [Poro]));
        Add(["viking"], n => new PreTokenizer(n, [Poro, @"\p{N}"], cleanSpaces: false));
        Add(["tekken"], n => new PreTokenizer(n, [Tekken], ignoreMerges: true, cleanSpaces: false, addBos: true));
        Add(["gpt-4o", "llama4", "kanana2", "talkie"], n => new PreTokenizer(n, [Gpt4o], cleanSpaces: false));
        return d;
    }
}

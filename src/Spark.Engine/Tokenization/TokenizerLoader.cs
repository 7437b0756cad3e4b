using Spark.Engine.Gguf;

namespace Spark.Engine.Tokenization;

/// <summary>
/// Reads <c>tokenizer.ggml.*</c> metadata into a <see cref="Tokenizer"/>, with llama.cpp's defaults per model
/// (llama_vocab::impl::load): default special ids, add-BOS and space-prefix rules, special tokens detected by text.
/// </summary>
internal static class TokenizerLoader
{
    public const string ModelKey = "tokenizer.ggml.model";
    public const string PreKey = "tokenizer.ggml.pre";
    public const string TokensKey = "tokenizer.ggml.tokens";
    public const string ScoresKey = "tokenizer.ggml.scores";
    public const string TypesKey = "tokenizer.ggml.token_type";
    public const string MergesKey = "tokenizer.ggml.merges";
    public const string AddBosKey = "tokenizer.ggml.add_bos_token";
    public const string AddEosKey = "tokenizer.ggml.add_eos_token";
    public const string AddPrefixKey = "tokenizer.ggml.add_space_prefix";
    public const string RemoveExtraWhitespacesKey = "tokenizer.ggml.remove_extra_whitespaces";

    private const string SupportedModels = "'llama' (SentencePiece BPE, Llama 1/2, Mistral, Phi-3 …) and 'gpt2' (byte-level BPE, Llama 3, Qwen2, GPT-2 …)";

    private static readonly string[] s_eogTexts =
    [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>",
        "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>",
        "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~[",
    ];

    private static readonly string[] s_eotTexts =
        ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>"];

    private static readonly (string Key, string[] Texts, bool EndsGeneration)[] s_fim =
    [
        ("tokenizer.ggml.fim_pre_token_id", ["<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>"], false),
        ("tokenizer.ggml.fim_suf_token_id", ["<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>"], false),
        ("tokenizer.ggml.fim_mid_token_id", ["<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>"], false),
        ("tokenizer.ggml.fim_pad_token_id", ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"], true),
        ("tokenizer.ggml.fim_rep_token_id", ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"], true),
        ("tokenizer.ggml.fim_sep_token_id", ["<|file_sep|>"], true),
    ];

    public static Tokenizer Load(GgufMetadata m)
    {
        string model = m.GetString(ModelKey) ?? throw new TokenizerException(
            $"GGUF metadata has no '{ModelKey}', so this file carries no tokenizer; Spark supports {SupportedModels}");
        bool spm = model == "llama";
        if (!spm && model != "gpt2")
            throw new TokenizerException($"tokenizer model '{model}' ({ModelKey}) is not supported; Spark supports {SupportedModels}");

        string[] tokens = m.GetStringArray(TokensKey) ?? throw new TokenizerException($"GGUF metadata has no '{TokensKey}' (the vocabulary)");
        int n = tokens.Length;
        if (n == 0) throw new TokenizerException($"'{TokensKey}' is empty; a tokenizer needs at least one token");
        tokens = (string[])tokens.Clone();
        float[]? scores = m.GetFloat32Array(ScoresKey);
        if (scores != null && scores.Length < n)
            throw new TokenizerException($"'{ScoresKey}' has {scores.Length} entries but '{TokensKey}' has {n}");
        int[]? types = m.GetInt32Array(TypesKey);
        if (types != null && types.Length < n)
            throw new TokenizerException($"'{TypesKey}' has {types.Length} entries but '{TokensKey}' has {n}");
        var attributes = new TokenAttributes[n];
        for (int i = 0; i < n; i++) attributes[i] = types is null ? TokenAttributes.Normal : TokenTypes.ToAttributes(types[i]);
        var vocab = new Vocabulary(tokens, scores, attributes);

        string preName = m.GetString(PreKey) ?? "default";
        PreTokenizer? pre = null;
        string[]? merges = null;
        int? bos, eos, unk;
        bool addSpacePrefix, addBos, addEos = false, cleanSpaces;
        if (spm)
        {
            (bos, eos, unk) = (1, 2, 0);
            (addSpacePrefix, addBos, cleanSpaces) = (true, true, false);
        }
        else
        {
            merges = m.GetStringArray(MergesKey) ?? throw new TokenizerException(
                $"GGUF metadata has no '{MergesKey}'; a 'gpt2' (byte-level BPE) tokenizer needs its merge rules");
            pre = PreTokenizerCatalog.Create(preName) ?? throw new TokenizerException(
                $"pre-tokenizer '{preName}' ({PreKey}) is not supported; Spark supports: {string.Join(", ", PreTokenizerCatalog.SupportedNames)}");
            (bos, eos, unk) = (pre.NoBos ? null : 11, 11, null);
            (addSpacePrefix, addBos, cleanSpaces) = (false, pre.AddBos, pre.CleanSpaces);
        }
        addSpacePrefix = m.GetBool(AddPrefixKey) ?? addSpacePrefix;

        int? Read(string key, int? fallback)
        {
            if (fallback >= n) fallback = null; // a default outside the vocabulary is disabled, as llama.cpp
            long? v = m.GetInteger(key);
            return v is >= 0 && v < n ? (int)v : fallback;
        }
        bos = Read("tokenizer.ggml.bos_token_id", bos);
        eos = Read("tokenizer.ggml.eos_token_id", eos);
        int? eot = Read("tokenizer.ggml.eot_token_id", null);
        int? eom = Read("tokenizer.ggml.eom_token_id", null);
        unk = Read("tokenizer.ggml.unknown_token_id", unk);
        int? pad = Read("tokenizer.ggml.padding_token_id", null);

        addBos = m.GetBool(AddBosKey) ?? addBos;
        addEos = m.GetBool(AddEosKey) ?? addEos;
        if (addBos && bos is null)
            throw new TokenizerException($"'{AddBosKey}' is true, but the vocabulary has no BOS token ('tokenizer.ggml.bos_token_id' is not set)");
        if (addEos && eos is null)
            throw new TokenizerException($"'{AddEosKey}' is true, but the vocabulary has no EOS token ('tokenizer.ggml.eos_token_id' is not set)");

        var eog = new HashSet<int>();
        eot ??= DetectByText(vocab, s_eotTexts);
        eom ??= DetectByText(vocab, ["<|eom_id|>"]);
        foreach (var (key, texts, endsGeneration) in s_fim)
        {
            int? id = Read(key, null) ?? DetectByText(vocab, texts);
            if (id is int f && endsGeneration) eog.Add(f);
        }
        var eogTexts = new HashSet<string>(s_eogTexts, StringComparer.Ordinal);
        for (int id = 0; id < n; id++)
        {
            if (!eogTexts.Contains(vocab.Text(id))) continue;
            eog.Add(id);
            MarkControl(vocab, id);
        }
        foreach (int? id in new[] { eos, eot, eom })
            if (id is int e) eog.Add(e);
        RemoveHarmonyEnd(vocab, eog);

        string name = (m.GetString("general.name") ?? "").ToLowerInvariant();
        if (name.Contains("phi-3", StringComparison.Ordinal) || name.Contains("phi3", StringComparison.Ordinal))
            SetPhi3Strip(vocab);

        var ids = new SpecialTokenIds(bos, eos, eot, eom, unk, pad, eog);
        return new Tokenizer(spm ? "spm" : "bpe", preName, vocab, ids, pre, merges, addBos, addEos, addSpacePrefix, cleanSpaces);
    }

    // the first of texts the vocabulary has (llama.cpp takes whichever its hash map yields first; the list order
    // prefers the chat-turn token, e.g. <|eot_id|> over <|end_of_text|>); llama.cpp marks a token found this way as control
    private static int? DetectByText(Vocabulary vocab, string[] texts)
    {
        foreach (string t in texts)
        {
            int id = vocab.Find(t);
            if (id < 0) continue;
            MarkControl(vocab, id);
            return id;
        }
        return null;
    }

    private static void MarkControl(Vocabulary vocab, int id) => vocab.SetAttributes(id, vocab.Attributes(id) | TokenAttributes.Control);

    // o200k_harmony / solar-open: with <|return|> and <|call|> (or <|calls|> and <|flush|>), <|end|> does not end generation
    private static void RemoveHarmonyEnd(Vocabulary vocab, HashSet<int> eog)
    {
        bool Has(string text) => vocab.Find(text) is int id && id >= 0 && eog.Contains(id);
        int end = vocab.Find("<|end|>");
        if (end < 0 || !eog.Contains(end)) return;
        bool hasCall = Has("<|call|>") || Has("<|calls|>");
        if ((Has("<|return|>") && hasCall) || (hasCall && Has("<|flush|>")))
        {
            eog.Remove(end);
            vocab.SetAttributes(end, TokenAttributes.UserDefined);
        }
    }

    // llama.cpp's Phi-3 rule: special tokens swallow the whitespace after them, except <unk>, <s> and <|endoftext|>
    private static void SetPhi3Strip(Vocabulary vocab)
    {
        for (int id = 0; id < vocab.Count; id++)
        {
            if (vocab.Has(id, TokenAttributes.Control | TokenAttributes.UserDefined | TokenAttributes.Unknown))
                vocab.SetAttributes(id, vocab.Attributes(id) | TokenAttributes.RStrip);
        }
        if (vocab.Find("</s>") is int s and >= 0) vocab.SetAttributes(s, vocab.Attributes(s) | TokenAttributes.RStrip);
        foreach (string t in new[] { "<unk>", "<s>", "<|endoftext|>" })
        {
            if (vocab.Find(t) is int id and >= 0) vocab.SetAttributes(id, vocab.Attributes(id) & ~TokenAttributes.RStrip);
        }
    }
}

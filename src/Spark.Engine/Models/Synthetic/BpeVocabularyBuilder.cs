using Spark.Engine.Tokenization;
using System.Text;
using System.Text.RegularExpressions;
using Spark.Engine.Gguf;

namespace Spark.Engine.Models.Synthetic;

/// <summary>
/// A byte-level BPE vocabulary of the real size, as llama.cpp stores Qwen2's and Llama 3's
/// (<c>tokenizer.ggml.model = "gpt2"</c>): the 256 byte tokens, tokens from merges learned on
/// <see cref="VocabularySample"/> (every merge's parts and result are tokens), filler tokens, then the model's special
/// tokens at their real ids.
/// </summary>
internal static partial class BpeVocabularyBuilder
{
    /// <summary>BPE training steps on the sample.</summary>
    public const int MaxMerges = 4000;

    public static SyntheticVocabularyData Build(SyntheticVocabularyKind kind)
    {
        var (size, firstSpecial, specials, pre) = kind switch
        {
            SyntheticVocabularyKind.Qwen2Bpe => (151936, 151643, Qwen2Specials(), "qwen2"),
            SyntheticVocabularyKind.Llama3Bpe => (128256, 128000, Llama3Specials(), "llama-bpe"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };

        var tokens = new List<string>(size);
        var types = new List<int>(size);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string token, int type)
        {
            if (!seen.Add(token)) throw new InvalidOperationException($"duplicate synthetic token '{token}'");
            tokens.Add(token);
            types.Add(type);
        }
        foreach (byte b in ByteLevelAlphabet.Order) Add(ByteLevelAlphabet.CharOf[b].ToString(), TokenTypes.Normal);

        var wordCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Match m in PreTokenizer().Matches(VocabularySample.Text))
        {
            string word = ByteLevelAlphabet.Encode(Encoding.UTF8.GetBytes(m.Value));
            wordCounts[word] = wordCounts.GetValueOrDefault(word) + 1;
        }
        var merges = BpeTrainer.Train(wordCounts, w => w.Select(c => c.ToString()), MaxMerges);
        foreach (var (left, right) in merges)
            if (!seen.Contains(left + right)) Add(left + right, TokenTypes.Normal);

        // fillers: plain words " t<id>" nothing merges into, so ids up to the specials exist as in the real model
        for (int id = tokens.Count; tokens.Count < firstSpecial; id++)
        {
            string filler = ByteLevelAlphabet.Encode(Encoding.UTF8.GetBytes($" t{id}"));
            if (!seen.Contains(filler)) Add(filler, TokenTypes.Normal);
        }
        foreach (var (text, type) in specials) Add(text, type);
        for (int id = tokens.Count; id < size; id++) Add($"[PAD{id}]", TokenTypes.Unused);

        var metadata = new List<(string, GgufValue)>
        {
            SyntheticVocabulary.Entry("tokenizer.ggml.model", "gpt2"),
            SyntheticVocabulary.Entry("tokenizer.ggml.pre", pre),
            SyntheticVocabulary.Entry("tokenizer.ggml.tokens", tokens.ToArray()),
            SyntheticVocabulary.Entry("tokenizer.ggml.token_type", types.ToArray()),
            SyntheticVocabulary.Entry("tokenizer.ggml.merges", merges.Select(m => m.Left + " " + m.Right).ToArray()),
        };
        if (kind == SyntheticVocabularyKind.Qwen2Bpe)
        {
            metadata.Add(SyntheticVocabulary.Entry("tokenizer.ggml.eos_token_id", 151645u));     // <|im_end|>
            metadata.Add(SyntheticVocabulary.Entry("tokenizer.ggml.padding_token_id", 151643u)); // <|endoftext|>
            metadata.Add(SyntheticVocabulary.Entry("tokenizer.ggml.bos_token_id", 151643u));     // <|endoftext|>
            metadata.Add(SyntheticVocabulary.Entry("tokenizer.ggml.add_bos_token", false));
            metadata.Add(SyntheticVocabulary.Entry("tokenizer.chat_template", ChatTemplates.ChatMl));
        }
        else
        {
            metadata.Add(SyntheticVocabulary.Entry("tokenizer.ggml.bos_token_id", 128000u));     // <|begin_of_text|>
            metadata.Add(SyntheticVocabulary.Entry("tokenizer.ggml.eos_token_id", 128009u));     // <|eot_id|>
            metadata.Add(SyntheticVocabulary.Entry("tokenizer.ggml.add_bos_token", true));
            metadata.Add(SyntheticVocabulary.Entry("tokenizer.chat_template", ChatTemplates.Llama3));
        }
        return new SyntheticVocabularyData(tokens.Count, metadata);
    }

    /// <summary>Qwen2.5's added tokens from id 151643, with the types llama.cpp's converter gives them.</summary>
    private static List<(string, int)> Qwen2Specials()
    {
        var list = new List<(string, int)>();
        foreach (string s in new[]
        {
            "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>", "<|box_start|>",
            "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>", "<|vision_end|>", "<|vision_pad|>",
            "<|image_pad|>", "<|video_pad|>",
        })
            list.Add((s, TokenTypes.Control));
        foreach (string s in new[]
        {
            "<tool_call>", "</tool_call>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>",
            "<|repo_name|>", "<|file_sep|>",
        })
            list.Add((s, TokenTypes.UserDefined));
        return list;
    }

    /// <summary>Llama 3's 256 special tokens from id 128000, all CONTROL.</summary>
    private static List<(string, int)> Llama3Specials()
    {
        var named = new Dictionary<int, string>
        {
            [0] = "<|begin_of_text|>", [1] = "<|end_of_text|>", [4] = "<|finetune_right_pad_id|>",
            [6] = "<|start_header_id|>", [7] = "<|end_header_id|>", [8] = "<|eom_id|>", [9] = "<|eot_id|>", [10] = "<|python_tag|>",
        };
        var list = new List<(string, int)>(256);
        int reserved = 0;
        for (int i = 0; i < 256; i++)
            list.Add((named.TryGetValue(i, out string? name) ? name : $"<|reserved_special_token_{reserved++}|>", TokenTypes.Control));
        return list;
    }

    /// <summary>A GPT-2-like pre-tokenizer: words with their leading space, digit runs of up to 3, punctuation, spaces.</summary>
    [GeneratedRegex(@"'(?:s|t|re|ve|m|ll|d)| ?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s+(?!\S)|\s+")]
    private static partial Regex PreTokenizer();
}

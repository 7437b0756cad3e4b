using Spark.Engine.Tokenization;
using Spark.Engine.Gguf;

namespace Spark.Engine.Models.Synthetic;

/// <summary>
/// A SentencePiece-style vocabulary as llama.cpp stores Llama 2's (<c>tokenizer.ggml.model = "llama"</c>):
/// <c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>, the 256 <c>&lt;0xXX&gt;</c> byte-fallback tokens, then pieces
/// (U+2581 for a space) learned by BPE on <see cref="VocabularySample"/>, scored so that earlier merges win, then the
/// single characters.
/// </summary>
internal static class SpmVocabularyBuilder
{
    public const char Space = '\u2581';

    public static SyntheticVocabularyData Build(int size)
    {
        var wordCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string word in VocabularySample.Text.Split([' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            string piece = Space + word;
            wordCounts[piece] = wordCounts.GetValueOrDefault(piece) + 1;
        }
        var chars = wordCounts.Keys.SelectMany(w => w).Distinct().Select(c => c.ToString()).Order(StringComparer.Ordinal).ToList();

        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        var types = new List<int> { TokenTypes.Unknown, TokenTypes.Control, TokenTypes.Control };
        var scores = new List<float> { 0f, 0f, 0f };
        for (int b = 0; b < 256; b++)
        {
            tokens.Add($"<0x{b:X2}>");
            types.Add(TokenTypes.Byte);
            scores.Add(0f);
        }
        var seen = new HashSet<string>(tokens, StringComparer.Ordinal);
        int budget = size - tokens.Count - chars.Count;
        if (budget < 0) throw new ArgumentOutOfRangeException(nameof(size), size, "too small for the special, byte and character tokens");
        var merges = BpeTrainer.Train(wordCounts, w => w.Select(c => c.ToString()), budget);
        foreach (var (left, right) in merges)
        {
            if (tokens.Count - 259 == budget) break;
            if (!seen.Add(left + right)) continue;
            tokens.Add(left + right);
            types.Add(TokenTypes.Normal);
            scores.Add(-(tokens.Count - 259));
        }
        foreach (string c in chars)
        {
            if (!seen.Add(c)) continue;
            tokens.Add(c);
            types.Add(TokenTypes.Normal);
            scores.Add(-(tokens.Count - 259));
        }
        var metadata = new List<(string, GgufValue)>
        {
            SyntheticVocabulary.Entry("tokenizer.ggml.model", "llama"),
            SyntheticVocabulary.Entry("tokenizer.ggml.pre", "default"),
            SyntheticVocabulary.Entry("tokenizer.ggml.tokens", tokens.ToArray()),
            SyntheticVocabulary.Entry("tokenizer.ggml.scores", scores.ToArray()),
            SyntheticVocabulary.Entry("tokenizer.ggml.token_type", types.ToArray()),
            SyntheticVocabulary.Entry("tokenizer.ggml.bos_token_id", 1u),
            SyntheticVocabulary.Entry("tokenizer.ggml.eos_token_id", 2u),
            SyntheticVocabulary.Entry("tokenizer.ggml.unknown_token_id", 0u),
            SyntheticVocabulary.Entry("tokenizer.ggml.add_bos_token", true),
            SyntheticVocabulary.Entry("tokenizer.ggml.add_eos_token", false),
            SyntheticVocabulary.Entry("tokenizer.chat_template", ChatTemplates.Llama2),
        };
        return new SyntheticVocabularyData(tokens.Count, metadata);
    }
}

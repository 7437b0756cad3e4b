using Spark.Engine.Gguf;
using Spark.Engine.Models.Synthetic;
using Spark.Engine.Tensors;
using Spark.Testing;

namespace Spark.Engine.Tests.Models.Synthetic;

public class SyntheticVocabularyTests
{
    private static T Value<T>(SyntheticVocabularyData v, string key) => (T)(v.Find(key) ?? throw new KeyNotFoundException(key)).Value;

    [Theory]
    [InlineData("qwen2", 151936, "qwen2")]
    [InlineData("llama-bpe", 128256, "llama-bpe")]
    public void Bpe_HasTheRealSize_AndEveryMergeIsConsistentWithTheTokens(string kind, int size, string pre)
    {
        var v = SyntheticVocabulary.Synthesize(kind == "qwen2" ? SyntheticVocabularyKind.Qwen2Bpe : SyntheticVocabularyKind.Llama3Bpe);
        var tokens = Value<string[]>(v, "tokenizer.ggml.tokens");
        var types = Value<int[]>(v, "tokenizer.ggml.token_type");
        var merges = Value<string[]>(v, "tokenizer.ggml.merges");
        Assert.Equal(size, v.Size);
        Assert.Equal(size, tokens.Length);
        Assert.Equal(size, types.Length);
        Assert.Equal("gpt2", Value<string>(v, "tokenizer.ggml.model"));
        Assert.Equal(pre, Value<string>(v, "tokenizer.ggml.pre"));
        Assert.Equal(tokens.Length, tokens.Distinct(StringComparer.Ordinal).Count());

        var set = new HashSet<string>(tokens, StringComparer.Ordinal);
        Assert.InRange(merges.Length, 2000, BpeVocabularyBuilder.MaxMerges);
        foreach (string merge in merges)
        {
            string[] parts = merge.Split(' ');
            Assert.True(parts.Length == 2, $"merge '{merge}' is not two parts");
            Assert.True(set.Contains(parts[0]) && set.Contains(parts[1]) && set.Contains(parts[0] + parts[1]), $"merge '{merge}' is not in the vocabulary");
        }
        // the 256 byte-level characters come first, each a single distinct character
        Assert.Equal(256, tokens.Take(256).Count(t => t.Length == 1));
        Assert.Equal("!", tokens[0]);
        Assert.Contains("Ġ", tokens.Take(256));
        Assert.Contains("Ġthe", set);
    }

    [Fact]
    public void Qwen2Bpe_HasChatMlSpecialsAtTheRealIds()
    {
        var v = SyntheticVocabulary.Synthesize(SyntheticVocabularyKind.Qwen2Bpe);
        var tokens = Value<string[]>(v, "tokenizer.ggml.tokens");
        var types = Value<int[]>(v, "tokenizer.ggml.token_type");
        Assert.Equal(("<|endoftext|>", 3), (tokens[151643], types[151643]));
        Assert.Equal(("<|im_start|>", 3), (tokens[151644], types[151644]));
        Assert.Equal(("<|im_end|>", 3), (tokens[151645], types[151645]));
        Assert.Equal(("<tool_call>", 4), (tokens[151657], types[151657]));
        Assert.Equal(("<|file_sep|>", 4), (tokens[151664], types[151664]));
        Assert.Equal(("[PAD151935]", 5), (tokens[151935], types[151935]));
        Assert.Equal(1, types[151642]);
        Assert.Equal(151643u, Value<uint>(v, "tokenizer.ggml.bos_token_id"));
        Assert.Equal(151645u, Value<uint>(v, "tokenizer.ggml.eos_token_id"));
        Assert.Equal(151643u, Value<uint>(v, "tokenizer.ggml.padding_token_id"));
        Assert.False(Value<bool>(v, "tokenizer.ggml.add_bos_token"));
        Assert.Contains("<|im_start|>", Value<string>(v, "tokenizer.chat_template"));
    }

    [Fact]
    public void Llama3Bpe_HasHeaderAndEotSpecialsAtTheRealIds()
    {
        var v = SyntheticVocabulary.Synthesize(SyntheticVocabularyKind.Llama3Bpe);
        var tokens = Value<string[]>(v, "tokenizer.ggml.tokens");
        var types = Value<int[]>(v, "tokenizer.ggml.token_type");
        Assert.Equal("<|begin_of_text|>", tokens[128000]);
        Assert.Equal("<|end_of_text|>", tokens[128001]);
        Assert.Equal("<|start_header_id|>", tokens[128006]);
        Assert.Equal("<|end_header_id|>", tokens[128007]);
        Assert.Equal("<|eot_id|>", tokens[128009]);
        Assert.Equal("<|reserved_special_token_247|>", tokens[128255]);
        Assert.All(types[128000..], t => Assert.Equal(3, t));
        Assert.All(types[..128000], t => Assert.Equal(1, t));
        Assert.Equal(128000u, Value<uint>(v, "tokenizer.ggml.bos_token_id"));
        Assert.Equal(128009u, Value<uint>(v, "tokenizer.ggml.eos_token_id"));
        Assert.True(Value<bool>(v, "tokenizer.ggml.add_bos_token"));
        Assert.Contains("<|start_header_id|>", Value<string>(v, "tokenizer.chat_template"));
    }

    [Fact]
    public void Spm_HasSpecialsByteTokensAndScoredPieces()
    {
        var v = SyntheticVocabulary.Synthesize(SyntheticVocabularyKind.SentencePiece);
        var tokens = Value<string[]>(v, "tokenizer.ggml.tokens");
        var types = Value<int[]>(v, "tokenizer.ggml.token_type");
        var scores = Value<float[]>(v, "tokenizer.ggml.scores");
        Assert.Equal(SyntheticVocabulary.TinySize, tokens.Length);
        Assert.Equal(tokens.Length, scores.Length);
        Assert.Equal(tokens.Length, types.Length);
        Assert.Equal(tokens.Length, tokens.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(["<unk>", "<s>", "</s>"], tokens[..3]);
        Assert.Equal([2, 3, 3], types[..3]);
        for (int b = 0; b < 256; b++)
            Assert.Equal(($"<0x{b:X2}>", 6), (tokens[3 + b], types[3 + b]));
        Assert.All(types[259..], t => Assert.Equal(1, t));
        Assert.All(tokens[259..], t => Assert.DoesNotContain(' ', t));
        Assert.Contains("\u2581the", tokens);
        for (int i = 260; i < tokens.Length; i++) Assert.True(scores[i] < scores[i - 1], $"score of {i} is not below {i - 1}");
        Assert.Equal("llama", Value<string>(v, "tokenizer.ggml.model"));
        Assert.Equal(1u, Value<uint>(v, "tokenizer.ggml.bos_token_id"));
        Assert.Equal(2u, Value<uint>(v, "tokenizer.ggml.eos_token_id"));
        Assert.Equal(0u, Value<uint>(v, "tokenizer.ggml.unknown_token_id"));
        Assert.True(Value<bool>(v, "tokenizer.ggml.add_bos_token"));
    }

    [Fact]
    public void ByteLevelAlphabet_MapsEveryByteToADistinctCharacter()
    {
        Assert.Equal(256, ByteLevelAlphabet.CharOf.Distinct().Count());
        Assert.Equal(256, ByteLevelAlphabet.Order.Distinct().Count());
        Assert.Equal('Ġ', ByteLevelAlphabet.CharOf[' ']);
        Assert.Equal('Ċ', ByteLevelAlphabet.CharOf['\n']);
        Assert.Equal('a', ByteLevelAlphabet.CharOf['a']);
    }

    [ConformanceFact]
    public void Write_WithVocabPath_CopiesEveryTokenizerKeyAndUsesItsSize()
    {
        string vocabPath = ConformanceData.PathOf("tokenizer", "ggml-vocab-qwen2.gguf");
        using var dir = new TempDirectory();
        string path = dir.File("m.gguf");
        var info = SyntheticModel.Write(new SyntheticModelSpec("qwen2", "tiny", GgmlType.Q8_0, 5, vocabPath), path);

        using var source = GgufFile.Open(vocabPath);
        using var f = GgufFile.Open(path);
        var keys = source.Metadata.Keys.Where(k => k.StartsWith("tokenizer.", StringComparison.Ordinal)).ToList();
        Assert.Contains("tokenizer.ggml.merges", keys);
        Assert.Contains("tokenizer.chat_template", keys);
        foreach (string key in keys)
        {
            Assert.True(f.Metadata.ContainsKey(key), $"missing {key}");
            Assert.Equal(source.Metadata[key].Type, f.Metadata[key].Type);
            Assert.Equal(source.Metadata[key].Value, f.Metadata[key].Value);
        }
        Assert.Equal(151936, info.VocabSize);
        Assert.Equal([64L, 151936L], f.FindTensor("token_embd.weight")!.Dimensions);
        Assert.Equal("qwen2", f.Metadata.GetString("general.architecture")); // the vocab file's general.* keys are not copied
        Assert.StartsWith("spark-synthetic", f.Metadata.GetString("general.name"));
    }

    [ConformanceTheory]
    [InlineData("qwen2", "ggml-vocab-qwen2.gguf", new[] { "<|endoftext|>", "<|im_start|>", "<|im_end|>" })]
    [InlineData("llama-bpe", "ggml-vocab-llama-bpe.gguf", new[] { "<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>" })]
    public void Bpe_MatchesTheRealVocabularyInByteTokensSizeAndSpecialIds(string pre, string file, string[] specials)
    {
        var v = SyntheticVocabulary.Synthesize(pre == "qwen2" ? SyntheticVocabularyKind.Qwen2Bpe : SyntheticVocabularyKind.Llama3Bpe);
        using var real = GgufFile.Open(ConformanceData.PathOf("tokenizer", file));
        var realTokens = real.Metadata.GetStringArray("tokenizer.ggml.tokens")!;
        var realTypes = real.Metadata.GetInt32Array("tokenizer.ggml.token_type")!;
        var tokens = Value<string[]>(v, "tokenizer.ggml.tokens");
        var types = Value<int[]>(v, "tokenizer.ggml.token_type");
        Assert.Equal(realTokens.Length, tokens.Length);
        Assert.Equal(realTokens[..256], tokens[..256]);
        Assert.Equal(real.Metadata.GetString("tokenizer.ggml.model"), Value<string>(v, "tokenizer.ggml.model"));
        Assert.Equal(real.Metadata.GetString("tokenizer.ggml.pre"), Value<string>(v, "tokenizer.ggml.pre"));
        Assert.Equal(real.Metadata.GetInteger("tokenizer.ggml.bos_token_id"), (long)Value<uint>(v, "tokenizer.ggml.bos_token_id"));
        foreach (string special in specials)
        {
            int id = Array.IndexOf(realTokens, special);
            Assert.True(id >= 0, special);
            Assert.Equal(special, tokens[id]);
            Assert.Equal(realTypes[id], types[id]);
        }
    }
}

using System.Text;
using System.Text.Json;
using Spark.Engine.Gguf;
using Spark.Engine.Tokenization;
using Spark.Testing;
using Xunit.Abstractions;

namespace Spark.Conformance.Tests.Tokenization;

public class TokenizerVectorTests(ITestOutputHelper output)
{
    private const string Separator = "\n__ggml_vocab_test__\n";

    public static TheoryData<string> VocabFiles()
    {
        var data = new TheoryData<string>();
        if (ConformanceData.Root is null) { data.Add("(absent)"); return data; }
        foreach (string f in Directory.GetFiles(ConformanceData.PathOf("tokenizer"), "ggml-vocab-*.gguf").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(f));
        return data;
    }

    [ConformanceTheory]
    [MemberData(nameof(VocabFiles))]
    public void Encode_LlamaCppVocabTestVectors_MatchEveryText(string vocabFile)
    {
        string path = ConformanceData.PathOf("tokenizer", vocabFile);
        string[] texts = ReadTexts(path);
        string[] lines = File.ReadAllText(path + ".out", Encoding.UTF8).Split('\n');
        Assert.True(lines.Length >= texts.Length, $"{vocabFile}: {texts.Length} texts but only {lines.Length} expected lines");

        using var gguf = GgufFile.Open(path);
        var tokenizer = Tokenizer.FromGguf(gguf.Metadata);

        string name = vocabFile["ggml-vocab-".Length..^".gguf".Length];
        int passed = 0;
        var failures = new StringBuilder();
        for (int i = 0; i < texts.Length; i++)
        {
            int[] expected = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
            int[] actual = tokenizer.Encode(texts[i], addSpecial: false, parseSpecial: false);
            if (expected.AsSpan().SequenceEqual(actual)) { passed++; continue; }
            if (failures.Length < 4000)
                failures.Append($"  text {i} {JsonSerializer.Serialize(texts[i])}\n    expected [{string.Join(' ', expected)}]\n    actual   [{string.Join(' ', actual)}]\n");
        }
        output.WriteLine($"{name}: {passed}/{texts.Length}");
        Assert.True(passed == texts.Length, $"{name}: {passed}/{texts.Length}\n{failures}");
    }

    [ConformanceTheory]
    [MemberData(nameof(VocabFiles))]
    public void Decode_VocabTestVectors_RoundTripEveryText(string vocabFile)
    {
        string path = ConformanceData.PathOf("tokenizer", vocabFile);
        string[] texts = ReadTexts(path);
        using var gguf = GgufFile.Open(path);
        var tokenizer = Tokenizer.FromGguf(gguf.Metadata);

        var failures = new StringBuilder();
        int passed = 0;
        foreach (string text in texts)
        {
            string decoded = tokenizer.Decode(tokenizer.Encode(text, addSpecial: false, parseSpecial: false));
            // models that clean up spaces (Hugging Face's clean_up_tokenization_spaces) drop the space before . , ! ?
            string expected = CleansSpaces(vocabFile) ? CleanSpaces(text) : text;
            if (decoded == expected) { passed++; continue; }
            failures.Append($"  {JsonSerializer.Serialize(text)} decoded as {JsonSerializer.Serialize(decoded)}\n");
        }
        output.WriteLine($"{vocabFile}: {passed}/{texts.Length} round trips");
        Assert.True(passed == texts.Length, $"{vocabFile}: {passed}/{texts.Length}\n{failures}");
    }

    [ConformanceTheory]
    [MemberData(nameof(VocabFiles))]
    public void Encode_100KilobyteText_TakesWellUnderASecond(string vocabFile)
    {
        string path = ConformanceData.PathOf("tokenizer", vocabFile);
        string inputs = File.ReadAllText(path + ".inp", Encoding.UTF8).Replace(Separator, " ", StringComparison.Ordinal);
        var text = new StringBuilder();
        while (text.Length < 100_000) text.Append(inputs);
        using var gguf = GgufFile.Open(path);
        var tokenizer = Tokenizer.FromGguf(gguf.Metadata);
        tokenizer.Encode(inputs, false, false); // warm up (compiled regexes, JIT)

        var sw = System.Diagnostics.Stopwatch.StartNew();
        int[] ids = tokenizer.Encode(text.ToString(), addSpecial: false, parseSpecial: false);
        sw.Stop();

        output.WriteLine($"{vocabFile}: {text.Length} chars → {ids.Length} tokens in {sw.Elapsed.TotalMilliseconds:F0} ms");
        // a generous bound: timing never gates on shared CI cores, but a quadratic blow-up would take minutes
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"{vocabFile}: {sw.Elapsed}");
    }

    [ConformanceTheory]
    [MemberData(nameof(VocabFiles))]
    public void Encode_100KilobytePathologicalRuns_StayLinear(string vocabFile)
    {
        using var gguf = GgufFile.Open(ConformanceData.PathOf("tokenizer", vocabFile));
        var tokenizer = Tokenizer.FromGguf(gguf.Metadata);
        tokenizer.Encode("warm up 123 \n", false, false);

        foreach (var (name, unit) in new[] { ("spaces", " "), ("space-newline", " \n"), ("digits", "7"), ("letters", "a"), ("emoji", "🦙"), ("cjk", "我"), ("apostrophes", "'") })
        {
            string text = string.Concat(Enumerable.Repeat(unit, 100_000 / unit.Length)) + "x";
            var sw = System.Diagnostics.Stopwatch.StartNew();
            int[] ids = tokenizer.Encode(text, addSpecial: false, parseSpecial: true);
            sw.Stop();
            output.WriteLine($"{vocabFile} {name}: {ids.Length} tokens in {sw.Elapsed.TotalMilliseconds:F0} ms");
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"{vocabFile} {name}: {sw.Elapsed}");
        }
    }

    // texts are separated by the marker and the file ends with one, so the empty remainder is not a text
    private static string[] ReadTexts(string vocabPath)
    {
        string[] texts = File.ReadAllText(vocabPath + ".inp", Encoding.UTF8).Split(Separator);
        return texts.Length > 0 && texts[^1].Length == 0 ? texts[..^1] : texts;
    }

    private static bool CleansSpaces(string vocabFile) =>
        vocabFile is "ggml-vocab-gpt-2.gguf" or "ggml-vocab-llama-bpe.gguf" or "ggml-vocab-starcoder.gguf";

    // the punctuation rule of llama.cpp's clean-up (the apostrophe rules need " ' " or " 's" / " 're" …, which these texts lack)
    private static string CleanSpaces(string text)
    {
        string s = text;
        foreach (string p in new[] { " ?", " !", " .", " ," }) s = s.Replace(p, p[1..], StringComparison.Ordinal);
        return s;
    }
}

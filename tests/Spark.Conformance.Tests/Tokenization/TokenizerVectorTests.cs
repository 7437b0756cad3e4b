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
        string[] texts = File.ReadAllText(path + ".inp", Encoding.UTF8).Split(Separator);
        if (texts.Length > 0 && texts[^1].Length == 0) texts = texts[..^1]; // the file ends with the separator
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
}

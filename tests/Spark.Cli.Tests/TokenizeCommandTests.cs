using System.Text;
using Spark.Testing;

namespace Spark.Cli.Tests;

public class TokenizeCommandTests
{
    private static readonly byte[] Separator = Encoding.UTF8.GetBytes("\n__ggml_vocab_test__\n");

    public static TheoryData<string> Vocabularies()
    {
        var data = new TheoryData<string>();
        if (ConformanceData.Root is null) { data.Add("(absent)"); return data; }
        foreach (string f in Directory.GetFiles(ConformanceData.PathOf("tokenizer"), "*.gguf").Order())
            data.Add(Path.GetFileName(f));
        return data;
    }

    private static List<byte[]> Texts(string vocab)
    {
        byte[] all = File.ReadAllBytes(ConformanceData.PathOf("tokenizer", vocab + ".inp"));
        var texts = new List<byte[]>();
        int start = 0;
        for (int i = all.AsSpan(start).IndexOf(Separator); i >= 0; i = all.AsSpan(start).IndexOf(Separator))
        {
            texts.Add(all[start..(start + i)]);
            start += i + Separator.Length;
        }
        return texts;
    }

    [ConformanceTheory]
    [MemberData(nameof(Vocabularies))]
    public void Tokenize_TextFile_IdsOnlyMatchesLlamaCppVectors(string vocab)
    {
        var texts = Texts(vocab);
        string[] expected = File.ReadAllText(ConformanceData.PathOf("tokenizer", vocab + ".out")).Split('\n');
        using var dir = new TempDirectory();
        // Whitespace-only, multi-line, non-ASCII and code texts: the ones where a CLI that trims or re-encodes goes wrong.
        int[] picks = [.. Enumerable.Range(0, texts.Count)
            .Where(i => texts[i].Length > 0 && (texts[i].All(b => b is (byte)' ' or (byte)'\n' or (byte)'\t') || texts[i].Any(b => b >= 0x80) || texts[i].Contains((byte)'\n')))
            .Take(4)];
        Assert.NotEmpty(picks);
        foreach (int i in picks)
        {
            string file = dir.File($"text{i}.txt");
            File.WriteAllBytes(file, texts[i]);
            var r = SparkProcess.Run(dir.Path, "tokenize", "--model", ConformanceData.PathOf("tokenizer", vocab), "--text-file", file, "--ids-only");
            Assert.True(r.ExitCode == 0, r.StdErr);
            Assert.Equal(expected[i].Trim() + "\n", r.StdOut);
        }
    }

    [ConformanceFact]
    public void Tokenize_AddSpecial_PrependsBos()
    {
        string model = ConformanceData.PathOf("models", "stories260K.gguf");
        var plain = SparkProcess.Run(null, "tokenize", "-m", model, "--text", "Hello", "--ids-only");
        var special = SparkProcess.Run(null, "tokenize", "-m", model, "--text", "Hello", "--ids-only", "--add-special");
        Assert.Equal("1 " + plain.StdOut, special.StdOut);
    }

    [Fact]
    public void Tokenize_NeitherTextNorFile_ExitsTwo()
    {
        var r = SparkProcess.Run(null, "tokenize", "--model", "x.gguf");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("exactly one of --text TEXT or --text-file PATH", r.StdErr);
    }

    [Fact]
    public void Tokenize_FileWithoutVocabulary_ExitsTwoNamingTheKey()
    {
        using var dir = new TempDirectory();
        new Spark.Engine.Gguf.GgufWriter().Set("general.architecture", "llama").WriteFile(dir.File("novocab.gguf"));
        var r = SparkProcess.Run(dir.Path, "tokenize", "--model", dir.File("novocab.gguf"), "--text", "hi");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: ", r.StdErr);
        Assert.Contains("tokenizer.ggml", r.StdErr);
    }

    [Fact]
    public void Tokenize_MissingTextFile_ExitsTwo()
    {
        var r = SparkProcess.Run(null, "tokenize", "--model", "x.gguf", "--text-file", "/definitely/missing.txt");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: ", r.StdErr);
    }
}

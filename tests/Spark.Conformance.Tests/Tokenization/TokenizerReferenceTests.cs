using System.Text;
using System.Text.Json;
using Spark.Engine.Gguf;
using Spark.Engine.Tokenization;
using Spark.Testing;
using Xunit.Abstractions;

namespace Spark.Conformance.Tests.Tokenization;

/// <summary>The llama.cpp reference runs: prompt tokenization, and the bytes of the generated tokens.</summary>
public class TokenizerReferenceTests(ITestOutputHelper output)
{
    public static TheoryData<string> ReferenceFiles()
    {
        var data = new TheoryData<string>();
        if (ConformanceData.Root is null) { data.Add("(absent)"); return data; }
        foreach (string f in Directory.GetFiles(ConformanceData.PathOf("reference"), "*.json").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(f));
        return data;
    }

    [ConformanceTheory]
    [MemberData(nameof(ReferenceFiles))]
    public void Encode_ReferencePrompts_MatchLlamaCppPromptIds(string referenceFile)
    {
        var (json, tokenizer, model) = Load(referenceFile);
        using (json)
        {
            int passed = 0, total = 0;
            var failures = new StringBuilder();
            foreach (var run in json.RootElement.GetProperty("runs").EnumerateArray())
            {
                total++;
                string prompt = run.GetProperty("prompt").GetString()!;
                int[] expected = Ints(run.GetProperty("prompt_ids"));
                int[] actual = tokenizer.Encode(prompt, addSpecial: true, parseSpecial: false);
                if (expected.AsSpan().SequenceEqual(actual)) { passed++; continue; }
                failures.Append($"  prompt {JsonSerializer.Serialize(prompt)}\n    expected [{string.Join(' ', expected)}]\n    actual   [{string.Join(' ', actual)}]\n");
            }
            output.WriteLine($"{model}: {passed}/{total}");
            Assert.True(passed == total, $"{model}: {passed}/{total}\n{failures}");
        }
    }

    [ConformanceTheory]
    [MemberData(nameof(ReferenceFiles))]
    public void TokenBytes_GeneratedIds_ConcatenateToLlamaCppText(string referenceFile)
    {
        var (json, tokenizer, model) = Load(referenceFile);
        using (json)
        {
            foreach (var run in json.RootElement.GetProperty("runs").EnumerateArray())
            {
                var bytes = new List<byte>();
                foreach (int id in Ints(run.GetProperty("generated_ids"))) bytes.AddRange(tokenizer.TokenBytes(id));
                Assert.Equal(run.GetProperty("generated_text_hex").GetString(), Convert.ToHexStringLower(bytes.ToArray()));
            }
        }
    }

    [ConformanceTheory]
    [MemberData(nameof(ReferenceFiles))]
    public void StreamingDecoder_GeneratedIds_EqualsWholeTextDecodedAtOnce(string referenceFile)
    {
        var (json, tokenizer, _) = Load(referenceFile);
        using (json)
        {
            var decoder = new StreamingDecoder(tokenizer);
            foreach (var run in json.RootElement.GetProperty("runs").EnumerateArray())
            {
                var text = new StringBuilder();
                foreach (int id in Ints(run.GetProperty("generated_ids"))) text.Append(decoder.Append(id));
                text.Append(decoder.Flush());
                string expected = Encoding.UTF8.GetString(Convert.FromHexString(run.GetProperty("generated_text_hex").GetString()!));
                Assert.Equal(expected, text.ToString());
            }
        }
    }

    private static (JsonDocument Json, Tokenizer Tokenizer, string Model) Load(string referenceFile)
    {
        var json = JsonDocument.Parse(File.ReadAllText(ConformanceData.PathOf("reference", referenceFile)));
        string model = json.RootElement.GetProperty("model_file").GetString()!;
        using var gguf = GgufFile.Open(ConformanceData.PathOf("models", model));
        return (json, Tokenizer.FromGguf(gguf.Metadata), model);
    }

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();
}

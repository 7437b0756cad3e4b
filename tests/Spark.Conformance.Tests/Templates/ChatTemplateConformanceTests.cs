using System.Text;
using System.Text.Json.Nodes;
using Spark.Engine.Templates;
using Spark.Testing;
using Xunit.Abstractions;

namespace Spark.Conformance.Tests.Templates;

/// <summary>
/// Renders every real chat template in conformance/templates with each case's variables and compares the output,
/// byte for byte, with what @huggingface/jinja 0.5.11 rendered. Cases the reference rejected ("error") are skipped.
/// </summary>
public class ChatTemplateConformanceTests(ITestOutputHelper output)
{
    private static readonly ChatTemplateOptions s_options = new() { Now = new DateTime(2026, 11, 24) };

    [ConformanceFact]
    public void Render_EveryReferenceCase_MatchesByteForByte()
    {
        string folder = ConformanceData.PathOf("templates");
        var files = Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        var failures = new StringBuilder();
        int total = 0, passed = 0;
        foreach (string file in files)
        {
            var (filePassed, fileTotal) = RunFile(file, folder, failures);
            output.WriteLine($"{Path.GetFileNameWithoutExtension(file)}: {filePassed}/{fileTotal}");
            total += fileTotal;
            passed += filePassed;
        }
        output.WriteLine($"total: {passed}/{total}");
        Assert.True(failures.Length == 0, $"{total - passed} of {total} cases differ:\n{failures}");
    }

    private static (int Passed, int Total) RunFile(string file, string folder, StringBuilder failures)
    {
        var spec = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        string source = File.ReadAllText(Path.Combine(folder, spec["template_file"]!.GetValue<string>()));
        string name = Path.GetFileNameWithoutExtension(file);
        ChatTemplate template;
        try
        {
            template = ChatTemplate.Parse(source);
        }
        catch (ChatTemplateException e)
        {
            int cases = spec["cases"]!.AsObject().Count(c => c.Value!["error"] is null);
            failures.AppendLine($"{name}: parse failed: {e.Message}");
            return (0, cases);
        }

        int passed = 0, total = 0;
        foreach (var (caseName, node) in spec["cases"]!.AsObject())
        {
            if (node!["error"] is not null) continue;
            total++;
            string expected = node["rendered"]!.GetValue<string>();
            string actual;
            try
            {
                actual = template.Render(node["vars"]!.AsObject(), s_options);
            }
            catch (ChatTemplateException e)
            {
                failures.AppendLine($"{name} / {caseName}: threw {e.Message}");
                continue;
            }
            if (actual == expected)
            {
                passed++;
                continue;
            }
            failures.AppendLine($"{name} / {caseName}: {Describe(expected, actual)}");
        }
        return (passed, total);
    }

    private static string Describe(string expected, string actual)
    {
        int at = 0;
        while (at < expected.Length && at < actual.Length && expected[at] == actual[at]) at++;
        static string Around(string s, int at) =>
            System.Text.Json.JsonSerializer.Serialize(s.Substring(Math.Max(0, at - 40), Math.Min(s.Length, at + 40) - Math.Max(0, at - 40)));
        return $"first difference at offset {at} (expected length {expected.Length}, actual {actual.Length})\n" +
               $"    expected: {Around(expected, at)}\n    actual:   {Around(actual, at)}";
    }
}

using System.Text.Json.Nodes;
using Spark.Testing;

namespace Spark.Cli.Tests;

public class ChatTemplateCommandTests
{
    public static TheoryData<string> Templates()
    {
        var data = new TheoryData<string>();
        if (ConformanceData.Root is null) { data.Add("(absent)"); return data; }
        foreach (string f in Directory.GetFiles(ConformanceData.PathOf("templates"), "*.json").Order())
            data.Add(Path.GetFileNameWithoutExtension(f));
        return data;
    }

    [ConformanceTheory]
    [MemberData(nameof(Templates))]
    public void ChatTemplate_ReferenceCase_RendersByteForByte(string name)
    {
        var doc = JsonNode.Parse(File.ReadAllText(ConformanceData.PathOf("templates", name + ".json")))!;
        var (caseName, expected) = doc["cases"]!.AsObject()
            .Where(c => c.Value!["rendered"] is not null)
            .Select(c => (c.Key, c.Value!))
            .OrderByDescending(c => c.Key.Contains("tool", StringComparison.Ordinal))
            .First();
        using var dir = new TempDirectory();
        string vars = dir.File("vars.json");
        File.WriteAllText(vars, expected["vars"]!.ToJsonString());

        var r = SparkProcess.Run(dir.Path, "chat-template", "--template-file", ConformanceData.PathOf("templates", name + ".jinja"),
            "--vars-file", vars, "--now", "2026-11-24");

        Assert.True(r.ExitCode == 0, $"{name}/{caseName}: exit {r.ExitCode}: {r.StdErr}");
        Assert.Equal(expected["rendered"]!.GetValue<string>(), r.StdOut);
    }

    [Fact]
    public void ChatTemplate_SyntaxError_ExitsTwoNamingFileAndPosition()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("t.jinja"), "{% if x %}unclosed");
        File.WriteAllText(dir.File("v.json"), "{}");
        var r = SparkProcess.Run(dir.Path, "chat-template", "--template-file", dir.File("t.jinja"), "--vars-file", dir.File("v.json"));
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith($"error: {dir.File("t.jinja")}: ", r.StdErr);
        Assert.Contains("line 1", r.StdErr);
    }

    [Fact]
    public void ChatTemplate_RaiseException_ExitsTwoWithTheTemplatesMessage()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("t.jinja"), "{{ raise_exception('Conversation roles must alternate') }}");
        File.WriteAllText(dir.File("v.json"), "{\"messages\": []}");
        var r = SparkProcess.Run(dir.Path, "chat-template", "--template-file", dir.File("t.jinja"), "--vars-file", dir.File("v.json"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Conversation roles must alternate", r.StdErr);
    }

    [Theory]
    [InlineData("{\"messages\": [", "not valid JSON")]
    [InlineData("[1, 2]", "must be a JSON object")]
    public void ChatTemplate_BadVarsFile_ExitsTwoSayingWhy(string vars, string expected)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("t.jinja"), "hi");
        File.WriteAllText(dir.File("v.json"), vars);
        var r = SparkProcess.Run(dir.Path, "chat-template", "--template-file", dir.File("t.jinja"), "--vars-file", dir.File("v.json"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.StdErr);
    }

    [Fact]
    public void ChatTemplate_BadNow_ExitsTwo()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("t.jinja"), "{{ strftime_now('%d %b %Y') }}");
        File.WriteAllText(dir.File("v.json"), "{}");
        var ok = SparkProcess.Run(dir.Path, "chat-template", "--template-file", dir.File("t.jinja"), "--vars-file", dir.File("v.json"), "--now", "2026-11-24");
        Assert.Equal("24 Nov 2026", ok.StdOut);
        var bad = SparkProcess.Run(dir.Path, "chat-template", "--template-file", dir.File("t.jinja"), "--vars-file", dir.File("v.json"), "--now", "24/11/2026");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("YYYY-MM-DD", bad.StdErr);
    }
}

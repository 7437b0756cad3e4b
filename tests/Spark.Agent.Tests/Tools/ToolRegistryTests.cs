using System.Text.Json;
using Spark.Agent.Tools;

namespace Spark.Agent.Tests.Tools;

public class ToolRegistryTests
{
    [Fact]
    public void Specs_DeclareTheCodexToolNamesWithObjectSchemas()
    {
        using var ws = new TestWorkspace();
        Assert.Equal(["shell", "apply_patch", "read_file", "list_dir", "grep", "update_plan"], ws.Tools.Specs.Select(s => s.Name));
        foreach (var spec in ws.Tools.Specs)
        {
            Assert.Equal("object", spec.Parameters.GetProperty("type").GetString());
            Assert.False(string.IsNullOrWhiteSpace(spec.Description));
            foreach (string required in spec.RequiredParameters)
                Assert.True(spec.Parameters.GetProperty("properties").TryGetProperty(required, out _), $"{spec.Name}.{required}");
        }
        Assert.Equal(["command"], ws.Tools.Find("shell")!.Spec.RequiredParameters);
        Assert.Equal(JsonValueKind.Object, ws.Tools.Find("shell")!.Spec.Parameters.GetProperty("properties").GetProperty("timeout_ms").ValueKind);
    }

    [Theory]
    [InlineData("shell", """{"command": "git status && ls"}""", false)]
    [InlineData("shell", """{"command": "make"}""", true)]
    [InlineData("shell", """{"command": "ls > x"}""", true)]
    [InlineData("shell", """{}""", true)]
    [InlineData("apply_patch", """{"input": ""}""", true)]
    [InlineData("read_file", """{"path": "x"}""", false)]
    [InlineData("list_dir", """{"path": "."}""", false)]
    [InlineData("grep", """{"pattern": "x"}""", false)]
    [InlineData("update_plan", """{"plan": []}""", false)]
    public void IsMutating_TrueWhenInDoubt(string tool, string json, bool mutating)
    {
        using var ws = new TestWorkspace();
        Assert.Equal(mutating, ws.Tools.Find(tool)!.IsMutating(ToolArguments.Parse(tool, json)));
    }

    [Fact]
    public void Architecture_AgentReferencesNoEngineOrServer()
    {
        var references = typeof(ToolRegistry).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(references, n => n.StartsWith("Spark.", StringComparison.Ordinal) && n != "Spark.Protocol");
    }

    [Fact]
    public async Task Invoke_UnknownTool_ListsTheAvailableOnes()
    {
        using var ws = new TestWorkspace();
        var r = await ws.Call("rm_rf", "{}");
        Assert.True(r.IsError);
        Assert.Equal("Unknown tool 'rm_rf'. Available tools: shell, apply_patch, read_file, list_dir, grep, update_plan.", r.Output);
    }

    [Theory]
    [InlineData("read_file", "{\"path\": ", "read_file: the arguments are not valid JSON")]
    [InlineData("read_file", "[1, 2]", "read_file: the arguments must be a JSON object, not an array.")]
    [InlineData("read_file", "{}", "read_file: missing required field 'path'.")]
    [InlineData("read_file", "", "read_file: missing required field 'path'.")]
    [InlineData("apply_patch", "{\"input\": null}", "apply_patch: missing required field 'input'.")]
    [InlineData("read_file", "{\"path\": 7}", "read_file: 'path' must be a string, not the number 7.")]
    public async Task Invoke_MalformedArguments_BecomeErrorResults(string tool, string json, string expected)
    {
        using var ws = new TestWorkspace();
        var r = await ws.Call(tool, json);
        Assert.True(r.IsError);
        Assert.Contains(expected, r.Output);
    }

    [Fact]
    public async Task Invoke_ToolThatThrows_BecomesErrorResultNotException()
    {
        var registry = new ToolRegistry([new ThrowingTool()]);
        var r = await registry.InvokeAsync("boom", "{}", CancellationToken.None);
        Assert.True(r.IsError);
        Assert.Equal("boom: internal error (InvalidOperationException: kaput).", r.Output);
    }

    [Fact]
    public void Registry_DuplicateNames_Rejected() =>
        Assert.Contains("Two tools are both named 'boom'",
            Assert.Throws<ArgumentException>(() => new ToolRegistry([new ThrowingTool(), new ThrowingTool()])).Message);

    private sealed class ThrowingTool : ITool
    {
        public ToolSpec Spec { get; } = ToolSpec.Create("boom", "Always fails.", """{"type": "object", "properties": {}}""");
        public bool IsMutating(ToolArguments arguments) => true;
        public Task<ToolResult> InvokeAsync(ToolArguments arguments, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("kaput");
    }
}

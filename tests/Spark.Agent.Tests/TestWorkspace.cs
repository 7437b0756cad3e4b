using Spark.Agent.Policy;
using Spark.Agent.Tools;
using Spark.Testing;

namespace Spark.Agent.Tests;

/// <summary>A real temporary workspace folder with the default tool set (unsandboxed unless asked).</summary>
internal sealed class TestWorkspace : IDisposable
{
    private readonly TempDirectory _dir = new();

    public TestWorkspace(SandboxMode mode = SandboxMode.DangerFullAccess, bool useBwrap = false)
    {
        Directory.CreateDirectory(System.IO.Path.Combine(_dir.Path, "ws"));
        Workspace = new Workspace(System.IO.Path.Combine(_dir.Path, "ws"));
        Sandbox = useBwrap ? Sandbox.Create(mode, Workspace) : Sandbox.WithoutBwrap(mode, Workspace, "tests run without bwrap");
        Tools = ToolRegistry.CreateDefault(Workspace, Sandbox);
    }

    public Workspace Workspace { get; }
    public Sandbox Sandbox { get; }
    public ToolRegistry Tools { get; }
    public string Root => Workspace.Root;

    /// <summary>A folder next to the workspace (outside it).</summary>
    public string Outside
    {
        get
        {
            string p = System.IO.Path.Combine(_dir.Path, "outside");
            Directory.CreateDirectory(p);
            return p;
        }
    }

    public string PathOf(string relative) => System.IO.Path.Combine(Root, relative);

    public string Write(string relative, string content)
    {
        string p = PathOf(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(p)!);
        File.WriteAllText(p, content);
        return p;
    }

    public string Read(string relative) => File.ReadAllText(PathOf(relative));

    public Task<ToolResult> Call(string tool, string json, CancellationToken ct = default) =>
        Tools.InvokeAsync(tool, json, ct);

    public void Dispose() => _dir.Dispose();
}

/// <summary>Runs only where bubblewrap can create its namespaces; otherwise reported as skipped with the reason.</summary>
public sealed class BwrapFactAttribute : FactAttribute
{
    public BwrapFactAttribute()
    {
        using var dir = new TempDirectory();
        var sandbox = Sandbox.Create(SandboxMode.WorkspaceWrite, new Workspace(dir.Path));
        if (!sandbox.IsAvailable) Skip = "SKIPPED: no usable bubblewrap sandbox here: " + sandbox.UnavailableReason;
    }
}

internal static class Json
{
    /// <summary>A JSON string literal for embedding a value in test arguments.</summary>
    public static string Str(string value) => System.Text.Json.JsonSerializer.Serialize(value, JsonTestContext.Default.String);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class JsonTestContext : System.Text.Json.Serialization.JsonSerializerContext;

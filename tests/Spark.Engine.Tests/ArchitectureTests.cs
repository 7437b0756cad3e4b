namespace Spark.Engine.Tests;

public class ArchitectureTests
{
    [Fact]
    public void EngineAssembly_ReferencesOnlyTheBaseClassLibrary()
    {
        var engine = typeof(Spark.Engine.Gguf.GgufFile).Assembly;
        var offending = engine.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => !(n.StartsWith("System", StringComparison.Ordinal) || n is "netstandard" or "mscorlib" or "Microsoft.Win32.Primitives"))
            .ToList();
        Assert.True(offending.Count == 0, $"Spark.Engine must depend on the BCL only, but references: {string.Join(", ", offending)}");
    }
}

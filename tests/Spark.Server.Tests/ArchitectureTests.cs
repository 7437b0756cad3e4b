namespace Spark.Server.Tests;

public class ArchitectureTests
{
    [Fact]
    public void Protocol_DependsOnNoOtherSparkProjectAndNoAspNet()
    {
        var references = typeof(Spark.Protocol.Json.ProtocolJsonContext).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(references, n => n.StartsWith("Spark.", StringComparison.Ordinal) || n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    [Fact]
    public void Server_ReferencesOnlyEngineAndProtocolAmongSparkProjects()
    {
        var spark = typeof(Spark.Server.Hosting.SparkServer).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name!).Where(n => n.StartsWith("Spark.", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(["Spark.Engine", "Spark.Protocol"], spark);
    }
}

using Spark.Bench.Engine;
using Spark.Engine.Gguf;
using Spark.Engine.Tensors;
using Spark.Testing;

namespace Spark.Bench.Tests.Engine;

public class ModelFactsTests
{
    [Fact]
    public void Of_TestModel_ReportsArchitectureTypeSizeAndParameters()
    {
        using var dir = new TempDirectory();
        var spec = TestModels.Qwen2(type: GgmlType.Q8_0);
        using var file = GgufFile.Open(TestModels.Write(dir.File("m.gguf"), spec));

        var facts = ModelFacts.Of(file);

        Assert.Equal("qwen2", facts.Architecture);
        Assert.Equal("spark-test-qwen2", facts.Name);
        Assert.Equal("Q8_0", facts.Type); // F32 norms and biases are vectors, not weight matrices
        Assert.Equal(file.Tensors.Sum(t => t.ByteSize), facts.SizeBytes);
        Assert.Equal(file.Tensors.Sum(t => t.ElementCount), facts.Parameters);
        Assert.Equal(DecodeTraffic.WeightBytesPerToken(file), facts.WeightsBytesPerToken);
    }
}

using Spark.Engine.Gguf;
using Spark.Engine.Tensors;
using Spark.Testing;

namespace Spark.Engine.Tests.Gguf;

public class GgufWriterLazyTensorTests
{
    [Fact]
    public void ProducedTensors_AreWrittenInOrder_AndProducedOnlyWhenWriting()
    {
        using var dir = new TempDirectory();
        var produced = new List<string>();
        var w = new GgufWriter();
        w.AddTensor("a", GgmlType.F32, [2], () => { produced.Add("a"); return new byte[8]; });
        w.AddTensor("b", GgmlType.F32, [3], () => { produced.Add("b"); return Enumerable.Repeat((byte)7, 12).ToArray(); });
        Assert.Empty(produced);
        w.WriteFile(dir.File("m.gguf"));
        Assert.Equal(["a", "b"], produced);
        using var f = GgufFile.Open(dir.File("m.gguf"));
        Assert.Equal(Enumerable.Repeat((byte)7, 12).ToArray(), f.GetTensorData(f.FindTensor("b")!).ToArray());
    }

    [Fact]
    public void ProducerOfTheWrongSize_FailsWithTheTensorName_AndLeavesNoFile()
    {
        using var dir = new TempDirectory();
        var w = new GgufWriter();
        w.AddTensor("blk.0.x", GgmlType.F32, [4], () => new byte[15]);
        var e = Assert.Throws<InvalidOperationException>(() => w.WriteFile(dir.File("m.gguf")));
        Assert.Equal("tensor 'blk.0.x' (F32 [4]) needs 16 bytes but its producer gave 15", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}

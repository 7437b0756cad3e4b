using Spark.Bench.Engine;
using Spark.Engine.Gguf;
using Spark.Engine.Tensors;
using Spark.Testing;

namespace Spark.Bench.Tests.Engine;

public class DecodeTrafficTests
{
    [Fact]
    public void WeightBytesPerToken_UntiedF32_IsLayersOutputAndOneEmbeddingRow()
    {
        using var dir = new TempDirectory();
        var spec = TestModels.Llama(layers: 2, dim: 64, heads: 4, kvHeads: 2, feedForward: 96, vocab: 96);
        using var file = GgufFile.Open(TestModels.Write(dir.File("m.gguf"), spec));

        // Counted from the shape alone, in F32 elements: per layer q, k, v, o, gate, up, down and two norms.
        long kv = spec.KvHeads * spec.HeadDim;
        long perLayer = 64 * 64 + 2 * 64 * kv + 64 * 64 + 3 * 64 * 96 + 2 * 64;
        long expected = 4 * (spec.Layers * perLayer + 64 /* output_norm */ + 96 * 64 /* output */ + 64 /* one embedding row */);

        Assert.Equal(expected, DecodeTraffic.WeightBytesPerToken(file));
    }

    [Theory]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q4_0)]
    [InlineData(GgmlType.F16)]
    public void WeightBytesPerToken_Untied_IsEveryTensorButTheEmbeddingTableAndRopeFactors_PlusOneRow(GgmlType type)
    {
        using var dir = new TempDirectory();
        var spec = TestModels.Llama(type: type) with { RopeFrequencyFactors = Enumerable.Repeat(1f, 8).ToArray() };
        using var file = GgufFile.Open(TestModels.Write(dir.File("m.gguf"), spec));
        var embedding = file.FindTensor("token_embd.weight")!;
        long rowBytes = GgmlTypeInfo.RowBytes(type, spec.Dim);

        long expected = file.Tensors.Sum(t => t.ByteSize) - embedding.ByteSize + rowBytes - file.FindTensor("rope_freqs.weight")!.ByteSize;

        Assert.Equal(expected, DecodeTraffic.WeightBytesPerToken(file));
    }

    [Fact]
    public void WeightBytesPerToken_TiedEmbeddings_CountsTheWholeTableOnce()
    {
        using var dir = new TempDirectory();
        using var file = GgufFile.Open(TestModels.Write(dir.File("m.gguf"), TestModels.Qwen2(type: GgmlType.Q8_0)));
        Assert.Null(file.FindTensor("output.weight"));

        Assert.Equal(file.Tensors.Sum(t => t.ByteSize), DecodeTraffic.WeightBytesPerToken(file));
    }
}

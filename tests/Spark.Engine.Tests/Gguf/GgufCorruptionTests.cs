using System.Buffers.Binary;
using Spark.Engine.Gguf;
using Spark.Engine.Tensors;
using Spark.Testing;

namespace Spark.Engine.Tests.Gguf;

public class GgufCorruptionTests
{
    private static byte[] SmallFile()
    {
        var w = new GgufWriter();
        w.Set("general.architecture", "llama").Set("tokenizer.ggml.tokens", new[] { "a", "bc" }).Set("x", 3u);
        w.AddTensor("w", GgmlType.F32, [4, 2], GgufRoundTripTests.Bytes(new float[8]));
        var ms = new MemoryStream();
        w.WriteTo(ms);
        return ms.ToArray();
    }

    private static GgufFormatException OpenBad(byte[] bytes)
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad.gguf");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<GgufFormatException>(() => GgufFile.Open(path).Dispose());
        Assert.StartsWith(path + ": ", e.Message);
        return e;
    }

    [Fact]
    public void Open_EveryTruncation_ThrowsFormatExceptionWithOffset()
    {
        byte[] good = SmallFile();
        using var dir = new TempDirectory();
        string path = dir.File("cut.gguf");
        for (int len = 0; len < good.Length; len++)
        {
            File.WriteAllBytes(path, good[..len]);
            var e = Assert.Throws<GgufFormatException>(() => GgufFile.Open(path).Dispose());
            Assert.Contains("byte", e.Message);
        }
    }

    [Fact]
    public void Open_RandomByteCorruption_NeverThrowsAnythingElse()
    {
        byte[] good = SmallFile();
        var rng = new Random(1234);
        using var dir = new TempDirectory();
        string path = dir.File("flip.gguf");
        for (int trial = 0; trial < 400; trial++)
        {
            byte[] bad = (byte[])good.Clone();
            int flips = 1 + rng.Next(3);
            for (int k = 0; k < flips; k++) bad[rng.Next(bad.Length)] = (byte)rng.Next(256);
            File.WriteAllBytes(path, bad);
            try { GgufFile.Open(path).Dispose(); }
            catch (GgufFormatException) { }
        }
    }

    [Fact]
    public void Open_WrongMagic_SaysNotGguf()
    {
        byte[] bad = SmallFile();
        bad[0] = (byte)'X';
        Assert.Contains("not a GGUF file", OpenBad(bad).Message);
    }

    [Fact]
    public void Open_Version1_SaysUnsupportedVersion()
    {
        byte[] bad = SmallFile();
        BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan(4), 1);
        Assert.Contains("version 1 is not supported", OpenBad(bad).Message);
    }

    [Fact]
    public void Open_HugeMetadataCount_FailsFastWithoutAllocating()
    {
        byte[] bad = SmallFile();
        BinaryPrimitives.WriteUInt64LittleEndian(bad.AsSpan(16), ulong.MaxValue / 2);
        var e = OpenBad(bad);
        Assert.Contains("metadata key count", e.Message);
        Assert.Equal(16, e.Offset);
    }

    [Fact]
    public void Open_HugeStringLength_NamesTheOffset()
    {
        byte[] bad = SmallFile();
        BinaryPrimitives.WriteUInt64LittleEndian(bad.AsSpan(24), 1UL << 40);
        var e = OpenBad(bad);
        Assert.Equal(24, e.Offset);
        Assert.Contains("metadata key claims", e.Message);
    }

    [Fact]
    public void Open_TensorPastEndOfFile_NamesTensorAndSizes()
    {
        byte[] good = SmallFile();
        var e = OpenBad(good[..^8]);
        Assert.Contains("tensor 'w' ends at byte", e.Message);
        Assert.Contains("but the file has", e.Message);
    }

    [Fact]
    public void Open_EmptyAndMissingFiles_GiveClearErrors()
    {
        Assert.Contains("too short", OpenBad([]).Message);
        Assert.Throws<FileNotFoundException>(() => GgufFile.Open("/nonexistent/x.gguf"));
    }
}

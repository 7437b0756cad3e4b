using Spark.Engine.Gguf;
using Spark.Testing;

namespace Spark.Conformance.Tests.Gguf;

/// <summary>
/// The writer follows llama.cpp's layout rules exactly: re-writing a file llama.cpp made, with the same metadata and
/// tensors in the same order, gives the same bytes.
/// </summary>
public class GgufWriterLayoutTests
{
    public static TheoryData<string> Files() => RealGgufFileTests.Files();

    [ConformanceTheory]
    [MemberData(nameof(Files))]
    public void Rewrite_LlamaCppFile_IsByteIdentical(string relative)
    {
        string path = ConformanceData.PathOf(relative);
        using var dir = new TempDirectory();
        string copy = dir.File("copy.gguf");
        using (var original = GgufFile.Open(path))
        {
            var writer = new GgufWriter(original.Version);
            foreach (var (key, value) in original.Metadata) writer.Add(key, value);
            foreach (var t in original.Tensors)
                writer.AddTensor(t.Name, t.Type, [.. t.Dimensions], original.GetTensorData(t).ToArray());
            writer.WriteFile(copy);
        }
        byte[] expected = File.ReadAllBytes(path), actual = File.ReadAllBytes(copy);
        int firstDifference = expected.AsSpan().CommonPrefixLength(actual);
        Assert.True(expected.AsSpan().SequenceEqual(actual),
            $"{relative}: {actual.Length:N0} bytes written, {expected.Length:N0} expected; first difference at byte {firstDifference:N0}");
    }
}

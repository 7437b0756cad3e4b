using Spark.Engine.Gguf;

namespace Spark.Bench.Engine;

/// <summary>
/// How many bytes of weights one decode step reads: the roofline of decoding is memory bandwidth ÷ this.
/// </summary>
public static class DecodeTraffic
{
    private const string Embedding = "token_embd.weight";
    private const string Output = "output.weight";

    /// <summary>
    /// Every tensor of every layer (<c>blk.*</c>: matrices, norms, biases), the output norm and the output projection —
    /// the whole token embedding when the output is tied to it, otherwise only the one embedding row the step looks up.
    /// Load-time-only tensors (<c>rope_freqs</c>) and tensors the forward pass does not use are not counted.
    /// </summary>
    public static long WeightBytesPerToken(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        long bytes = 0;
        bool tied = file.FindTensor(Output) is null;
        foreach (var t in file.Tensors)
        {
            if (t.Name.StartsWith("blk.", StringComparison.Ordinal) || t.Name is "output_norm.weight" or Output)
                bytes += t.ByteSize;
            else if (t.Name == Embedding)
                bytes += tied ? t.ByteSize : t.ByteSize / Math.Max(1, t.Rows);
        }
        return bytes;
    }
}

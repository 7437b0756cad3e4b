using Spark.Engine.Gguf;
using Spark.Engine.Tensors;

namespace Spark.Testing;

/// <summary>
/// Tiny deterministic GGUF transformers with random weights (llama.cpp tensor names and metadata keys), for tests
/// of the forward pass: <c>TestModels.Write(path, TestModels.Llama(type: GgmlType.Q8_0))</c>.
/// </summary>
public static class TestModels
{
    /// <summary>A llama model: no biases, separate output.weight by default.</summary>
    public static TestModelSpec Llama(int layers = 2, int dim = 64, int heads = 4, int kvHeads = 2, GgmlType type = GgmlType.F32,
        int seed = 1, int feedForward = 96, int vocab = 96) =>
        new() { Architecture = "llama", Layers = layers, Dim = dim, Heads = heads, KvHeads = kvHeads, Type = type, Seed = seed, FeedForward = feedForward, Vocab = vocab };

    /// <summary>A qwen2 model: q/k/v biases and tied embeddings by default.</summary>
    public static TestModelSpec Qwen2(int layers = 2, int dim = 64, int heads = 4, int kvHeads = 2, GgmlType type = GgmlType.F32,
        int seed = 1, int feedForward = 96, int vocab = 96) =>
        new()
        {
            Architecture = "qwen2", Layers = layers, Dim = dim, Heads = heads, KvHeads = kvHeads, Type = type, Seed = seed,
            FeedForward = feedForward, Vocab = vocab, Biases = true, TiedEmbeddings = true, RmsEpsilon = 1e-6f, RopeFreqBase = 1_000_000f,
        };

    /// <summary>Writes <paramref name="spec"/> as a GGUF file at <paramref name="path"/> and returns the path.</summary>
    public static string Write(string path, TestModelSpec spec)
    {
        var rng = new Random(spec.Seed);
        string a = spec.Architecture;
        int kvDim = spec.KvHeads * spec.HeadDim;
        var w = new GgufWriter();
        w.Set("general.architecture", a);
        w.Set("general.name", $"spark-test-{a}");
        w.Set($"{a}.block_count", (uint)spec.Layers);
        w.Set($"{a}.context_length", (uint)spec.ContextLength);
        w.Set($"{a}.embedding_length", (uint)spec.Dim);
        w.Set($"{a}.feed_forward_length", (uint)spec.FeedForward);
        w.Set($"{a}.attention.head_count", (uint)spec.Heads);
        w.Set($"{a}.attention.head_count_kv", (uint)spec.KvHeads);
        w.Set($"{a}.attention.layer_norm_rms_epsilon", spec.RmsEpsilon);
        w.Set($"{a}.rope.freq_base", spec.RopeFreqBase);
        if (spec.RopeDimensions is int rd) w.Set($"{a}.rope.dimension_count", (uint)rd);
        if (spec.RopeLinearFactor is float f)
        {
            w.Set($"{a}.rope.scaling.type", "linear");
            w.Set($"{a}.rope.scaling.factor", f);
        }

        void Matrix(string name, int cols, int rows, float scale)
        {
            if (spec.OmitTensors.Contains(name)) return;
            var values = Gaussian(rng, rows * cols, scale);
            w.AddTensor(name, spec.Type, [cols, rows], Encode(spec.Type, values, cols));
        }
        void Vector(string name, int n, float center, float spread)
        {
            if (spec.OmitTensors.Contains(name)) return;
            var values = Gaussian(rng, n, spread);
            for (int i = 0; i < n; i++) values[i] += center;
            w.AddTensor(name, GgmlType.F32, [n], Encode(GgmlType.F32, values, n));
        }

        Matrix("token_embd.weight", spec.Dim, spec.Vocab, 1f);
        for (int l = 0; l < spec.Layers; l++)
        {
            string p = $"blk.{l}.";
            Vector(p + "attn_norm.weight", spec.Dim, 1f, 0.1f);
            Matrix(p + "attn_q.weight", spec.Dim, spec.Dim, 1f / MathF.Sqrt(spec.Dim));
            Matrix(p + "attn_k.weight", spec.Dim, kvDim, 1f / MathF.Sqrt(spec.Dim));
            Matrix(p + "attn_v.weight", spec.Dim, kvDim, 1f / MathF.Sqrt(spec.Dim));
            if (spec.Biases)
            {
                Vector(p + "attn_q.bias", spec.Dim, 0f, 0.2f);
                Vector(p + "attn_k.bias", kvDim, 0f, 0.2f);
                Vector(p + "attn_v.bias", kvDim, 0f, 0.2f);
            }
            Matrix(p + "attn_output.weight", spec.Dim, spec.Dim, 1f / MathF.Sqrt(spec.Dim));
            Vector(p + "ffn_norm.weight", spec.Dim, 1f, 0.1f);
            Matrix(p + "ffn_gate.weight", spec.Dim, spec.FeedForward, 1f / MathF.Sqrt(spec.Dim));
            Matrix(p + "ffn_up.weight", spec.Dim, spec.FeedForward, 1f / MathF.Sqrt(spec.Dim));
            Matrix(p + "ffn_down.weight", spec.FeedForward, spec.Dim, 1f / MathF.Sqrt(spec.FeedForward));
        }
        Vector("output_norm.weight", spec.Dim, 1f, 0.1f);
        if (!spec.TiedEmbeddings) Matrix("output.weight", spec.Dim, spec.Vocab, 2f / MathF.Sqrt(spec.Dim));
        if (spec.RopeFrequencyFactors is { } factors)
            w.AddTensor("rope_freqs.weight", GgmlType.F32, [factors.Length], Encode(GgmlType.F32, factors, factors.Length));
        w.WriteFile(path);
        return path;
    }

    /// <summary>Encodes F32 values as <paramref name="type"/>, row by row, with ggml's reference quantizers.</summary>
    public static byte[] Encode(GgmlType type, float[] values, int rowLength)
    {
        int rows = values.Length / rowLength;
        int rowBytes = checked((int)GgmlTypeInfo.RowBytes(type, rowLength));
        var bytes = new byte[rows * rowBytes];
        for (int r = 0; r < rows; r++)
        {
            var src = values.AsSpan(r * rowLength, rowLength);
            var dst = bytes.AsSpan(r * rowBytes, rowBytes);
            TensorQuantizer.Row(type, src, dst);
        }
        return bytes;
    }

    private static float[] Gaussian(Random rng, int n, float scale)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            v[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2) * scale);
        }
        return v;
    }
}

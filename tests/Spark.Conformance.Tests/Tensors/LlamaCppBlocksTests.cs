using Spark.Engine.Gguf;
using Spark.Engine.Kernels;
using Spark.Engine.Tensors;
using Spark.Testing;

namespace Spark.Conformance.Tests.Tensors;

/// <summary>
/// Blocks written by llama.cpp's llama-quantize: v1 (F16) and v2 (Q8_0) hold the same synthetic weights, so Q8_0
/// decoding is checked element by element against the F16 twin; v4 (Q4_K_M) checks Q4_K/Q6_K decoding,
/// requantization and the fused matvec on real llama.cpp bytes.
/// </summary>
public class LlamaCppBlocksTests
{
    private static readonly string[] s_twinTensors =
        ["blk.0.attn_q.weight", "blk.0.ffn_down.weight", "blk.1.ffn_gate.weight", "token_embd.weight"];

    [ConformanceFact]
    public void Row_LlamaCppQ8_0Tensors_MatchTheirF16TwinWithinHalfAStep()
    {
        using var f16 = GgufFile.Open(ConformanceData.PathOf("models", "v1-llama-spm-tiny-f16.gguf"));
        using var q8 = GgufFile.Open(ConformanceData.PathOf("models", "v2-llama-spm-tiny-q8_0.gguf"));
        foreach (string name in s_twinTensors)
        {
            var a = f16.FindTensor(name)!;
            var b = q8.FindTensor(name)!;
            Assert.Equal(GgmlType.F16, a.Type);
            Assert.Equal(GgmlType.Q8_0, b.Type);
            int n = (int)Math.Min(a.ElementCount, 1 << 16);
            var reference = new float[n];
            var decoded = new float[n];
            TensorDequantizer.Row(GgmlType.F16, f16.GetTensorData(a), reference);
            TensorDequantizer.Row(GgmlType.Q8_0, q8.GetTensorData(b), decoded);
            for (int blk = 0; blk < n / 32; blk++)
            {
                float amax = 0;
                for (int j = 0; j < 32; j++) amax = Math.Max(amax, Math.Abs(reference[32 * blk + j]));
                // half a quantization step, plus the F16 rounding of the twin and of d
                float tolerance = amax / 127 * 0.5f + amax * 2e-3f + 1e-7f;
                for (int j = 0; j < 32; j++)
                {
                    int i = 32 * blk + j;
                    Assert.True(Math.Abs(reference[i] - decoded[i]) <= tolerance,
                        $"{name}[{i}]: F16 {reference[i]}, Q8_0 decodes to {decoded[i]} (tolerance {tolerance})");
                }
            }
        }
    }

    [ConformanceFact]
    public void Row_QuantizingF16TwinToQ8_0_ReproducesLlamaCppBytes()
    {
        using var f16 = GgufFile.Open(ConformanceData.PathOf("models", "v1-llama-spm-tiny-f16.gguf"));
        using var q8 = GgufFile.Open(ConformanceData.PathOf("models", "v2-llama-spm-tiny-q8_0.gguf"));
        foreach (string name in s_twinTensors)
        {
            var a = f16.FindTensor(name)!;
            int n = (int)Math.Min(a.ElementCount, 1 << 16);
            var values = new float[n];
            TensorDequantizer.Row(GgmlType.F16, f16.GetTensorData(a), values);
            var ours = new byte[GgmlTypeInfo.RowBytes(GgmlType.Q8_0, n)];
            TensorQuantizer.Row(GgmlType.Q8_0, values, ours);
            var theirs = q8.GetTensorData(q8.FindTensor(name)!)[..ours.Length];
            // llama.cpp quantized the F32 originals; ours start from their F16 rounding, so a quant may land one
            // level away where an element sits near a rounding boundary. Everything else must be identical.
            int same = 0, quants = 0;
            for (int blk = 0; blk < n / 32; blk++)
            {
                for (int j = 0; j < 32; j++)
                {
                    int o = 34 * blk + 2 + j;
                    int diff = Math.Abs((sbyte)ours[o] - (sbyte)theirs[o]);
                    Assert.True(diff <= 1, $"{name} block {blk} quant {j}: ours {(sbyte)ours[o]}, llama.cpp {(sbyte)theirs[o]}");
                    if (diff == 0) same++;
                    quants++;
                }
            }
            Assert.True(same >= quants * 0.97, $"{name}: only {same} of {quants} quants identical to llama.cpp's");
        }
    }

    public static TheoryData<string> KQuantTensors() =>
        ["token_embd.weight", "blk.0.ffn_down.weight", "blk.0.attn_q.weight", "blk.2.attn_v.weight", "output.weight"];

    [ConformanceTheory]
    [MemberData(nameof(KQuantTensors))]
    public void Row_LlamaCppKQuantTensor_RequantizesToTheSameValues(string name)
    {
        using var file = GgufFile.Open(ConformanceData.PathOf("models", "v4-llama-spm-small-q4_k_m.gguf"));
        var t = file.FindTensor(name)!;
        Assert.True(t.Type is GgmlType.Q4_K or GgmlType.Q6_K, $"{name} is {t.Type}");
        int n = (int)Math.Min(t.ElementCount, 1 << 16);
        var decoded = new float[n];
        TensorDequantizer.Row(t.Type, file.GetTensorData(t), decoded);

        // Synthetic weights are N(0, 1/sqrt(n_in)): a misread scale or min shows up in the spread.
        double sum = 0, sum2 = 0;
        foreach (float v in decoded) { sum += v; sum2 += (double)v * v; }
        double std = Math.Sqrt(sum2 / n - sum / n * (sum / n));
        Assert.True(std > 0 && Math.Abs(sum / n) < 0.2 * std, $"{name}: mean {sum / n:G3}, std {std:G3}");

        // Values that already lie on a k-quant grid come back (almost) unchanged through ggml's reference quantizer.
        var requantized = new byte[GgmlTypeInfo.RowBytes(t.Type, n)];
        TensorQuantizer.Row(t.Type, decoded, requantized);
        var again = new float[n];
        TensorDequantizer.Row(t.Type, requantized, again);
        double num = 0;
        for (int i = 0; i < n; i++) num += Math.Pow(decoded[i] - again[i], 2);
        double relative = Math.Sqrt(num / sum2);
        Assert.True(relative < 0.01, $"{name} ({t.Type}): requantization moved values by relative RMS {relative:G3}");
    }

    [ConformanceTheory]
    [MemberData(nameof(KQuantTensors))]
    public void Multiply_LlamaCppKQuantTensor_MatchesDequantizedDoubleDot(string name)
    {
        using var file = GgufFile.Open(ConformanceData.PathOf("models", "v4-llama-spm-small-q4_k_m.gguf"));
        var t = file.FindTensor(name)!;
        int cols = (int)t.Columns;
        int rows = (int)Math.Min(t.Rows, 64);
        var x = new float[cols];
        var rng = new Random(11);
        for (int i = 0; i < cols; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        var y = new float[rows];
        var data = file.GetTensorData(t);
        MatVec.Multiply(t.Type, data, cols, x, y, 0, rows);
        int rowBytes = (int)GgmlTypeInfo.RowBytes(t.Type, cols);
        var w = new float[cols];
        for (int r = 0; r < rows; r++)
        {
            TensorDequantizer.Row(t.Type, data.Slice(r * rowBytes, rowBytes), w);
            double expected = 0, magnitude = 0;
            for (int i = 0; i < cols; i++) { expected += (double)w[i] * x[i]; magnitude += Math.Abs((double)w[i] * x[i]); }
            Assert.True(Math.Abs(expected - y[r]) <= 1e-5 * magnitude + 1e-6, $"{name} row {r}: expected {expected}, got {y[r]}");
        }
    }
}

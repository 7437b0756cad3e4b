using Spark.Engine.Gguf;
using Spark.Engine.Tensors;

namespace Spark.Engine.Tests.Models;

/// <summary>
/// A naive float64 llama/qwen2 forward pass, written from the model definitions rather than from the engine: every
/// weight is dequantized to double, and each position recomputes attention over all previous keys and values.
/// Slow and obviously right; the engine's logits are compared against it.
/// </summary>
internal sealed class ReferenceTransformer
{
    private readonly GgufFile _file;
    private readonly string _arch;
    private readonly int _layers, _dim, _heads, _kvHeads, _headDim, _vocab, _ropeDims;
    private readonly double _eps, _ropeBase, _ropeScale;
    private readonly double[]? _ropeFactors;
    private readonly List<double[][]>[] _keys, _values; // [layer][position][kvHead][d]

    public ReferenceTransformer(GgufFile file)
    {
        _file = file;
        var md = file.Metadata;
        _arch = md.RequireString("general.architecture");
        _layers = (int)md.RequireInteger(_arch + ".block_count");
        _dim = (int)md.RequireInteger(_arch + ".embedding_length");
        _heads = (int)md.RequireInteger(_arch + ".attention.head_count");
        _kvHeads = (int)(md.GetInteger(_arch + ".attention.head_count_kv") ?? _heads);
        _headDim = _dim / _heads;
        _ropeDims = (int)(md.GetInteger(_arch + ".rope.dimension_count") ?? _headDim);
        _eps = md.GetNumber(_arch + ".attention.layer_norm_rms_epsilon")!.Value;
        _ropeBase = md.GetNumber(_arch + ".rope.freq_base") ?? 10000;
        double factor = md.GetNumber(_arch + ".rope.scaling.factor") ?? 1;
        _ropeScale = 1 / factor;
        _vocab = (int)file.FindTensor("token_embd.weight")!.Dimensions[1];
        if (file.FindTensor("rope_freqs.weight") is not null) _ropeFactors = Vector("rope_freqs.weight");
        _keys = new List<double[][]>[_layers];
        _values = new List<double[][]>[_layers];
        for (int l = 0; l < _layers; l++) { _keys[l] = []; _values[l] = []; }
    }

    public int Position => _keys[0].Count;

    /// <summary>Runs one token at the next position and returns the logits for the token after it.</summary>
    public double[] Next(int token)
    {
        int pos = Position;
        double[] x = MatrixRow("token_embd.weight", token);
        for (int l = 0; l < _layers; l++)
        {
            string p = $"blk.{l}.";
            double[] n = RmsNorm(x, Vector(p + "attn_norm.weight"));
            double[] q = Add(MatVec(p + "attn_q.weight", n), OptionalVector(p + "attn_q.bias"));
            double[] k = Add(MatVec(p + "attn_k.weight", n), OptionalVector(p + "attn_k.bias"));
            double[] v = Add(MatVec(p + "attn_v.weight", n), OptionalVector(p + "attn_v.bias"));
            var qh = Split(q, _heads);
            var kh = Split(k, _kvHeads);
            foreach (var h in qh) Rotate(h, pos);
            foreach (var h in kh) Rotate(h, pos);
            _keys[l].Add(kh);
            _values[l].Add(Split(v, _kvHeads));

            var attended = new double[_dim];
            for (int h = 0; h < _heads; h++)
            {
                int g = h * _kvHeads / _heads;
                var scores = new double[pos + 1];
                for (int t = 0; t <= pos; t++)
                {
                    double s = 0;
                    for (int d = 0; d < _headDim; d++) s += qh[h][d] * _keys[l][t][g][d];
                    scores[t] = s / Math.Sqrt(_headDim);
                }
                double max = scores.Max(), sum = 0;
                for (int t = 0; t <= pos; t++) sum += scores[t] = Math.Exp(scores[t] - max);
                for (int t = 0; t <= pos; t++)
                    for (int d = 0; d < _headDim; d++) attended[h * _headDim + d] += scores[t] / sum * _values[l][t][g][d];
            }
            x = Add(x, MatVec(p + "attn_output.weight", attended));

            n = RmsNorm(x, Vector(p + "ffn_norm.weight"));
            double[] gate = MatVec(p + "ffn_gate.weight", n), up = MatVec(p + "ffn_up.weight", n);
            for (int i = 0; i < gate.Length; i++) gate[i] = gate[i] / (1 + Math.Exp(-gate[i])) * up[i];
            x = Add(x, MatVec(p + "ffn_down.weight", gate));
        }
        x = RmsNorm(x, Vector("output_norm.weight"));
        return MatVec(_file.FindTensor("output.weight") is null ? "token_embd.weight" : "output.weight", x);
    }

    private void Rotate(double[] head, int pos)
    {
        // llama: the converter permuted Q/K so adjacent pairs rotate; qwen2: dimension i pairs with i + n/2.
        bool adjacent = _arch == "llama";
        for (int i = 0; i < _ropeDims / 2; i++)
        {
            double theta = pos * _ropeScale * Math.Pow(_ropeBase, -2.0 * i / _ropeDims);
            if (_ropeFactors != null) theta /= _ropeFactors[i];
            int a = adjacent ? 2 * i : i, b = adjacent ? 2 * i + 1 : i + _ropeDims / 2;
            double x0 = head[a], x1 = head[b];
            head[a] = x0 * Math.Cos(theta) - x1 * Math.Sin(theta);
            head[b] = x0 * Math.Sin(theta) + x1 * Math.Cos(theta);
        }
    }

    private double[] RmsNorm(double[] x, double[] w)
    {
        double ms = x.Sum(v => v * v) / x.Length;
        double s = 1 / Math.Sqrt(ms + _eps);
        return [.. x.Select((v, i) => v * s * w[i])];
    }

    private static double[] Add(double[] a, double[]? b) => b is null ? a : [.. a.Select((v, i) => v + b[i])];

    private static double[][] Split(double[] v, int parts)
    {
        int n = v.Length / parts;
        return [.. Enumerable.Range(0, parts).Select(p => v[(p * n)..((p + 1) * n)])];
    }

    private double[] MatVec(string name, double[] x)
    {
        var t = _file.FindTensor(name)!;
        var y = new double[t.Rows];
        for (int r = 0; r < y.Length; r++)
        {
            double[] row = MatrixRow(name, r);
            double s = 0;
            for (int c = 0; c < row.Length; c++) s += row[c] * x[c];
            y[r] = s;
        }
        return y;
    }

    private double[] MatrixRow(string name, int row)
    {
        var t = _file.FindTensor(name)!;
        int cols = (int)t.Columns;
        int rowBytes = (int)GgmlTypeInfo.RowBytes(t.Type, cols);
        var f = new float[cols];
        TensorDequantizer.Row(t.Type, _file.GetTensorData(t).Slice(row * rowBytes, rowBytes), f);
        return [.. f.Select(v => (double)v)];
    }

    private double[] Vector(string name) => MatrixRow(name, 0);

    private double[]? OptionalVector(string name) => _file.FindTensor(name) is null ? null : Vector(name);
}

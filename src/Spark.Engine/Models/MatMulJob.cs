using Spark.Engine.Kernels.Quantized;
using Spark.Engine.Tensors;
using Spark.Engine.Threading;

namespace Spark.Engine.Models;

/// <summary>
/// Up to three matrix products Y = X·Wᵀ over one batch of input rows (a prefill chunk): X is batch × columns,
/// each Y is batch × rows, both row-major and packed (stride = columns / rows). Work is split by weight rows across
/// the workers and tiled so that a tile of weight rows stays in cache while every input row of the batch passes it:
/// the weights are read once per batch instead of once per token. Each input row is rounded to the matrix's
/// activation type once (<see cref="QuantizedActivations"/>), on the calling thread.
/// </summary>
internal sealed class MatMulJob : IParallelWork
{
    /// <summary>Weight rows per tile: small enough that a tile of the widest rows stays in L2 across the batch.</summary>
    private const int RowTile = 16;

    private readonly WeightMatrix?[] _matrices = new WeightMatrix?[3];
    private readonly float[]?[] _outputs = new float[]?[3];
    private readonly QuantizedActivations[] _slots;
    private readonly QuantizedActivations?[] _inputs = new QuantizedActivations?[3];
    private readonly bool _roundActivations;
    private int _count;
    private int _batch;

    /// <param name="maxColumns">The widest input any matrix takes.</param>
    /// <param name="maxBatch">The most input rows one <see cref="Set(float[], int, WeightMatrix, float[])"/> passes.</param>
    /// <param name="roundActivations">False keeps inputs in F32 (exact math, for tests).</param>
    public MatMulJob(int maxColumns, int maxBatch, bool roundActivations = true)
    {
        if (maxBatch < 1) throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, "a batch holds at least one row");
        MaxBatch = maxBatch;
        _roundActivations = roundActivations;
        _slots = [new QuantizedActivations(maxColumns, maxBatch), new QuantizedActivations(maxColumns, maxBatch),
            new QuantizedActivations(maxColumns, maxBatch)];
    }

    /// <summary>The most input rows a batch may hold.</summary>
    public int MaxBatch { get; }

    /// <summary>Multiply-adds the current products take (decides whether splitting them across threads pays off).</summary>
    public long Work { get; private set; }

    public void Set(float[] input, int batch, WeightMatrix m0, float[] y0)
    {
        if ((uint)(batch - 1) >= (uint)MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"a batch holds 1 to {MaxBatch} rows");
        _count = 0;
        _batch = batch;
        Work = 0;
        Add(input, m0, y0);
    }

    public void Set(float[] input, int batch, WeightMatrix m0, float[] y0, WeightMatrix m1, float[] y1)
    {
        Set(input, batch, m0, y0);
        Add(input, m1, y1);
    }

    public void Set(float[] input, int batch, WeightMatrix m0, float[] y0, WeightMatrix m1, float[] y1, WeightMatrix m2, float[] y2)
    {
        Set(input, batch, m0, y0, m1, y1);
        Add(input, m2, y2);
    }

    private void Add(float[] input, WeightMatrix m, float[] y)
    {
        int cols = m.Columns;
        if (input.Length < (long)_batch * cols)
            throw new ArgumentException($"input holds {input.Length} floats, fewer than {_batch} rows of {cols}", nameof(input));
        if (y.Length < (long)_batch * m.Rows)
            throw new ArgumentException($"output holds {y.Length} floats, fewer than {_batch} rows of {m.Rows}", nameof(y));
        int i = _count++;
        _matrices[i] = m;
        _outputs[i] = y;
        Work += (long)m.Rows * cols * _batch;
        var activation = _roundActivations ? m.ActivationType : GgmlType.F32;
        for (int j = 0; j < i; j++)
        {
            var earlier = _inputs[j]!;
            if (earlier.Type == activation && earlier.Length == cols)
            {
                _inputs[i] = earlier;
                return;
            }
        }
        _slots[i].Quantize(activation, input, _batch, cols);
        _inputs[i] = _slots[i];
    }

    public void Execute(int worker, int workerCount)
    {
        for (int i = 0; i < _count; i++)
        {
            var m = _matrices[i]!;
            int cols = m.Columns, rows = m.Rows;
            var (start, end) = WorkerPool.Share(rows, worker, workerCount, m.RowGroup);
            var input = _inputs[i]!;
            var output = _outputs[i]!;
            for (int tile = start; tile < end; tile += RowTile)
            {
                int tileEnd = Math.Min(tile + RowTile, end);
                if (_roundActivations)
                {
                    m.MultiplyBatch(input, _batch, output.AsSpan(0, _batch * rows), rows, tile, tileEnd);
                    continue;
                }
                for (int b = 0; b < _batch; b++)
                    m.Multiply(input.Floats.AsSpan(b * input.Stride, cols), output.AsSpan(b * rows, rows), tile, tileEnd);
            }
        }
    }
}

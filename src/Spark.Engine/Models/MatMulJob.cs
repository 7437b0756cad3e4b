using Spark.Engine.Kernels.Quantized;
using Spark.Engine.Tensors;
using Spark.Engine.Threading;

namespace Spark.Engine.Models;

/// <summary>
/// Up to three matrix products Y = X·Wᵀ over one batch of input rows (a prefill chunk): X is batch × columns,
/// each Y is batch × rows, both row-major and packed (stride = columns / rows). Work is split by weight rows across
/// the workers and tiled so that a tile of weight rows stays in cache while every input row of the batch passes it:
/// the weights are read once per batch instead of once per token. Each input row is rounded to the matrix's
/// activation type once (<see cref="QuantizedActivations"/>) by <see cref="Rounding"/>, which runs first, its rows split
/// across the workers too (on one thread, rounding took a few percent of a two-thread prefill while the other waited).
/// </summary>
internal sealed class MatMulJob : IParallelWork
{
    /// <summary>Weight rows per tile: small enough that a tile of the widest rows stays in L2 across the batch.</summary>
    private const int RowTile = 16;

    private readonly WeightMatrix?[] _matrices = new WeightMatrix?[3];
    private readonly float[]?[] _outputs = new float[]?[3];
    private readonly QuantizedActivations[] _slots;
    private readonly QuantizedActivations?[] _inputs = new QuantizedActivations?[3];
    private readonly float[]?[] _pending = new float[]?[3]; // per slot: the input its rows are rounded from
    private readonly bool _roundActivations;
    private int _count;
    private int _batch;
    private bool _rounded;

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
        Rounding = new RoundingWork(this);
    }

    /// <summary>Rounds the inputs of the current products to their activation types; run it before this job.</summary>
    public IParallelWork Rounding { get; }

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
        _rounded = false;
        Array.Clear(_pending);
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
        _slots[i].Prepare(activation, _batch, cols);
        _pending[i] = input;
        _inputs[i] = _slots[i];
    }

    public void Execute(int worker, int workerCount)
    {
        if (!_rounded) throw new InvalidOperationException("the inputs are not rounded yet: run Rounding before the products");
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

    /// <summary>Each worker rounds its share of the batch's rows, for every input a product of this job reads.</summary>
    private sealed class RoundingWork(MatMulJob job) : IParallelWork
    {
        public void Execute(int worker, int workerCount)
        {
            var (start, end) = WorkerPool.Share(job._batch, worker, workerCount);
            for (int i = 0; i < job._count; i++)
                if (job._pending[i] is { } input) job._slots[i].QuantizeRows(input, start, end);
            // Every worker sets it; it is read after the pool's Run has joined them all.
            job._rounded = true;
        }
    }
}

using Spark.Engine.Kernels.Quantized;
using Spark.Engine.Tensors;
using Spark.Engine.Threading;

namespace Spark.Engine.Models;

/// <summary>
/// Up to three matrix-vector products over one input, each split by rows across the workers. The input is first
/// converted once to each matrix's activation type (<see cref="QuantizedActivations"/>: Q8_0/Q8_K bytes for quantized
/// weights) on the calling thread; matrices sharing an activation type share the conversion.
/// </summary>
internal sealed class MatVecJob : IParallelWork
{
    private readonly WeightMatrix?[] _matrices = new WeightMatrix?[3];
    private readonly float[]?[] _outputs = new float[]?[3];
    private readonly QuantizedActivations[] _slots;
    private readonly QuantizedActivations?[] _inputs = new QuantizedActivations?[3];
    private readonly bool _roundActivations;
    private int _count;

    /// <param name="maxColumns">The widest input any matrix takes.</param>
    /// <param name="roundActivations">False keeps inputs in F32 (exact math, for tests).</param>
    public MatVecJob(int maxColumns, bool roundActivations = true)
    {
        _roundActivations = roundActivations;
        _slots = [new QuantizedActivations(maxColumns), new QuantizedActivations(maxColumns), new QuantizedActivations(maxColumns)];
    }

    /// <summary>Multiply-adds the current products take (decides whether splitting them across threads pays off).</summary>
    public long Work { get; private set; }

    public void Set(float[] input, WeightMatrix m0, float[] y0)
    {
        _count = 0;
        Work = 0;
        Add(input, m0, y0);
    }

    public void Set(float[] input, WeightMatrix m0, float[] y0, WeightMatrix m1, float[] y1)
    {
        Set(input, m0, y0);
        Add(input, m1, y1);
    }

    public void Set(float[] input, WeightMatrix m0, float[] y0, WeightMatrix m1, float[] y1, WeightMatrix m2, float[] y2)
    {
        Set(input, m0, y0, m1, y1);
        Add(input, m2, y2);
    }

    private void Add(float[] input, WeightMatrix m, float[] y)
    {
        int i = _count++;
        _matrices[i] = m;
        _outputs[i] = y;
        Work += (long)m.Rows * m.Columns;
        var activation = _roundActivations ? m.ActivationType : GgmlType.F32;
        for (int j = 0; j < i; j++)
        {
            var earlier = _inputs[j]!;
            if (earlier.Type == activation && earlier.Length == m.Columns)
            {
                _inputs[i] = earlier;
                return;
            }
        }
        _slots[i].Quantize(activation, input.AsSpan(0, m.Columns));
        _inputs[i] = _slots[i];
    }

    public void Execute(int worker, int workerCount)
    {
        for (int i = 0; i < _count; i++)
        {
            var m = _matrices[i]!;
            var (start, end) = WorkerPool.Share(m.Rows, worker, workerCount, m.RowGroup);
            if (start >= end) continue;
            var x = _inputs[i]!;
            if (_roundActivations) m.Multiply(x, 0, _outputs[i].AsSpan(0, m.Rows), start, end);
            else m.Multiply(x.Floats.AsSpan(0, m.Columns), _outputs[i].AsSpan(0, m.Rows), start, end);
        }
    }
}

using Spark.Engine.Kernels;
using Spark.Engine.Tensors;
using Spark.Engine.Threading;

namespace Spark.Engine.Models;

/// <summary>
/// Up to three matrix-vector products over one input, each split by rows across the workers. The input is first
/// rounded to each matrix's activation type (<see cref="ActivationRounding"/>) on the calling thread.
/// </summary>
internal sealed class MatVecJob : IParallelWork
{
    private readonly WeightMatrix?[] _matrices = new WeightMatrix?[3];
    private readonly float[]?[] _outputs = new float[]?[3];
    private readonly float[][] _inputs;
    private readonly byte[] _scratch;
    private readonly GgmlType[] _activations = new GgmlType[3];
    private int _count;

    private readonly bool _roundActivations;

    /// <param name="maxColumns">The widest input any matrix takes.</param>
    /// <param name="roundActivations">False keeps inputs in F32 (exact math, for tests).</param>
    public MatVecJob(int maxColumns, bool roundActivations = true)
    {
        _roundActivations = roundActivations;
        _inputs = [new float[maxColumns], new float[maxColumns], new float[maxColumns]];
        _scratch = new byte[ActivationRounding.ScratchBytes(maxColumns)];
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
        var activation = _roundActivations ? ActivationRounding.For(m.Type) : GgmlType.F32;
        _activations[i] = activation;
        if (i > 0 && _activations[i - 1] == activation && _matrices[i - 1]!.Columns == m.Columns)
            _inputs[i - 1].AsSpan(0, m.Columns).CopyTo(_inputs[i]);
        else
            ActivationRounding.Round(activation, input.AsSpan(0, m.Columns), _scratch, _inputs[i]);
    }

    public void Execute(int worker, int workerCount)
    {
        for (int i = 0; i < _count; i++)
        {
            var m = _matrices[i]!;
            var (start, end) = WorkerPool.Share(m.Rows, worker, workerCount);
            if (start < end) m.Multiply(_inputs[i].AsSpan(0, m.Columns), _outputs[i].AsSpan(0, m.Rows), start, end);
        }
    }
}

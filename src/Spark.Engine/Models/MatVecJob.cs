using Spark.Engine.Threading;

namespace Spark.Engine.Models;

/// <summary>
/// Up to three matrix-vector products over one input, each split by rows across the workers.
/// </summary>
internal sealed class MatVecJob : IParallelWork
{
    private readonly WeightMatrix?[] _matrices = new WeightMatrix?[3];
    private readonly float[]?[] _outputs = new float[]?[3];
    private float[] _input = [];
    private int _count;

    public void Set(float[] input, WeightMatrix m0, float[] y0)
    {
        _input = input;
        _count = 1;
        _matrices[0] = m0; _outputs[0] = y0;
    }

    public void Set(float[] input, WeightMatrix m0, float[] y0, WeightMatrix m1, float[] y1)
    {
        Set(input, m0, y0);
        _count = 2;
        _matrices[1] = m1; _outputs[1] = y1;
    }

    public void Set(float[] input, WeightMatrix m0, float[] y0, WeightMatrix m1, float[] y1, WeightMatrix m2, float[] y2)
    {
        Set(input, m0, y0, m1, y1);
        _count = 3;
        _matrices[2] = m2; _outputs[2] = y2;
    }

    public void Execute(int worker, int workerCount)
    {
        for (int i = 0; i < _count; i++)
        {
            var m = _matrices[i]!;
            var (start, end) = WorkerPool.Share(m.Rows, worker, workerCount);
            if (start < end) m.Multiply(_input.AsSpan(0, m.Columns), _outputs[i].AsSpan(0, m.Rows), start, end);
        }
    }
}

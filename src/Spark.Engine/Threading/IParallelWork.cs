namespace Spark.Engine.Threading;

/// <summary>
/// One operation the <see cref="WorkerPool"/> runs on every worker at once; each worker does its share.
/// Implementations are long-lived objects whose fields are set before each run, so running allocates nothing.
/// </summary>
internal interface IParallelWork
{
    /// <summary>Does worker <paramref name="worker"/>'s share of <paramref name="workerCount"/> shares.</summary>
    void Execute(int worker, int workerCount);
}

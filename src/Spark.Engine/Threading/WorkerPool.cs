namespace Spark.Engine.Threading;

/// <summary>
/// Persistent worker threads that run one <see cref="IParallelWork"/> at a time. The calling thread is worker 0;
/// the others spin briefly for the next operation and then block, so back-to-back operations (a decode step)
/// hand over in microseconds while an idle pool costs no CPU. Only one thread may call <see cref="Run"/> at a time.
/// Each share is claimed once, by its worker or — when that worker has not started by the time the caller finished
/// its own share — by the caller: on an oversubscribed machine a descheduled worker then delays nothing, instead of
/// every operation waiting a scheduler slice for it.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    private const int SpinIterations = 20_000;

    private readonly Thread[] _threads;
    private readonly object _gate = new();
    private readonly long[] _claimed; // per worker: the last generation whose share was claimed (by anyone)
    private IParallelWork? _work;
    private long _generation;
    private int _running; // worker threads between announcing a claim attempt and finishing it
    private int _sleepers;
    private volatile bool _disposed;
    private Exception? _failure;

    /// <summary>Starts <paramref name="workerCount"/> − 1 background threads (the caller is the last worker).</summary>
    public WorkerPool(int workerCount)
    {
        if (workerCount < 1) throw new ArgumentOutOfRangeException(nameof(workerCount), workerCount, "a worker pool needs at least one worker");
        WorkerCount = workerCount;
        _claimed = new long[workerCount];
        _threads = new Thread[workerCount - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            int id = i + 1;
            _threads[i] = new Thread(() => Loop(id)) { IsBackground = true, Name = $"spark-worker-{id}" };
            _threads[i].Start();
        }
    }

    /// <summary>Number of workers, including the calling thread.</summary>
    public int WorkerCount { get; }

    /// <summary>The range of <paramref name="count"/> items that <paramref name="worker"/> of <paramref name="workerCount"/> owns.</summary>
    public static (int Start, int End) Share(int count, int worker, int workerCount)
    {
        long start = (long)count * worker / workerCount;
        long end = (long)count * (worker + 1) / workerCount;
        return ((int)start, (int)end);
    }

    /// <summary>
    /// <see cref="Share(int, int, int)"/> with every boundary between shares on a multiple of <paramref name="multiple"/>
    /// (a group of rows a kernel computes together); the last share ends at <paramref name="count"/>.
    /// </summary>
    public static (int Start, int End) Share(int count, int worker, int workerCount, int multiple)
    {
        if (multiple < 1) throw new ArgumentOutOfRangeException(nameof(multiple), multiple, "shares are cut at multiples of at least 1");
        int groups = (count + multiple - 1) / multiple;
        var (start, end) = Share(groups, worker, workerCount);
        return (Math.Min(start * multiple, count), Math.Min(end * multiple, count));
    }

    /// <summary>Runs <paramref name="work"/> on every worker and returns when all shares are done.</summary>
    public void Run(IParallelWork work)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_threads.Length == 0)
        {
            work.Execute(0, 1);
            return;
        }
        _work = work;
        long generation = Interlocked.Increment(ref _generation);
        if (Volatile.Read(ref _sleepers) > 0)
            lock (_gate) Monitor.PulseAll(_gate);

        Exception? mine = null;
        try { work.Execute(0, WorkerCount); }
        catch (Exception e) { mine = e; }

        // Shares no worker has claimed yet are done here rather than waited for.
        for (int id = 1; id < WorkerCount; id++)
        {
            if (!Claim(id, generation)) continue;
            try { work.Execute(id, WorkerCount); }
            catch (Exception e) { Interlocked.CompareExchange(ref _failure, e, null); }
        }

        var spin = new SpinWait();
        while (Volatile.Read(ref _running) != 0) spin.SpinOnce(sleep1Threshold: -1);
        _work = null;
        var failure = Interlocked.Exchange(ref _failure, null);
        if (mine != null) throw mine;
        if (failure != null) throw new InvalidOperationException("a worker thread failed: " + failure.Message, failure);
    }

    /// <summary>Takes share <paramref name="id"/> of run <paramref name="generation"/>; false when someone already has.</summary>
    private bool Claim(int id, long generation)
    {
        long previous = Volatile.Read(ref _claimed[id]);
        return previous < generation && Interlocked.CompareExchange(ref _claimed[id], generation, previous) == previous;
    }

    private void Loop(int id)
    {
        long seen = 0;
        while (true)
        {
            long generation = WaitForWork(seen);
            if (_disposed) return;
            seen = generation;
            // Announce first, then claim: the caller, having claimed what was left, waits for announced workers only.
            Interlocked.Increment(ref _running);
            if (Claim(id, generation))
            {
                try { _work!.Execute(id, WorkerCount); }
                catch (Exception e) { Interlocked.CompareExchange(ref _failure, e, null); }
            }
            Interlocked.Decrement(ref _running);
        }
    }

    private long WaitForWork(long seen)
    {
        for (int i = 0; i < SpinIterations; i++)
        {
            long g = Volatile.Read(ref _generation);
            if (g != seen || _disposed) return g;
            if (i < 1000) Thread.SpinWait(8);
            else Thread.Yield();
        }
        lock (_gate)
        {
            Interlocked.Increment(ref _sleepers);
            try
            {
                long g;
                while ((g = Volatile.Read(ref _generation)) == seen && !_disposed) Monitor.Wait(_gate);
                return g;
            }
            finally { Interlocked.Decrement(ref _sleepers); }
        }
    }

    /// <summary>Stops the worker threads.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        lock (_gate) Monitor.PulseAll(_gate);
        foreach (var t in _threads) t.Join();
    }
}

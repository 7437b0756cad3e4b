using Spark.Engine.Threading;

namespace Spark.Engine.Tests.Threading;

public class WorkerPoolTests
{
    private sealed class CountingWork(int items) : IParallelWork
    {
        public readonly int[] Hits = new int[items];
        public readonly int[] Workers = new int[items];

        public void Execute(int worker, int workerCount)
        {
            var (start, end) = WorkerPool.Share(Hits.Length, worker, workerCount);
            for (int i = start; i < end; i++)
            {
                Interlocked.Increment(ref Hits[i]);
                Workers[i] = worker;
            }
        }
    }

    private sealed class ThrowingWork(int failingWorker) : IParallelWork
    {
        public void Execute(int worker, int workerCount)
        {
            if (worker == failingWorker) throw new InvalidDataException($"worker {worker} failed");
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 7)]
    [InlineData(3, 2)]
    [InlineData(4, 4099)]
    public void Run_ManyTimes_EveryItemDoneExactlyOncePerRun(int workers, int items)
    {
        using var pool = new WorkerPool(workers);
        var work = new CountingWork(items);
        for (int run = 0; run < 500; run++) pool.Run(work);
        Assert.All(work.Hits, h => Assert.Equal(500, h));
        if (items >= workers) Assert.Equal(Enumerable.Range(0, workers), work.Workers.Distinct().Order());
    }

    [Fact]
    public void Run_AfterWorkersWentToSleep_WakesThem()
    {
        using var pool = new WorkerPool(3);
        var work = new CountingWork(30);
        pool.Run(work);
        Thread.Sleep(300); // long enough for the workers to stop spinning and block
        pool.Run(work);
        Assert.All(work.Hits, h => Assert.Equal(2, h));
    }

    [Fact]
    public void Run_WorkerThrows_RethrowsOnCaller_AndPoolStaysUsable()
    {
        using var pool = new WorkerPool(2);
        var ex = Assert.Throws<InvalidOperationException>(() => pool.Run(new ThrowingWork(1)));
        Assert.Contains("worker 1 failed", ex.Message);
        Assert.Throws<InvalidDataException>(() => pool.Run(new ThrowingWork(0)));
        var work = new CountingWork(10);
        pool.Run(work);
        Assert.All(work.Hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void Share_CoversTheRangeWithoutGaps()
    {
        int next = 0;
        for (int w = 0; w < 3; w++)
        {
            var (start, end) = WorkerPool.Share(10, w, 3);
            Assert.Equal(next, start);
            next = end;
        }
        Assert.Equal(10, next);
    }

    [Theory]
    [InlineData(896, 2, 16)]
    [InlineData(100, 3, 16)] // the last group is short
    [InlineData(32, 4, 16)]  // more workers than groups: some shares are empty
    [InlineData(10, 3, 1)]
    public void Share_WithAMultiple_CutsOnlyAtMultiplesAndCoversTheRange(int count, int workers, int multiple)
    {
        int next = 0;
        for (int w = 0; w < workers; w++)
        {
            var (start, end) = WorkerPool.Share(count, w, workers, multiple);
            Assert.Equal(next, start);
            Assert.True(end >= start, $"share {w} is [{start}, {end})");
            Assert.True(end == count || end % multiple == 0, $"share {w} ends at {end}, not a multiple of {multiple}");
            next = end;
        }
        Assert.Equal(count, next);
    }

    [Fact]
    public void Share_MultipleBelowOne_ThrowsNamingIt()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => WorkerPool.Share(10, 0, 2, 0));
        Assert.Equal("multiple", ex.ParamName);
    }

    [Fact]
    public void Constructor_ZeroWorkers_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(0));
}

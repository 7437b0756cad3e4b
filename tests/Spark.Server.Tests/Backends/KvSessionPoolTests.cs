using Spark.Engine.Inference;
using Spark.Server.Backends;
using Spark.Testing;

namespace Spark.Server.Tests.Backends;

public sealed class KvSessionPoolTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly SparkModel _model;

    public KvSessionPoolTests()
    {
        _model = SparkModel.Load(TestModels.Write(_dir.File("m.gguf"), TestModels.Llama()), new ModelLoadOptions { Threads = 1 });
    }

    public void Dispose()
    {
        _model.Dispose();
        _dir.Dispose();
    }

    private static (CachedSession Session, int Cached) Run(KvSessionPool pool, int[] prompt)
    {
        var (session, cached) = pool.Acquire(prompt);
        session.Prefill(prompt.AsSpan(cached));
        return (session, cached);
    }

    [Fact]
    public void Continuation_ReusesThePrefix_AndAlwaysRunsTheLastToken()
    {
        var pool = new KvSessionPool(_model, capacity: 2);
        var (first, cached) = Run(pool, [1, 2, 3, 4]);
        Assert.Equal(0, cached);

        var (second, cachedAgain) = Run(pool, [1, 2, 3, 4, 5, 6]);
        Assert.Same(first, second);
        Assert.Equal(4, cachedAgain);
        Assert.Equal(6, second.Session.Position);

        var (same, cachedSame) = Run(pool, [1, 2, 3, 4, 5, 6]);
        Assert.Same(first, same);
        Assert.Equal(5, cachedSame); // the whole prompt is cached, but its last token runs again for fresh logits
    }

    [Fact]
    public void UnrelatedPrompt_TakesAFreshSession_LeavingTheOtherConversationsCache()
    {
        var pool = new KvSessionPool(_model, capacity: 2);
        var (a, _) = Run(pool, [1, 2, 3, 4, 5, 6]);
        var (b, cachedB) = Run(pool, [1, 9, 9, 9, 9, 9]); // shares one token: not worth destroying a's cache
        Assert.NotSame(a, b);
        Assert.Equal(0, cachedB);

        var (again, cachedA) = Run(pool, [1, 2, 3, 4, 5, 6, 7]);
        Assert.Same(a, again);
        Assert.Equal(6, cachedA);
    }

    [Fact]
    public void FullPool_EvictsTheLeastRecentlyUsed()
    {
        var pool = new KvSessionPool(_model, capacity: 2);
        var (a, _) = Run(pool, [10, 11, 12]);
        var (b, _) = Run(pool, [20, 21, 22]);
        Run(pool, [10, 11, 12, 13]); // a is now the most recent
        var (c, cached) = Run(pool, [30, 31, 32]);
        Assert.Same(b, c);
        Assert.Equal(0, cached);
        Assert.Equal(3, c.Session.Position);
        Assert.Equal([30, 31, 32], c.Tokens);
        Assert.Equal(4, a.Session.Position);
    }
}

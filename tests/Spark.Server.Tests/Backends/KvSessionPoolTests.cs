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
        Assert.Equal(1, cachedB); // that token is copied, not computed
        Assert.Equal([1, 2, 3, 4, 5, 6], a.Tokens);

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

    [Fact]
    public void SharedInstructions_AreCopiedIntoANewSession_AndTheOtherConversationKeepsItsCache()
    {
        int[] instructions = [.. Enumerable.Range(10, 8)];
        var pool = new KvSessionPool(_model, capacity: 2);
        var (a, _) = Run(pool, [.. instructions, .. Enumerable.Range(40, 20)]); // a long first conversation
        var (b, cachedB) = Run(pool, [.. instructions, 70, 71]);
        Assert.NotSame(a, b);
        Assert.Equal(instructions.Length, cachedB);
        Assert.Equal(28, a.Tokens.Count);

        // the pool is full: the next such prompt goes to the least recently used session that is not the best match
        Run(pool, [.. instructions, .. Enumerable.Range(40, 21)]); // a is the most recent again
        var (c, cachedC) = Run(pool, [.. instructions, 80, 81, 82]);
        Assert.Same(b, c);
        Assert.Equal(instructions.Length, cachedC);
        Assert.Equal(29, a.Tokens.Count);
    }

    [Fact]
    public void APrewarmedPrefix_IsContinuedByTheNextTurn()
    {
        int[] prefix = [.. Enumerable.Range(10, 12)];
        var pool = new KvSessionPool(_model, capacity: 2);
        var (warm, _) = Run(pool, prefix);
        var (turn, cached) = Run(pool, [.. prefix, 50, 51, 52]);
        Assert.Same(warm, turn);
        Assert.Equal(prefix.Length, cached);
    }
}

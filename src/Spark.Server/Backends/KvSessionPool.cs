using Spark.Engine.Inference;

namespace Spark.Server.Backends;

/// <summary>
/// A few inference sessions kept with the tokens in their KV caches, so a new prompt that starts like an earlier
/// conversation (a continuation, or a client that resends the whole history) prefills only what is new.
/// Used by the engine thread only.
/// </summary>
internal sealed class KvSessionPool
{
    private readonly SparkModel _model;
    private readonly int _capacity;
    private readonly List<CachedSession> _sessions = [];
    private long _clock;

    public KvSessionPool(SparkModel model, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _model = model;
        _capacity = capacity;
    }

    /// <summary>Sessions held.</summary>
    public int Count => _sessions.Count;

    /// <summary>
    /// Returns the session to run <paramref name="prompt"/> in, truncated to the longest prefix it shares with the
    /// prompt (never the whole prompt: the last token is always run, to get fresh logits), and that prefix's length.
    /// </summary>
    public (CachedSession Session, int CachedTokens) Acquire(ReadOnlySpan<int> prompt)
    {
        CachedSession? best = null;
        int bestLength = 0;
        foreach (var candidate in _sessions)
        {
            int length = candidate.CommonPrefixLength(prompt);
            if (length > bestLength)
            {
                best = candidate;
                bestLength = length;
            }
        }
        // Reusing a session that shares little with the prompt would destroy a cache its own conversation may come
        // back to: then take a fresh session while there is room, else the least recently used one.
        if (best is null || bestLength * 2 < best.Tokens.Count)
        {
            if (_sessions.Count < _capacity)
            {
                best = new CachedSession(_model.CreateSession());
                _sessions.Add(best);
            }
            else
            {
                best = LeastRecentlyUsed();
            }
            bestLength = best.CommonPrefixLength(prompt);
        }
        int cached = Math.Min(bestLength, prompt.Length - 1);
        best.TruncateTo(cached);
        best.LastUsed = ++_clock;
        return (best, cached);
    }

    private CachedSession LeastRecentlyUsed()
    {
        var oldest = _sessions[0];
        foreach (var s in _sessions) if (s.LastUsed < oldest.LastUsed) oldest = s;
        return oldest;
    }
}

/// <summary>An inference session and the tokens its KV cache holds, in order.</summary>
internal sealed class CachedSession(InferenceSession session)
{
    public InferenceSession Session { get; } = session;

    /// <summary>The tokens in the KV cache (the same count as <see cref="InferenceSession.Position"/>).</summary>
    public List<int> Tokens { get; } = new(256);

    public long LastUsed { get; set; }

    public int CommonPrefixLength(ReadOnlySpan<int> prompt) => prompt.CommonPrefixLength(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Tokens));

    public void TruncateTo(int length)
    {
        Session.TruncateTo(length);
        Tokens.RemoveRange(length, Tokens.Count - length);
    }

    /// <summary>Runs <paramref name="tokens"/> into the cache.</summary>
    public void Prefill(ReadOnlySpan<int> tokens)
    {
        Session.Prefill(tokens);
        foreach (int t in tokens) Tokens.Add(t);
    }

    /// <summary>Runs one token and returns the logits after it.</summary>
    public ReadOnlySpan<float> Decode(int token)
    {
        var logits = Session.Decode(token);
        Tokens.Add(token);
        return logits;
    }

    /// <summary>Empties the cache (after a failure its contents are not trusted).</summary>
    public void Forget() => TruncateTo(0);
}

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
    /// Returns the session to run <paramref name="prompt"/> in, holding the longest prefix any cached session shares
    /// with the prompt (never the whole prompt: the last token is always run, to get fresh logits), and that prefix's
    /// length. A session whose tokens mostly continue into the prompt (a continuation, a resent history, a prewarmed
    /// prefix) is used itself. When the prompt shares only a smaller part of the best session (another conversation with
    /// the same instructions), that session is kept for its own conversation and the shared prefix is copied into a
    /// fresh session (or the least recently used other one) instead of being computed again.
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
        int usable = Math.Min(bestLength, prompt.Length - 1);
        CachedSession target;
        if (best is not null && bestLength * 2 >= best.Tokens.Count)
        {
            target = best;
            target.TruncateTo(usable);
        }
        else
        {
            if (_sessions.Count < _capacity)
            {
                target = new CachedSession(_model.CreateSession());
                _sessions.Add(target);
            }
            else
            {
                target = LeastRecentlyUsed(except: best) ?? best!;
            }
            if (best is not null && target != best && usable > target.CommonPrefixLength(prompt))
            {
                target.CopyPrefixFrom(best, usable);
            }
            else
            {
                usable = Math.Min(target.CommonPrefixLength(prompt), prompt.Length - 1);
                target.TruncateTo(usable);
            }
        }
        target.LastUsed = ++_clock;
        return (target, usable);
    }

    private CachedSession? LeastRecentlyUsed(CachedSession? except)
    {
        CachedSession? oldest = null;
        foreach (var s in _sessions)
            if (s != except && (oldest is null || s.LastUsed < oldest.LastUsed)) oldest = s;
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

    /// <summary>Replaces the cache with a copy of the first <paramref name="length"/> tokens of <paramref name="source"/>'s.</summary>
    public void CopyPrefixFrom(CachedSession source, int length)
    {
        Session.CopyPrefixFrom(source.Session, length);
        Tokens.Clear();
        Tokens.AddRange(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(source.Tokens)[..length]);
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

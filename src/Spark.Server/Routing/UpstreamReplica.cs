namespace Spark.Server.Routing;

/// <summary>
/// One upstream URL of a model: how many requests it runs now and whether it is believed up. A failure marks it
/// down and sets when it may be tried again (doubling backoff); a success or a passing health check marks it up.
/// <paramref name="time"/> is the clock the backoff is measured on (default: the system's).
/// </summary>
internal sealed class UpstreamReplica(Uri baseUrl, TimeSpan baseBackoff, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private int _inFlight;
    private int _failures;
    private long _retryAtTicks;

    public Uri BaseUrl { get; } = baseUrl;

    /// <summary>Requests streaming from it now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>False after a failure until a request or health check succeeds.</summary>
    public bool Healthy => Volatile.Read(ref _failures) == 0;

    /// <summary>Consecutive failures.</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <summary>The last failure, for <c>spark models</c> and errors.</summary>
    public string? LastError { get; private set; }

    /// <summary>A down replica may be tried (by a request or a probe) once its backoff has passed.</summary>
    public bool DueForRetry => Healthy || _time.GetUtcNow().UtcTicks >= Volatile.Read(ref _retryAtTicks);

    /// <summary>The URL of an endpoint below the base, e.g. <c>chat/completions</c>.</summary>
    public Uri Endpoint(string path) => new(BaseUrl.AbsoluteUri.TrimEnd('/') + "/" + path);

    public void Enter() => Interlocked.Increment(ref _inFlight);

    public void Leave() => Interlocked.Decrement(ref _inFlight);

    public void MarkUp()
    {
        Volatile.Write(ref _failures, 0);
        LastError = null;
    }

    public void MarkDown(string error)
    {
        int failures = Interlocked.Increment(ref _failures);
        LastError = error;
        var backoff = TimeSpan.FromTicks(baseBackoff.Ticks * (1L << Math.Min(failures - 1, 3))); // 1x, 2x, 4x, 8x
        Volatile.Write(ref _retryAtTicks, _time.GetUtcNow().Add(backoff).UtcTicks);
    }

    public override string ToString() => BaseUrl.GetLeftPart(UriPartial.Authority) + BaseUrl.AbsolutePath.TrimEnd('/');
}

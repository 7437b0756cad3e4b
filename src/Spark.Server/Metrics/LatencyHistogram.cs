using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Spark.Server.Metrics;

/// <summary>
/// A Prometheus-style cumulative histogram of durations with fixed bucket bounds, recorded in
/// <see cref="Stopwatch"/> ticks from any thread without allocating or locking (the engine thread records one value
/// per token).
/// </summary>
public sealed class LatencyHistogram
{
    private readonly double[] _boundsSeconds;
    private readonly long[] _boundsTicks;
    private readonly long[] _counts; // one per bound, plus +Inf
    private long _sumTicks;
    private long _count;

    /// <summary>A histogram with the given upper bounds, in seconds, ascending.</summary>
    public LatencyHistogram(params double[] boundsSeconds)
    {
        for (int i = 1; i < boundsSeconds.Length; i++)
            if (!(boundsSeconds[i] > boundsSeconds[i - 1])) throw new ArgumentException("bucket bounds must ascend", nameof(boundsSeconds));
        _boundsSeconds = boundsSeconds;
        _boundsTicks = new long[boundsSeconds.Length];
        for (int i = 0; i < boundsSeconds.Length; i++) _boundsTicks[i] = (long)(boundsSeconds[i] * Stopwatch.Frequency);
        _counts = new long[boundsSeconds.Length + 1];
    }

    /// <summary>Observations so far.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Records one duration of <paramref name="ticks"/> stopwatch ticks.</summary>
    public void Record(long ticks)
    {
        int bucket = 0;
        while (bucket < _boundsTicks.Length && ticks > _boundsTicks[bucket]) bucket++;
        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Add(ref _sumTicks, ticks);
        Interlocked.Increment(ref _count);
    }

    /// <summary>Appends the histogram in the Prometheus text exposition format as <paramref name="name"/> (unit: seconds).</summary>
    public void WriteTo(StringBuilder text, string name, string help)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(" histogram\n");
        long cumulative = 0;
        for (int i = 0; i <= _boundsSeconds.Length; i++)
        {
            cumulative += Interlocked.Read(ref _counts[i]);
            string le = i < _boundsSeconds.Length ? _boundsSeconds[i].ToString("R", CultureInfo.InvariantCulture) : "+Inf";
            text.Append(name).Append("_bucket{le=\"").Append(le).Append("\"} ").Append(cumulative).Append('\n');
        }
        double sum = (double)Interlocked.Read(ref _sumTicks) / Stopwatch.Frequency;
        text.Append(name).Append("_sum ").Append(sum.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        text.Append(name).Append("_count ").Append(cumulative).Append('\n');
    }
}

using System.Text;

namespace Spark.Server.Backends;

/// <summary>
/// Reads an upstream's server-sent events as they arrive (no buffering beyond one line): each event's <c>event:</c>
/// name and joined <c>data:</c>. Waits at most the idle timeout for each event.
/// </summary>
internal sealed class SseEventReader(Stream stream, TimeSpan idleTimeout) : IUpstreamEvents
{
    private readonly StreamReader _reader = new(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 4096);
    private readonly StringBuilder _data = new();

    /// <summary>The next event, or null at the end of the stream.</summary>
    /// <exception cref="TimeoutException">Nothing arrived within <paramref name="timeout"/> (default: the idle timeout).</exception>
    public async ValueTask<(string? Event, string Data)?> NextAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        string? name = null;
        _data.Clear();
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var limit = timeout ?? idleTimeout;
        idle.CancelAfter(limit);
        while (true)
        {
            string? line;
            try
            {
                line = await _reader.ReadLineAsync(idle.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no data for {limit.TotalSeconds:0.###} s");
            }
            if (line is null) return _data.Length > 0 ? (name, _data.ToString()) : null;
            if (line.Length == 0)
            {
                if (_data.Length > 0) return (name, _data.ToString());
                name = null;
                continue;
            }
            if (line[0] == ':') continue; // a comment (keep-alive)
            if (line.StartsWith("event:", StringComparison.Ordinal)) name = line[6..].TrimStart();
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                if (_data.Length > 0) _data.Append('\n');
                _data.Append(line.AsSpan(line.Length > 5 && line[5] == ' ' ? 6 : 5));
            }
        }
    }

    public void Dispose() => _reader.Dispose();
}

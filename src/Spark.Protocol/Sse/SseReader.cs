using System.Text;

namespace Spark.Protocol.Sse;

/// <summary>One server-sent event: its <c>event:</c> name (null when the stream sent none) and its joined <c>data:</c> lines.</summary>
/// <param name="Event">The event name, or null.</param>
/// <param name="Data">The data lines joined with <c>\n</c>.</param>
public sealed record SseEvent(string? Event, string Data);

/// <summary>
/// Reads server-sent events from a response stream (the client side of <see cref="SseWriter"/>): <c>event:</c> and
/// <c>data:</c> fields up to each blank line; comments (heartbeats) and <c>id:</c>/<c>retry:</c> fields are skipped.
/// A stream that ends in the middle of an event yields what it has, as browsers do not, so a truncated final
/// event is still seen (and a JSON parser then reports it clearly).
/// </summary>
public static class SseReader
{
    /// <summary>Yields the events of <paramref name="stream"/> until it ends or <paramref name="cancellationToken"/> fires.</summary>
    public static async IAsyncEnumerable<SseEvent> ReadAsync(Stream stream,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 16 * 1024, leaveOpen: true);
        string? name = null;
        var data = new StringBuilder();
        bool hasData = false;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                if (hasData) yield return new SseEvent(name, data.ToString());
                name = null;
                data.Clear();
                hasData = false;
                continue;
            }
            if (line[0] == ':') continue;
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            string field = colon < 0 ? line : line[..colon];
            string value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' ')) value = value[1..];
            switch (field)
            {
                case "event":
                    name = value;
                    break;
                case "data":
                    if (hasData) data.Append('\n');
                    data.Append(value);
                    hasData = true;
                    break;
            }
        }
        if (hasData) yield return new SseEvent(name, data.ToString());
    }
}

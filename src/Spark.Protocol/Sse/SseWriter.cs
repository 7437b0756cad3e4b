using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Spark.Protocol.Sse;

/// <summary>
/// Writes server-sent events (<c>event: NAME\ndata: JSON\n\n</c>) into a buffer writer (a Kestrel <c>PipeWriter</c>,
/// or any <see cref="IBufferWriter{T}"/>). One <see cref="Utf8JsonWriter"/> is reused for every event, so writing an
/// event allocates nothing; the caller flushes the destination when it wants the bytes on the wire.
/// JSON never contains a raw newline, so each event's data is one <c>data:</c> line.
/// </summary>
public sealed class SseWriter
{
    private readonly IBufferWriter<byte> _output;
    private readonly Utf8JsonWriter _json;
    private bool _inEvent;

    /// <summary>Creates a writer that appends to <paramref name="output"/>.</summary>
    public SseWriter(IBufferWriter<byte> output)
    {
        _output = output;
        _json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false });
    }

    /// <summary>
    /// Starts an event named <paramref name="eventName"/> (empty: a data-only event, as Chat Completions streams use)
    /// and returns the JSON writer for its data; finish with <see cref="EndEvent"/>.
    /// </summary>
    public Utf8JsonWriter BeginEvent(ReadOnlySpan<byte> eventName)
    {
        if (_inEvent) throw new InvalidOperationException("the previous event was not ended; call EndEvent first");
        _inEvent = true;
        if (!eventName.IsEmpty)
        {
            Write("event: "u8);
            Write(eventName);
            Write("\n"u8);
        }
        Write("data: "u8);
        _json.Reset();
        return _json;
    }

    /// <summary>Starts an event whose name is a string (transcoded without allocating).</summary>
    public Utf8JsonWriter BeginEvent(string eventName)
    {
        Span<byte> name = stackalloc byte[128];
        int length = Encoding.UTF8.GetBytes(eventName, name);
        return BeginEvent(name[..length]);
    }

    /// <summary>Ends the event begun by <see cref="BeginEvent(ReadOnlySpan{byte})"/>: commits its JSON and the blank line.</summary>
    public void EndEvent()
    {
        if (!_inEvent) throw new InvalidOperationException("no event was begun");
        _json.Flush();
        Write("\n\n"u8);
        _inEvent = false;
    }

    /// <summary>Writes one event whose data is <paramref name="value"/> serialized with <paramref name="typeInfo"/>.</summary>
    public void WriteEvent<T>(string eventName, T value, JsonTypeInfo<T> typeInfo)
    {
        var json = BeginEvent(eventName);
        JsonSerializer.Serialize(json, value, typeInfo);
        EndEvent();
    }

    /// <summary>Writes a data-only event whose data is <paramref name="value"/>.</summary>
    public void WriteData<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var json = BeginEvent(ReadOnlySpan<byte>.Empty);
        JsonSerializer.Serialize(json, value, typeInfo);
        EndEvent();
    }

    /// <summary>Writes <c>data: [DONE]</c>, the end of a Chat Completions stream.</summary>
    public void WriteDone() => Write("data: [DONE]\n\n"u8);

    /// <summary>Writes a comment line (<c>: text</c>), which clients ignore: a heartbeat that keeps proxies from timing out.</summary>
    public void WriteComment(ReadOnlySpan<byte> text)
    {
        Write(": "u8);
        Write(text);
        Write("\n\n"u8);
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        var span = _output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        _output.Advance(bytes.Length);
    }
}

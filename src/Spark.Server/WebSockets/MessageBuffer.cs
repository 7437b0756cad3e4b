using System.Buffers;

namespace Spark.Server.WebSockets;

/// <summary>
/// A growable byte buffer written through <see cref="IBufferWriter{T}"/> and reused message after message: what
/// WebSocket messages are received into and events are serialized into, so the steady state allocates nothing.
/// </summary>
internal sealed class MessageBuffer : IBufferWriter<byte>
{
    private byte[] _bytes = new byte[4096];

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Written => _bytes.AsMemory(0, Length);

    public void Advance(int count) => Length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _bytes.AsMemory(Length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _bytes.AsSpan(Length);
    }

    /// <summary>Drops everything after the first <paramref name="length"/> bytes.</summary>
    public void Truncate(int length) => Length = length;

    public void Clear() => Length = 0;

    private void Reserve(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 512);
        if (_bytes.Length - Length < sizeHint) Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + sizeHint));
    }
}

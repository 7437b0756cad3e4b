using System.Text;

namespace Spark.Agent.Tools;

/// <summary>
/// Keeps the first and last bytes of a stream of unbounded length, so a command that prints gigabytes costs a few
/// kilobytes of memory and the model still sees how the output began and how it ended.
/// </summary>
internal sealed class HeadTailBuffer(int headBytes, int tailBytes)
{
    private readonly byte[] _head = new byte[headBytes];
    private readonly byte[] _tail = new byte[tailBytes];
    private int _headLength;
    private int _tailStart; // ring buffer start
    private int _tailLength;

    /// <summary>Every byte ever written.</summary>
    public long TotalBytes { get; private set; }

    /// <summary>Bytes that were dropped from the middle.</summary>
    public long OmittedBytes => TotalBytes - _headLength - _tailLength;

    public void Write(ReadOnlySpan<byte> data)
    {
        TotalBytes += data.Length;
        int toHead = Math.Min(data.Length, _head.Length - _headLength);
        data[..toHead].CopyTo(_head.AsSpan(_headLength));
        _headLength += toHead;
        data = data[toHead..];
        if (_tail.Length == 0) return;
        if (data.Length >= _tail.Length)
        {
            data[^_tail.Length..].CopyTo(_tail);
            _tailStart = 0;
            _tailLength = _tail.Length;
            return;
        }
        foreach (byte b in data)
        {
            int end = (_tailStart + _tailLength) % _tail.Length;
            _tail[end] = b;
            if (_tailLength < _tail.Length) _tailLength++;
            else _tailStart = (_tailStart + 1) % _tail.Length;
        }
    }

    /// <summary>The kept text, with a marker line where bytes were dropped.</summary>
    public string Render()
    {
        string head = Encoding.UTF8.GetString(_head, 0, _headLength);
        if (_tailLength == 0) return head;
        var tail = new byte[_tailLength];
        for (int i = 0; i < _tailLength; i++) tail[i] = _tail[(_tailStart + i) % _tail.Length];
        string tailText = Encoding.UTF8.GetString(tail);
        if (OmittedBytes == 0) return Encoding.UTF8.GetString([.. _head.AsSpan(0, _headLength), .. tail]);
        return $"{head}\n[... {OmittedBytes:N0} bytes omitted of {TotalBytes:N0} ...]\n{tailText}";
    }
}

using System.Buffers;
using System.Text;

namespace Spark.Engine.Tokenization;

/// <summary>
/// Turns generated tokens into text one token at a time without allocating. A token whose bytes end inside a
/// UTF-8 character is held back until the character completes; bytes that can never complete a character come out as
/// U+FFFD instead of being held. Create one per generation stream; it is not thread-safe. Control tokens render as
/// nothing unless created with <c>renderSpecial</c>.
/// </summary>
public sealed class StreamingDecoder
{
    private readonly Tokenizer _tokenizer;
    private readonly bool _renderSpecial;
    private readonly byte[] _bytes;
    private readonly char[] _chars;
    private int _pending;

    /// <summary>Creates a decoder for tokens of <paramref name="tokenizer"/>.</summary>
    public StreamingDecoder(Tokenizer tokenizer, bool renderSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        _tokenizer = tokenizer;
        _renderSpecial = renderSpecial;
        _bytes = new byte[tokenizer.MaxPieceLength + 4];
        _chars = new char[_bytes.Length];
    }

    /// <summary>The most chars one <see cref="Append(int, Span{char})"/> or <see cref="Flush(Span{char})"/> can write.</summary>
    public int MaxCharsPerToken => _bytes.Length;

    /// <summary>How many bytes of an incomplete character are held back.</summary>
    public int PendingBytes => _pending;

    /// <summary>
    /// Appends a token and writes the text that is now complete into <paramref name="destination"/>, returning the number
    /// of chars written. <paramref name="destination"/> needs <see cref="MaxCharsPerToken"/> chars to be always large enough.
    /// </summary>
    public int Append(int tokenId, Span<char> destination)
    {
        _tokenizer.CheckId(tokenId);
        var piece = _tokenizer.Piece(tokenId, _renderSpecial);
        int total = _pending + piece.Length;
        if (destination.Length < total)
            throw new ArgumentException($"destination has {destination.Length} chars but this token may need {total}; use a buffer of MaxCharsPerToken ({MaxCharsPerToken})", nameof(destination));
        piece.CopyTo(_bytes.AsSpan(_pending));
        return DecodeAvailable(total, destination, final: false);
    }

    /// <summary>Appends a token and returns the text now complete, in a buffer reused by the next call.</summary>
    public ReadOnlySpan<char> Append(int tokenId) => _chars.AsSpan(0, Append(tokenId, _chars));

    /// <summary>Ends the stream: held-back bytes come out as U+FFFD, and the decoder is ready for a new stream.</summary>
    public int Flush(Span<char> destination)
    {
        if (destination.Length < _pending)
            throw new ArgumentException($"destination has {destination.Length} chars but {_pending} are pending", nameof(destination));
        return DecodeAvailable(_pending, destination, final: true);
    }

    /// <summary>Ends the stream and returns what was held back (as U+FFFD), in a buffer reused by the next call.</summary>
    public ReadOnlySpan<char> Flush() => _chars.AsSpan(0, Flush(_chars));

    /// <summary>Drops held-back bytes and starts a new stream.</summary>
    public void Reset() => _pending = 0;

    private int DecodeAvailable(int total, Span<char> destination, bool final)
    {
        int i = 0, w = 0;
        while (i < total)
        {
            var status = Rune.DecodeFromUtf8(_bytes.AsSpan(i, total - i), out Rune rune, out int consumed);
            if (status == OperationStatus.Done)
            {
                w += rune.EncodeToUtf16(destination[w..]);
            }
            else if (status == OperationStatus.NeedMoreData && !final)
            {
                break; // a valid start of a character that the next token may complete
            }
            else
            {
                destination[w++] = '\uFFFD';
            }
            i += consumed;
        }
        _pending = total - i;
        if (_pending > 0) _bytes.AsSpan(i, _pending).CopyTo(_bytes);
        return w;
    }
}

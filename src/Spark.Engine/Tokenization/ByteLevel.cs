using System.Text;

namespace Spark.Engine.Tokenization;

/// <summary>
/// GPT-2's reversible byte ↔ character map: printable Latin-1 bytes stand for themselves, the other
/// bytes are moved to U+0100 and up, so every byte sequence becomes a string with no spaces or controls.
/// </summary>
internal static class ByteLevel
{
    private static readonly char[] s_byteToChar = BuildByteToChar();
    private static readonly short[] s_charToByte = BuildCharToByte();

    public static char Encode(byte b) => s_byteToChar[b];

    /// <summary>The byte a character stands for, or false when the character is not in the map.</summary>
    public static bool TryDecode(char c, out byte b)
    {
        if (c < s_charToByte.Length && s_charToByte[c] >= 0)
        {
            b = (byte)s_charToByte[c];
            return true;
        }
        b = 0;
        return false;
    }

    /// <summary>UTF-8 encodes <paramref name="text"/> and maps every byte to its character.</summary>
    public static string EncodeUtf8(ReadOnlySpan<char> text)
    {
        int n = Encoding.UTF8.GetByteCount(text);
        byte[]? rented = null;
        Span<byte> bytes = n <= 512 ? stackalloc byte[n] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(n)).AsSpan(0, n);
        Encoding.UTF8.GetBytes(text, bytes);
        Span<char> chars = n <= 512 ? stackalloc char[n] : new char[n];
        for (int i = 0; i < n; i++) chars[i] = s_byteToChar[bytes[i]];
        if (rented != null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        return new string(chars);
    }

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= 0x21 and <= 0x7E or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)(256 + next++);
        }
        return map;
    }

    private static short[] BuildCharToByte()
    {
        var map = new short[512];
        Array.Fill(map, (short)-1);
        for (int b = 0; b < 256; b++) map[s_byteToChar[b]] = (short)b;
        return map;
    }
}

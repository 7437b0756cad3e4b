namespace Spark.Engine.Models.Synthetic;

/// <summary>
/// GPT-2's bytes_to_unicode: every byte maps to one printable character (printable Latin-1 bytes to themselves, the
/// rest to U+0100 and up), so byte-level BPE tokens are ordinary strings ("Ġ" is a space, "Ċ" a newline).
/// </summary>
internal static class ByteLevelAlphabet
{
    /// <summary>The character of each byte.</summary>
    public static readonly char[] CharOf = Build(out Order);

    /// <summary>Bytes in GPT-2's order (printable ranges first), the order the 256 byte tokens have in real vocabularies.</summary>
    public static readonly byte[] Order;

    /// <summary>Encodes UTF-8 bytes as a byte-level string.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = CharOf[bytes[i]];
        return new string(chars);
    }

    private static char[] Build(out byte[] order)
    {
        var map = new char[256];
        var assigned = new bool[256];
        var list = new List<byte>(256);
        foreach (var (lo, hi) in new[] { ('!', '~'), ('¡', '¬'), ('®', 'ÿ') })
            for (int b = lo; b <= hi; b++) { map[b] = (char)b; assigned[b] = true; list.Add((byte)b); }
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            if (assigned[b]) continue;
            map[b] = (char)(256 + next++);
            list.Add((byte)b);
        }
        order = list.ToArray();
        return map;
    }
}

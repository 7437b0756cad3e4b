namespace Spark.Agent.Tools;

/// <summary>How the file tools tell text from binary: a NUL byte in the first 8 KiB, as git and grep do.</summary>
internal static class TextFiles
{
    private const int SniffBytes = 8192;

    public static bool LooksBinary(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
        Span<byte> head = stackalloc byte[SniffBytes];
        int total = 0, n;
        while (total < head.Length && (n = stream.Read(head[total..])) > 0) total += n;
        return head[..total].Contains((byte)0);
    }
}

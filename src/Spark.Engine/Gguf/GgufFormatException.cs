namespace Spark.Engine.Gguf;

/// <summary>
/// A GGUF file is truncated, corrupted or uses something Spark cannot read. The message names the byte offset
/// and what was wrong.
/// </summary>
public sealed class GgufFormatException : Exception
{
    /// <summary>Creates the exception for a problem found at <paramref name="offset"/> (-1 when not tied to a byte).</summary>
    public GgufFormatException(long offset, string what)
        : base(offset >= 0 ? $"at byte {offset:N0}: {what}" : what)
    {
        Offset = offset;
    }

    /// <summary>Creates the exception prefixed with the file it came from.</summary>
    public GgufFormatException(string path, GgufFormatException inner)
        : base($"{path}: {inner.Message}", inner)
    {
        Offset = inner.Offset;
    }

    /// <summary>The byte offset in the file where the problem was found, or -1.</summary>
    public long Offset { get; }
}

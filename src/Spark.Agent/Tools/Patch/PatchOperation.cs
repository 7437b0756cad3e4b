namespace Spark.Agent.Tools.Patch;

/// <summary>One file section of a patch; <see cref="Path"/> is as written in the patch.</summary>
internal abstract record PatchOperation(string Path, int LineNumber);

/// <summary><c>*** Add File: path</c> followed by <c>+</c> lines: creates (or overwrites) the file.</summary>
internal sealed record AddFileOperation(string Path, int LineNumber, string Contents) : PatchOperation(Path, LineNumber);

/// <summary><c>*** Delete File: path</c>: removes an existing file.</summary>
internal sealed record DeleteFileOperation(string Path, int LineNumber) : PatchOperation(Path, LineNumber);

/// <summary><c>*** Update File: path</c>, optionally <c>*** Move to: path</c>, then hunks.</summary>
internal sealed record UpdateFileOperation(string Path, int LineNumber, string? MoveTo, IReadOnlyList<PatchHunk> Hunks)
    : PatchOperation(Path, LineNumber);

/// <summary>
/// One <c>@@</c> hunk: an optional context line to seek to first (the text after <c>@@</c>), the lines expected in
/// the file (context and <c>-</c> lines) and what replaces them (context and <c>+</c> lines).
/// </summary>
/// <param name="Number">1-based position of the hunk within its file section (for error messages).</param>
/// <param name="LineNumber">1-based line of the patch where the hunk starts.</param>
/// <param name="Context">The text after <c>@@ </c>, null when absent.</param>
/// <param name="OldLines">Lines that must be found in the file, in order.</param>
/// <param name="NewLines">Lines that replace them.</param>
/// <param name="EndOfFile">The hunk ended with <c>*** End of File</c>: its lines are at the end of the file.</param>
internal sealed record PatchHunk(int Number, int LineNumber, string? Context, IReadOnlyList<string> OldLines,
    IReadOnlyList<string> NewLines, bool EndOfFile);

/// <summary>The patch text could not be parsed; the message names the patch line and the expected form.</summary>
internal sealed class PatchFormatException(string message) : Exception(message);

/// <summary>A hunk did not match the file, or a file was missing: the message names the file and the hunk.</summary>
internal sealed class PatchApplyException(string message) : Exception(message);

using System.Globalization;
using System.Text;
using Spark.Agent.Policy;

namespace Spark.Agent.Tools;

/// <summary>
/// <c>read_file {path, start_line?, end_line?}</c>: returns a text file's lines prefixed with their numbers
/// (<c>L12: …</c>), at most <see cref="MaxLines"/> lines or <see cref="MaxOutputChars"/> characters per call, with a
/// note saying how to read on. Binary files and paths outside the workspace are refused.
/// </summary>
public sealed class ReadFileTool(Workspace workspace) : ITool
{
    /// <summary>The most lines one call returns.</summary>
    public const int MaxLines = 2000;

    /// <summary>The most characters one call returns (long files of long lines).</summary>
    public const int MaxOutputChars = 100_000;

    /// <summary>Lines longer than this are cut (minified files would otherwise flood the context).</summary>
    public const int MaxLineChars = 500;

    /// <inheritdoc />
    public ToolSpec Spec { get; } = ToolSpec.Create("read_file",
        "Reads a text file in the workspace and returns its lines numbered as 'L<n>: <text>'. Use start_line and " +
        $"end_line (1-based, inclusive) to read part of a long file; at most {MaxLines} lines are returned per call.",
        """
        {
          "type": "object",
          "properties": {
            "path": { "type": "string", "description": "File path, relative to the workspace root." },
            "start_line": { "type": "integer", "description": "First line to return (1-based, default 1)." },
            "end_line": { "type": "integer", "description": "Last line to return (inclusive, default: start_line + 1999)." }
          },
          "required": ["path"],
          "additionalProperties": false
        }
        """);

    /// <inheritdoc />
    public bool IsMutating(ToolArguments arguments) => false;

    /// <inheritdoc />
    public async Task<ToolResult> InvokeAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        string path = arguments.RequiredString("path");
        long start = arguments.OptionalInteger("start_line") ?? 1;
        if (start < 1) throw arguments.Invalid("start_line", $"must be 1 or more (lines are numbered from 1), not {start}.");
        long? requestedEnd = arguments.OptionalInteger("end_line");
        if (requestedEnd < start)
            throw arguments.Invalid("end_line", $"({requestedEnd}) must not be before start_line ({start}).");
        long end = Math.Min(requestedEnd ?? long.MaxValue, start + MaxLines - 1);

        string real = workspace.Resolve(path);
        if (Directory.Exists(real)) return ToolResult.Error($"read_file: '{path}' is a directory; use list_dir to see its entries.");
        if (!File.Exists(real)) return ToolResult.Error($"read_file: '{path}' does not exist.");
        long size = new FileInfo(real).Length;
        if (TextFiles.LooksBinary(real))
            return ToolResult.Error($"read_file: '{path}' is a binary file ({size:N0} bytes); only text files can be read.");
        if (size == 0) return ToolResult.Ok($"'{path}' is empty.");

        var sb = new StringBuilder();
        long lineNumber = 0, lastShown = 0;
        bool cutByChars = false;
        using (var reader = new StreamReader(real, Encoding.UTF8, detectEncodingFromByteOrderMarks: true))
        {
            string? line;
            while ((line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)) is not null)
            {
                lineNumber++;
                if (lineNumber < start || lineNumber > end || cutByChars) continue;
                if (sb.Length > MaxOutputChars) { cutByChars = true; continue; }
                if (sb.Length > 0) sb.Append('\n');
                sb.Append('L').Append(lineNumber.ToString(CultureInfo.InvariantCulture)).Append(": ");
                if (line.Length > MaxLineChars) sb.Append(line.AsSpan(0, MaxLineChars)).Append(" … [line cut at 500 characters]");
                else sb.Append(line);
                lastShown = lineNumber;
            }
        }
        if (start > lineNumber)
            return ToolResult.Error($"read_file: start_line {start} is past the end of '{path}', which has {lineNumber} lines.");
        if (lastShown < lineNumber && (requestedEnd is null || lastShown < requestedEnd))
            sb.Append(CultureInfo.InvariantCulture,
                $"\n[showing lines {start}-{lastShown} of {lineNumber}; call read_file with start_line={lastShown + 1} to read on]");
        return ToolResult.Ok(sb.ToString());
    }
}

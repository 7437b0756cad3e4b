using System.Text;
using System.Text.RegularExpressions;
using Spark.Agent.Policy;
using Spark.Agent.Tools.Search;

namespace Spark.Agent.Tools;

/// <summary>
/// <c>grep {pattern, path?, glob?}</c>: searches text files of the workspace line by line with a .NET regular
/// expression, skipping what git ignores (.gitignore files at every level, .git/info/exclude, the .git folder),
/// binary files and very large files; prints <c>path:line:text</c> like ripgrep.
/// </summary>
public sealed class GrepTool(Workspace workspace) : ITool
{
    private readonly TimeSpan _matchTimeout = DefaultMatchTimeout;

    /// <summary>A grep tool whose regex gives up after <paramref name="matchTimeout"/> per line (tests use a short one).</summary>
    internal GrepTool(Workspace workspace, TimeSpan matchTimeout) : this(workspace) => _matchTimeout = matchTimeout;

    /// <summary>The most matching lines one call returns.</summary>
    public const int MaxMatches = 200;

    /// <summary>Files larger than this are skipped (generated data, logs).</summary>
    public const long MaxFileBytes = 4 * 1024 * 1024;

    private const int MaxLineChars = 300;
    private static readonly TimeSpan DefaultMatchTimeout = TimeSpan.FromSeconds(2);

    /// <inheritdoc />
    public ToolSpec Spec { get; } = ToolSpec.Create("grep",
        "Searches the workspace's text files for a regular expression (.NET syntax, case-sensitive unless you add " +
        "(?i)), skipping files ignored by .gitignore. Prints matching lines as 'path:line:text' (at most 200). " +
        "Narrow it with path (a folder or file) and glob (e.g. '*.cs', 'src/**/*.{ts,tsx}').",
        """
        {
          "type": "object",
          "properties": {
            "pattern": { "type": "string", "description": "Regular expression to search for." },
            "path": { "type": "string", "description": "Folder or file to search, relative to the workspace root (default: the root)." },
            "glob": { "type": "string", "description": "Only search files matching this glob: a name pattern ('*.py') or, with a '/', a path pattern ('src/**/*.py')." }
          },
          "required": ["pattern"],
          "additionalProperties": false
        }
        """);

    // "./src/*.cs" and "/src/*.cs" both mean "src/*.cs" relative to the workspace root.
    private static string WithoutLeadingDot(string glob) =>
        glob.StartsWith("./", StringComparison.Ordinal) ? glob[2..] : glob.TrimStart('/');

    /// <inheritdoc />
    public bool IsMutating(ToolArguments arguments) => false;

    /// <inheritdoc />
    public Task<ToolResult> InvokeAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        string pattern = arguments.RequiredString("pattern");
        if (pattern.Length == 0) throw arguments.Invalid("pattern", "is empty; give a regular expression to search for.");
        Regex regex;
        try
        {
            regex = new Regex(pattern, RegexOptions.CultureInvariant, _matchTimeout);
        }
        catch (ArgumentException e)
        {
            return Task.FromResult(ToolResult.Error($"grep: invalid regular expression /{pattern}/: {e.Message}"));
        }
        string path = arguments.OptionalString("path") ?? ".";
        string? glob = arguments.OptionalString("glob");
        var globs = string.IsNullOrWhiteSpace(glob)
            ? null
            : GlobPattern.ExpandBraces(glob.Trim()).Select(g => WithoutLeadingDot(g)).Select(g => (Regex: GlobPattern.Compile(g), OnPath: g.Contains('/', StringComparison.Ordinal))).ToList();

        string real = workspace.Resolve(path);
        IEnumerable<WorkspaceWalker.Entry> files;
        if (File.Exists(real)) files = [new WorkspaceWalker.Entry(real, workspace.Relative(real))];
        else if (Directory.Exists(real)) files = new WorkspaceWalker(workspace.Root).EnumerateFiles(real, cancellationToken);
        else return Task.FromResult(ToolResult.Error($"grep: '{path}' does not exist."));

        var sb = new StringBuilder();
        int matches = 0, searched = 0, skippedLarge = 0;
        bool limited = false;
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (globs is not null && !globs.Any(g => g.Regex.IsMatch(g.OnPath ? file.RelativePath : Path.GetFileName(file.RelativePath))))
                continue;
            var info = new FileInfo(file.FullPath);
            if (info.Length > MaxFileBytes) { skippedLarge++; continue; }
            if (info.Length == 0 || TextFiles.LooksBinary(file.FullPath)) continue;
            searched++;
            int lineNumber = 0;
            try
            {
                foreach (string line in File.ReadLines(file.FullPath))
                {
                    lineNumber++;
                    if (!regex.IsMatch(line)) continue;
                    if (matches == MaxMatches) { limited = true; break; }
                    matches++;
                    sb.Append(file.RelativePath).Append(':').Append(lineNumber).Append(':');
                    sb.Append(line.Length > MaxLineChars ? line[..MaxLineChars] + " …" : line).Append('\n');
                }
            }
            catch (RegexMatchTimeoutException)
            {
                return Task.FromResult(ToolResult.Error(
                    $"grep: the pattern /{pattern}/ took too long on {file.RelativePath}:{lineNumber} (catastrophic backtracking); simplify it."));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // vanished or unreadable while walking: not the model's problem
            }
            if (limited) break;
        }

        string scope = path == "." ? "the workspace" : $"'{path}'";
        if (matches == 0)
            sb.Append($"No matches for /{pattern}/ in {scope} ({searched} {(searched == 1 ? "file" : "files")} searched");
        else if (limited)
            sb.Append($"[stopped after {MaxMatches} matches; narrow the pattern, path or glob to see the rest");
        else
            sb.Append($"[{matches} {(matches == 1 ? "match" : "matches")} in {searched} {(searched == 1 ? "file" : "files")} searched");
        if (skippedLarge > 0) sb.Append($"; {skippedLarge} {(skippedLarge == 1 ? "file" : "files")} over {MaxFileBytes / (1024 * 1024)} MiB skipped");
        sb.Append(matches == 0 ? ")." : "]");
        return Task.FromResult(ToolResult.Ok(sb.ToString()));
    }
}

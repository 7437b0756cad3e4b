namespace Spark.Agent.Tools.Search;

/// <summary>
/// Walks the files under a folder of the workspace the way git sees them: <c>.git</c> is skipped, every
/// <c>.gitignore</c> from the workspace root down applies to its own subtree (deeper files override shallower ones),
/// ignored folders are not entered (so nothing inside them can be re-included, as in git), and symbolic links are not
/// followed (they could leave the workspace or loop).
/// </summary>
internal sealed class WorkspaceWalker(string workspaceRoot)
{
    /// <summary>A file found by the walk: its absolute path and its path relative to the workspace root.</summary>
    public readonly record struct Entry(string FullPath, string RelativePath);

    /// <summary>
    /// The non-ignored regular files under <paramref name="startDirectory"/> (an absolute folder inside the workspace),
    /// in ordinal name order, depth first.
    /// </summary>
    public IEnumerable<Entry> EnumerateFiles(string startDirectory, CancellationToken cancellationToken = default)
    {
        var stack = new List<GitIgnoreRules>();
        string startRelative = Relative(startDirectory);
        // The .gitignore files of the folders above the start still apply to it.
        string walked = "";
        LoadRules(stack, "", includeInfoExclude: true);
        if (startRelative.Length > 0)
            foreach (string part in startRelative.Split('/')[..^1])
            {
                walked = walked.Length == 0 ? part : walked + "/" + part;
                LoadRules(stack, walked, includeInfoExclude: false);
            }
        return Walk(startRelative, stack, cancellationToken, loadOwnRules: startRelative.Length > 0);
    }

    /// <summary>Whether a path (relative to the root) is ignored by the rules in force for it.</summary>
    public static bool IsIgnored(IReadOnlyList<GitIgnoreRules> stack, string relativePath, bool isDirectory)
    {
        for (int i = stack.Count - 1; i >= 0; i--)
        {
            var rules = stack[i];
            string local;
            if (rules.BaseDirectory.Length == 0) local = relativePath;
            else if (relativePath.StartsWith(rules.BaseDirectory + "/", StringComparison.Ordinal))
                local = relativePath[(rules.BaseDirectory.Length + 1)..];
            else continue;
            if (rules.Decide(local, isDirectory) is bool decided) return decided;
        }
        return false;
    }

    private IEnumerable<Entry> Walk(string directoryRelative, List<GitIgnoreRules> stack, CancellationToken token, bool loadOwnRules)
    {
        int pushed = loadOwnRules ? LoadRules(stack, directoryRelative, includeInfoExclude: false) : 0;
        string full = Full(directoryRelative);
        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = new DirectoryInfo(full).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            entries = [];
        }
        foreach (var entry in entries)
        {
            token.ThrowIfCancellationRequested();
            if (entry.LinkTarget is not null) continue;
            string relative = directoryRelative.Length == 0 ? entry.Name : directoryRelative + "/" + entry.Name;
            if (entry is DirectoryInfo)
            {
                if (entry.Name == ".git" || IsIgnored(stack, relative, isDirectory: true)) continue;
                foreach (var file in Walk(relative, stack, token, loadOwnRules: true)) yield return file;
            }
            else if (entry is FileInfo && !IsIgnored(stack, relative, isDirectory: false))
            {
                yield return new Entry(entry.FullName, relative);
            }
        }
        if (pushed > 0) stack.RemoveRange(stack.Count - pushed, pushed);
    }

    private int LoadRules(List<GitIgnoreRules> stack, string directoryRelative, bool includeInfoExclude)
    {
        int pushed = 0;
        if (includeInfoExclude)
        {
            string exclude = Path.Join(workspaceRoot, ".git", "info", "exclude");
            if (File.Exists(exclude)) { stack.Add(new GitIgnoreRules("", File.ReadLines(exclude))); pushed++; }
        }
        string gitignore = Path.Join(Full(directoryRelative), ".gitignore");
        if (File.Exists(gitignore)) { stack.Add(new GitIgnoreRules(directoryRelative, File.ReadLines(gitignore))); pushed++; }
        return pushed;
    }

    private string Full(string relative) => relative.Length == 0 ? workspaceRoot : Path.Join(workspaceRoot, relative);

    private string Relative(string full) =>
        full == workspaceRoot ? "" : full[(workspaceRoot.Length + (workspaceRoot == "/" ? 0 : 1))..];
}

namespace Spark.Agent.Policy;

/// <summary>
/// The folder the agent works in. Every path a tool reads or writes goes through <see cref="Resolve"/>, which
/// resolves <c>..</c> and symbolic links the way the kernel will and refuses anything that ends up outside.
/// </summary>
public sealed class Workspace
{
    private const int MaxSymlinkHops = 40;

    /// <summary>A workspace rooted at an existing directory (its own symlinks are resolved once here).</summary>
    public Workspace(string root)
    {
        string full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
            throw new DirectoryNotFoundException($"The workspace folder '{full}' does not exist.");
        Root = TrimSeparator(RealPath(full));
    }

    /// <summary>The workspace folder: absolute, symlinks resolved, no trailing separator.</summary>
    public string Root { get; }

    /// <summary>
    /// The real absolute path of <paramref name="path"/> (relative paths are taken from <paramref name="baseDirectory"/>
    /// or the root), with <c>..</c> and every symlink along it resolved; missing trailing parts are kept as written.
    /// </summary>
    /// <exception cref="PathOutsideWorkspaceException">The resolved path is outside the workspace.</exception>
    public string Resolve(string path, string? baseDirectory = null)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("The path is empty.", nameof(path));
        string absolute = Path.IsPathRooted(path) ? path : Path.Join(baseDirectory ?? Root, path);
        string real = TrimSeparator(RealPath(absolute));
        if (!Contains(real))
        {
            string how = real == TrimSeparator(Path.GetFullPath(absolute)) ? "" : $" (it resolves to '{real}')";
            throw new PathOutsideWorkspaceException(
                $"'{path}' is outside the workspace '{Root}'{how}; only paths inside the workspace can be used.");
        }
        return real;
    }

    /// <summary>Whether an absolute, already-resolved path is the root or inside it.</summary>
    public bool Contains(string realPath) =>
        realPath == Root || realPath.StartsWith(Root + "/", StringComparison.Ordinal) || Root == "/";

    /// <summary>The path relative to the root with '/' separators ("." for the root itself).</summary>
    public string Relative(string realPath)
    {
        if (realPath == Root) return ".";
        return Contains(realPath) ? realPath[(Root.Length + (Root == "/" ? 0 : 1))..] : realPath;
    }

    /// <summary>
    /// Resolves a path physically, like realpath(3) without requiring the tail to exist: each existing component is
    /// followed if it is a symlink, <c>..</c> goes to the parent of what was reached so far.
    /// </summary>
    internal static string RealPath(string absolutePath)
    {
        var pending = new Stack<string>();
        PushComponents(pending, absolutePath);
        string current = "/";
        int hops = 0;
        bool missing = false;
        while (pending.Count > 0)
        {
            string part = pending.Pop();
            if (part.Length == 0 || part == ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                // Back in a folder that exists, the next component may be a symlink again ("missing/../link/x").
                if (missing && Directory.Exists(current)) missing = false;
                continue;
            }
            string next = current == "/" ? "/" + part : current + "/" + part;
            string? target = missing ? null : new FileInfo(next).LinkTarget;
            if (target is not null)
            {
                if (++hops > MaxSymlinkHops)
                    throw new IOException($"Too many levels of symbolic links at '{next}'.");
                PushComponents(pending, target);
                if (target.StartsWith('/')) current = "/";
                continue;
            }
            // Once a component is missing nothing below it can be a link: the rest is taken as written.
            if (!missing && !Path.Exists(next)) missing = true;
            current = next;
        }
        return current;
    }

    private static void PushComponents(Stack<string> pending, string path)
    {
        string[] parts = path.Split('/');
        for (int i = parts.Length - 1; i >= 0; i--) pending.Push(parts[i]);
    }

    private static string TrimSeparator(string path) => path.Length > 1 ? path.TrimEnd('/') : path;
}

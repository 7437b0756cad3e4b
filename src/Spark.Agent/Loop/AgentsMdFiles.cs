using System.Text;

namespace Spark.Agent.Loop;

/// <summary>
/// The <c>AGENTS.md</c> files that apply to a working directory: one per folder from the repository root (the nearest
/// ancestor holding <c>.git</c>; without one, the working directory alone) down to the working directory, root first,
/// so the more specific instructions come last. Their text is added to the agent's instructions, at most
/// <see cref="MaxBytes"/> in all (the rest is cut, with a note saying so).
/// </summary>
public static class AgentsMdFiles
{
    /// <summary>The file name looked for in each folder.</summary>
    public const string FileName = "AGENTS.md";

    /// <summary>The most instruction text taken from all the files together.</summary>
    public const int MaxBytes = 32 * 1024;

    /// <summary>The files that apply to <paramref name="workingDirectory"/>, root first.</summary>
    public static IReadOnlyList<string> Discover(string workingDirectory)
    {
        var folders = new List<string>();
        string? repoRoot = null;
        for (var dir = new DirectoryInfo(Path.GetFullPath(workingDirectory)); dir is not null; dir = dir.Parent)
        {
            folders.Add(dir.FullName);
            if (Directory.Exists(Path.Join(dir.FullName, ".git")) || File.Exists(Path.Join(dir.FullName, ".git")))
            {
                repoRoot = dir.FullName;
                break;
            }
        }
        if (repoRoot is null) folders = [folders[0]]; // not in a repository: only the working directory's own file
        folders.Reverse();
        return [.. folders.Select(f => Path.Join(f, FileName)).Where(File.Exists)];
    }

    /// <summary>The instructions section made of the files' text (empty when there are none).</summary>
    public static string Section(IReadOnlyList<string> files)
    {
        var sb = new StringBuilder();
        int budget = MaxBytes;
        foreach (string file in files)
        {
            string text;
            try
            {
                text = File.ReadAllText(file).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // unreadable: the others still apply
            }
            if (text.Length == 0) continue;
            if (budget <= 0)
            {
                sb.Append($"\n\n(AGENTS.md at {file} was left out: the instruction files exceed {MaxBytes} bytes.)");
                continue;
            }
            if (Encoding.UTF8.GetByteCount(text) > budget)
            {
                text = text[..Math.Min(text.Length, budget)] + "\n(cut: the instruction files exceed " + MaxBytes + " bytes)";
            }
            budget -= Encoding.UTF8.GetByteCount(text);
            sb.Append($"\n\n# Instructions from {file}\n\n{text}");
        }
        return sb.Length == 0 ? "" : "\n\nThe project gives these instructions (AGENTS.md files, the most specific last; follow them):" + sb;
    }
}

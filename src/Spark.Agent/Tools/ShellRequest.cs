using System.Text;
using System.Text.Json;

namespace Spark.Agent.Tools;

/// <summary>The arguments of a <c>shell</c> call, validated: shared by the tool and the approval policy.</summary>
/// <param name="Command">The bash command line.</param>
/// <param name="Workdir">The working directory as the model wrote it (null: the workspace root).</param>
/// <param name="Timeout">How long the command may run before its process group is killed.</param>
public sealed record ShellRequest(string Command, string? Workdir, TimeSpan Timeout)
{
    /// <summary>Used when the model gives no <c>timeout_ms</c>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The longest timeout a call may ask for.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Reads and checks the arguments.</summary>
    /// <exception cref="ToolArgumentException">A field is missing, of the wrong type, or out of range.</exception>
    public static ShellRequest From(ToolArguments args)
    {
        string command = ReadCommand(args);
        if (string.IsNullOrWhiteSpace(command)) throw args.Invalid("command", "is empty; pass the bash command line to run.");
        TimeSpan timeout = DefaultTimeout;
        if (args.OptionalInteger("timeout_ms") is long ms)
        {
            if (ms <= 0) throw args.Invalid("timeout_ms", $"must be a positive number of milliseconds, not {ms}.");
            timeout = TimeSpan.FromMilliseconds(Math.Min(ms, (long)MaxTimeout.TotalMilliseconds));
        }
        string? workdir = args.OptionalString("workdir");
        return new ShellRequest(command, string.IsNullOrWhiteSpace(workdir) ? null : workdir, timeout);
    }

    // Codex's older shell tool took an argv array (often ["bash", "-lc", "…"]); models still send it, so accept it.
    private static string ReadCommand(ToolArguments args)
    {
        if (!args.TryGet("command", out var value)) return args.RequiredString("command");
        if (value.ValueKind != JsonValueKind.Array) return args.RequiredString("command");
        var argv = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
                throw args.Invalid("command", "must be a string (or an array of strings).");
            argv.Add(item.GetString()!);
        }
        if (argv.Count == 3 && argv[0] is "bash" or "sh" or "/bin/bash" or "/bin/sh" && argv[1] is "-c" or "-lc")
            return argv[2];
        var sb = new StringBuilder();
        foreach (string a in argv)
        {
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(Quote(a));
        }
        return sb.ToString();
    }

    private static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c))
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

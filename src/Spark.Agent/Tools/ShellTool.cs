using System.Diagnostics;
using System.Globalization;
using Spark.Agent.Policy;
using Spark.Agent.Tools.Patch;

namespace Spark.Agent.Tools;

/// <summary>
/// <c>shell {command, workdir?, timeout_ms?}</c>: runs a bash command in the workspace (under the sandbox), captures
/// stdout and stderr in arrival order (head and tail kept when long), and kills the command's whole process group
/// on timeout, on cancellation, and when the shell exits leaving background children behind.
/// </summary>
public sealed class ShellTool : ITool
{
    private const int HeadBytes = 8 * 1024;
    private const int TailBytes = 8 * 1024;
    private static readonly TimeSpan PipeDrainGrace = TimeSpan.FromSeconds(2);

    private readonly Workspace _workspace;
    private readonly Sandbox _sandbox;
    private readonly int _headBytes;
    private readonly int _tailBytes;
    private readonly ApplyPatchTool _applyPatch;

    /// <summary>
    /// A shell tool for a workspace; <paramref name="headBytes"/>/<paramref name="tailBytes"/> bound the output kept.
    /// <c>apply_patch &lt;&lt;EOF</c> commands are handed to <paramref name="applyPatch"/> (or a new one).
    /// </summary>
    public ShellTool(Workspace workspace, Sandbox sandbox, ApplyPatchTool? applyPatch = null, int headBytes = HeadBytes, int tailBytes = TailBytes)
    {
        _workspace = workspace;
        _sandbox = sandbox;
        _applyPatch = applyPatch ?? new ApplyPatchTool(workspace, sandbox);
        _headBytes = headBytes;
        _tailBytes = tailBytes;
    }

    /// <inheritdoc />
    public ToolSpec Spec { get; } = ToolSpec.Create("shell",
        "Runs a bash command in the workspace and returns its exit code and output (stdout and stderr together; long " +
        "output keeps its beginning and end). Set workdir instead of prefixing the command with cd. The command is " +
        "killed with all its child processes after timeout_ms (default 30000).",
        """
        {
          "type": "object",
          "properties": {
            "command": { "type": "string", "description": "The bash command line to run." },
            "workdir": { "type": "string", "description": "Working directory, relative to the workspace root (default: the root)." },
            "timeout_ms": { "type": "integer", "description": "Time limit in milliseconds (default 30000, at most 600000)." }
          },
          "required": ["command"],
          "additionalProperties": false
        }
        """);

    /// <inheritdoc />
    public bool IsMutating(ToolArguments arguments)
    {
        try
        {
            return !SafeCommands.IsKnownSafe(ShellCommandParser.Parse(ShellRequest.From(arguments).Command));
        }
        catch (ToolArgumentException)
        {
            return true;
        }
    }

    /// <inheritdoc />
    public async Task<ToolResult> InvokeAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var request = ShellRequest.From(arguments);
        string workdir = request.Workdir is null ? _workspace.Root : _workspace.Resolve(request.Workdir);
        if (!Directory.Exists(workdir))
            return ToolResult.Error($"shell: the workdir '{request.Workdir}' does not exist or is not a directory.");
        if (ShellPatchCommand.TryParse(request.Command, out string patch, out string? directory))
            return _applyPatch.Apply(patch, directory is null ? workdir : _workspace.Resolve(directory, workdir));
        return await RunAsync(request.Command, workdir, request.Timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a command line in an existing directory with the given time limit.</summary>
    internal async Task<ToolResult> RunAsync(string command, string workdir, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var psi = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workdir,
        };
        foreach (string a in _sandbox.Wrap(command, workdir)) psi.ArgumentList.Add(a);
        // Nothing may wait for a terminal: no pagers, no colour codes, no interactive git prompts.
        psi.Environment["PAGER"] = "cat";
        psi.Environment["GIT_PAGER"] = "cat";
        psi.Environment["GIT_TERMINAL_PROMPT"] = "0";
        psi.Environment["TERM"] = "dumb";
        psi.Environment["NO_COLOR"] = "1";

        // Interrupted before it began (Esc right as the call arrived): never start it, so nothing of it runs.
        if (cancellationToken.IsCancellationRequested)
            return new ToolResult
            {
                Output = "Command not run: the user interrupted the turn before it started.",
                IsError = true,
                Interrupted = true,
                Duration = clock.Elapsed,
            };
        var output = new HeadTailBuffer(_headBytes, _tailBytes);
        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return ToolResult.Error($"shell: could not start the command ({e.Message}).");
        }
        int group = process.Id; // setsid execs in place: the shell's pid is its new session and group id
        process.StandardInput.Close();
        var pumps = Task.WhenAll(
            PumpAsync(process.StandardOutput.BaseStream, output),
            PumpAsync(process.StandardError.BaseStream, output));

        bool timedOut = false, interrupted = false;
        using (var deadline = new CancellationTokenSource(timeout))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken))
        {
            try
            {
                await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                interrupted = cancellationToken.IsCancellationRequested;
                timedOut = !interrupted;
                await KillAsync(process, group).ConfigureAwait(false);
            }
        }
        // Background jobs the command left behind would outlive the call and hold its pipes open: end them too.
        ProcessGroup.Kill(group);
        bool drained = true;
        try
        {
            await pumps.WaitAsync(PipeDrainGrace, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            drained = false; // a process that left the group (its own setsid) still holds the pipe
        }

        int? exitCode = timedOut || interrupted ? null : process.ExitCode;
        string text = RenderOutput(output, exitCode, clock.Elapsed, timedOut, interrupted, timeout, drained);
        return new ToolResult
        {
            Output = text,
            IsError = exitCode != 0,
            ExitCode = exitCode,
            TimedOut = timedOut,
            Interrupted = interrupted,
            Duration = clock.Elapsed,
        };
    }

    private static async Task PumpAsync(Stream stream, HeadTailBuffer sink)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                lock (sink) sink.Write(buffer.AsSpan(0, n));
        }
        catch (IOException)
        {
            // The pipe broke because the process group was killed: what was read so far is the output.
        }
    }

    private static string RenderOutput(HeadTailBuffer output, int? exitCode, TimeSpan elapsed, bool timedOut,
        bool interrupted, TimeSpan timeout, bool drained)
    {
        string body;
        lock (output) body = output.Render();
        var inv = CultureInfo.InvariantCulture;
        string status = timedOut
            ? string.Format(inv, "Command timed out after {0:0.###} s; it and all its child processes were killed.", timeout.TotalSeconds)
            : interrupted
                ? "Command interrupted by the user; it and all its child processes were killed."
                : string.Format(inv, "Exit code: {0}", exitCode);
        string note = drained ? "" : "\n(output may be incomplete: a process that detached from the command still holds its output open)";
        return string.Format(inv, "{0}\nWall time: {1:0.###} s\nOutput:\n{2}{3}", status, elapsed.TotalSeconds, body, note);
    }

    /// <summary>
    /// Ends the command and all its children. An interrupt can land in the first instants after the start, before the
    /// child's setsid has made the group, when a group kill finds nothing: so the leader is killed by pid first (before
    /// its setsid that stops it from ever running the command), the group second (after it, whatever the command forked
    /// before the leader died is in the group). Repeated, with the process tree as a last resort, until it is gone.
    /// </summary>
    private static async Task KillAsync(Process process, int group)
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: attempt > 0);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or AggregateException)
            {
                // it exited meanwhile
            }
            ProcessGroup.Kill(group);
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            try
            {
                await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException)
            {
                // still running: kill again
            }
        }
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
    }
}

using Spark.Agent.Client;
using Spark.Agent.Loop;

namespace Spark.Cli.Exec;

/// <summary>
/// <c>spark exec</c> without <c>--json</c>: progress (tool calls, their outcome, notices, the turn's timing) on stderr,
/// the final answer alone on stdout so it can be piped.
/// </summary>
internal sealed class PlainEventWriter(TextWriter answer, TextWriter progress)
{
    public void Write(AgentEvent e)
    {
        switch (e)
        {
            case AgentNotice n:
                progress.WriteLine($"note: {n.Message}");
                break;
            case SteerUpdated { Update: var update }:
                progress.WriteLine(update switch
                {
                    SteerAccepted => "steer: accepted",
                    SteerPending => "steer: queued until the tool outputs are sent",
                    SteerFailed f => $"steer: failed ({f.Code}): {f.Message}",
                    ResponseSteered => "steer: applied; the answer continues",
                    _ => "steer: " + update,
                });
                break;
            case ToolCallRequested c:
                progress.WriteLine($"• {c.Name} {Shorten(c.Arguments, 200)}");
                break;
            case ToolCallFinished r:
                string status = r.Approval != "allowed" ? r.Approval.Replace('_', ' ') : r.IsError ? "failed" : "ok";
                progress.WriteLine($"  └ {status} ({r.Duration.TotalSeconds:0.00}s): {Shorten(FirstLine(r.Output), 160)}");
                break;
            case SteerInjected:
                progress.WriteLine("steer: applied with the next model request");
                break;
            case SteerTooLate:
                progress.WriteLine("steer: too late, the turn had ended; it was not sent");
                break;
            case TurnAborted:
                progress.WriteLine("turn interrupted; the partial answer and the interruption are recorded in the session");
                break;
            case TurnCompleted done:
                var t = done.Timing;
                progress.WriteLine(
                    $"turn {done.TurnId}: {done.ModelRequests} model request(s), {done.ToolCalls} tool call(s), {t.Total.TotalSeconds:0.00}s " +
                    $"(prefill {t.Prefill.TotalSeconds:0.00}s, generation {t.Generation.TotalSeconds:0.00}s, tools {t.Tools.TotalSeconds:0.00}s, " +
                    $"overhead {t.Overhead.TotalSeconds:0.00}s); tokens in {done.Usage.InputTokens} (cached {done.Usage.CachedTokens}), out {done.Usage.OutputTokens}" +
                    (done.Incomplete is { } why ? $"; answer cut short: {why}" : ""));
                answer.WriteLine(done.FinalText);
                answer.Flush();
                break;
        }
    }

    private static string FirstLine(string text)
    {
        int newline = text.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? text : text[..newline] + " …";
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}

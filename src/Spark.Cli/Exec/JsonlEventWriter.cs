using Spark.Agent.Client;
using System.Text.Json;
using Spark.Agent.Loop;

namespace Spark.Cli.Exec;

/// <summary>
/// <c>spark exec --json</c>: one JSON object per line on stdout, flushed at once, <c>type</c> first —
/// <c>session.started</c>, <c>turn.started</c>, <c>text.delta</c>, <c>tool.call</c>, <c>tool.result</c>, <c>notice</c>,
/// <c>turn.completed</c> (usage and timing in milliseconds) and, on failure, <c>error</c>.
/// </summary>
internal sealed class JsonlEventWriter(Stream output) : IDisposable
{
    private readonly Utf8JsonWriter _json = new(output);

    public void SessionStarted(string id, string path, string model, string baseUrl, string transport, bool resumed) => Line(j =>
    {
        j.WriteString("type", "session.started");
        j.WriteString("session_id", id);
        j.WriteString("path", path);
        j.WriteString("model", model);
        j.WriteString("base_url", baseUrl);
        j.WriteString("transport", transport);
        j.WriteBoolean("resumed", resumed);
    });

    public void Error(string message) => Line(j =>
    {
        j.WriteString("type", "error");
        j.WriteString("message", message);
    });

    public void Write(AgentEvent e)
    {
        if (e is ModelRequestCompleted) return; // its numbers are summed in turn.completed
        Line(j => WriteEvent(j, e));
    }

    private static void WriteEvent(Utf8JsonWriter j, AgentEvent e)
    {
        switch (e)
        {
            case TurnStarted t:
                j.WriteString("type", "turn.started");
                j.WriteNumber("turn_id", t.TurnId);
                j.WriteString("prompt", t.Prompt);
                break;
            case TextDelta d:
                j.WriteString("type", "text.delta");
                j.WriteString("delta", d.Delta);
                break;
            case ToolCallRequested c:
                j.WriteString("type", "tool.call");
                j.WriteString("call_id", c.CallId);
                j.WriteString("name", c.Name);
                j.WriteString("arguments", c.Arguments);
                break;
            case ToolCallFinished r:
                j.WriteString("type", "tool.result");
                j.WriteString("call_id", r.CallId);
                j.WriteString("name", r.Name);
                j.WriteString("approval", r.Approval);
                j.WriteBoolean("is_error", r.IsError);
                j.WriteNumber("duration_ms", Ms(r.Duration));
                j.WriteString("output", r.Output);
                break;
            case AgentNotice n:
                j.WriteString("type", "notice");
                j.WriteString("message", n.Message);
                break;
            case SteerUpdated { Update: var update }:
                WriteSteer(j, update);
                break;
            case TurnCompleted done:
                j.WriteString("type", "turn.completed");
                j.WriteNumber("turn_id", done.TurnId);
                j.WriteString("final_text", done.FinalText);
                j.WriteNumber("model_requests", done.ModelRequests);
                j.WriteNumber("tool_calls", done.ToolCalls);
                if (done.Incomplete is { } why) j.WriteString("incomplete", why);
                j.WriteStartObject("usage");
                j.WriteNumber("input_tokens", done.Usage.InputTokens);
                j.WriteNumber("cached_tokens", done.Usage.CachedTokens);
                j.WriteNumber("output_tokens", done.Usage.OutputTokens);
                j.WriteNumber("total_tokens", done.Usage.TotalTokens);
                j.WriteEndObject();
                j.WriteStartObject("timing");
                j.WriteNumber("total_ms", Ms(done.Timing.Total));
                j.WriteNumber("prefill_ms", Ms(done.Timing.Prefill));
                j.WriteNumber("generation_ms", Ms(done.Timing.Generation));
                j.WriteNumber("tool_ms", Ms(done.Timing.Tools));
                j.WriteNumber("overhead_ms", Ms(done.Timing.Overhead));
                j.WriteString("source", done.Timing.Source);
                j.WriteEndObject();
                break;
            case SteerInjected injected:
                j.WriteString("type", "steer.applied");
                j.WriteString("input", injected.Text);
                break;
            case SteerTooLate late:
                j.WriteString("type", "steer.too_late");
                j.WriteString("input", late.Text);
                break;
            case TurnAborted aborted:
                j.WriteString("type", "turn.aborted");
                j.WriteNumber("turn_id", aborted.TurnId);
                j.WriteString("partial_text", aborted.PartialText);
                break;
            default:
                j.WriteString("type", "notice");
                j.WriteString("message", e.ToString());
                break;
        }
    }

    private static void WriteSteer(Utf8JsonWriter j, SteerUpdate update)
    {
        switch (update)
        {
            case Agent.Client.SteerAccepted a:
                j.WriteString("type", "steer.accepted");
                j.WriteString("response_id", a.ResponseId);
                break;
            case Agent.Client.SteerPending p:
                j.WriteString("type", "steer.pending");
                j.WriteString("response_id", p.ResponseId);
                break;
            case Agent.Client.SteerFailed f:
                j.WriteString("type", "steer.failed");
                j.WriteString("code", f.Code);
                j.WriteString("message", f.Message);
                break;
            case ResponseSteered s:
                j.WriteString("type", "steer.applied");
                j.WriteString("steered_response_id", s.SteeredId);
                j.WriteString("response_id", s.SuccessorId);
                break;
        }
    }

    private static double Ms(TimeSpan t) => Math.Round(t.TotalMilliseconds, 1);

    private void Line(Action<Utf8JsonWriter> body)
    {
        _json.Reset(output);
        _json.WriteStartObject();
        body(_json);
        _json.WriteEndObject();
        _json.Flush();
        output.WriteByte((byte)'\n');
        output.Flush();
    }

    public void Dispose() => _json.Dispose();
}

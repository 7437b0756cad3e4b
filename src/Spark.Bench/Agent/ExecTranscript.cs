using System.Text.Json;

namespace Spark.Bench.Agent;

/// <summary>
/// Where an agent's time went, from <c>spark exec --json</c>'s <c>turn.completed</c> event (milliseconds): prompt
/// processing, token generation, tool execution, and the network and client overhead (the rest of the turn).
/// </summary>
/// <param name="TotalMs">The turn's wall time as the agent measured it.</param>
/// <param name="PrefillMs">Prompt processing.</param>
/// <param name="GenerationMs">Token generation.</param>
/// <param name="ToolMs">Running tools.</param>
/// <param name="NetworkMs">Network and client overhead: the turn's time outside the other three.</param>
/// <param name="Source">Where prefill/generation came from: <c>server</c> (the server's own timing) or <c>client</c> (the client's clocks; prefill then includes the network).</param>
public sealed record AgentTiming(double TotalMs, double PrefillMs, double GenerationMs, double ToolMs, double NetworkMs, string Source);

/// <summary>What one <c>spark exec --json</c> run printed, reduced to what the benchmark reports.</summary>
/// <param name="Timing">The last <c>turn.completed</c> timing, or null when the run ended without one.</param>
/// <param name="ModelRequests">Model requests of the turn.</param>
/// <param name="ToolCalls">Tool calls the model made.</param>
/// <param name="OutputTokens">Tokens the model generated.</param>
/// <param name="Error">The message of an <c>error</c> event, or null.</param>
public sealed record ExecTranscript(AgentTiming? Timing, int ModelRequests, int ToolCalls, int OutputTokens, string? Error)
{
    /// <summary>Reads the JSON lines; lines that are not JSON objects (a stray log line) are ignored.</summary>
    public static ExecTranscript Parse(string jsonLines)
    {
        AgentTiming? timing = null;
        int requests = 0, calls = 0, output = 0;
        string? error = null;
        foreach (string line in jsonLines.Split('\n'))
        {
            string trimmed = line.Trim();
            if (!trimmed.StartsWith('{')) continue;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(trimmed);
            }
            catch (JsonException)
            {
                continue;
            }
            using (document)
            {
                var e = document.RootElement;
                switch (String(e, "type"))
                {
                    case "error":
                        error = String(e, "message") ?? "error event without a message";
                        break;
                    case "turn.completed":
                        requests = Int(e, "model_requests");
                        calls = Int(e, "tool_calls");
                        output = e.TryGetProperty("usage", out var usage) ? Int(usage, "output_tokens") : 0;
                        if (e.TryGetProperty("timing", out var t) && t.ValueKind == JsonValueKind.Object)
                        {
                            double total = Number(t, "total_ms"), prefill = Number(t, "prefill_ms"), generation = Number(t, "generation_ms"), tools = Number(t, "tool_ms");
                            timing = new AgentTiming(total, prefill, generation, tools, Math.Max(0, total - prefill - generation - tools), String(t, "source") ?? "client");
                        }
                        break;
                }
            }
        }
        return new ExecTranscript(timing, requests, calls, output, error);
    }

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : 0;

    private static double Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0;
}

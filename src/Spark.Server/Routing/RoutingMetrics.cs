using System.Collections.Concurrent;
using System.Text;
using Spark.Server.Metrics;

namespace Spark.Server.Routing;

/// <summary>Counts of the auto policy's choices and of escalations, for <c>GET /metrics</c>.</summary>
internal sealed class RoutingMetrics
{
    private readonly ConcurrentDictionary<string, long> _autoChosen = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string From, string To), long> _escalations = new();

    public void AutoChose(string model) => _autoChosen.AddOrUpdate(model, 1, (_, n) => n + 1);

    public void Escalated(string from, string to) => _escalations.AddOrUpdate((from, to), 1, (_, n) => n + 1);

    public long AutoChosen(string model) => _autoChosen.GetValueOrDefault(model);

    public void WriteTo(StringBuilder text)
    {
        text.Append("# HELP spark_auto_routed_total Turns the auto model sent to each model.\n# TYPE spark_auto_routed_total counter\n");
        foreach (var (model, count) in _autoChosen) text.Append("spark_auto_routed_total{model=\"").Append(model).Append("\"} ").Append(count).Append('\n');
        text.Append("# HELP spark_escalations_total Turns retried on the full model after the fast one failed.\n# TYPE spark_escalations_total counter\n");
        foreach (var ((from, to), count) in _escalations) text.Append("spark_escalations_total{from=\"").Append(from).Append("\",to=\"").Append(to).Append("\"} ").Append(count).Append('\n');
    }
}

using System.Text;

namespace Spark.Server.Metrics;

/// <summary>Single-value metrics in the Prometheus text exposition format (version 0.0.4).</summary>
public static class PrometheusText
{
    /// <summary>The <c>Content-Type</c> of the exposition.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Appends a counter.</summary>
    public static void Counter(StringBuilder text, string name, string help, long value) => Single(text, name, help, "counter", value);

    /// <summary>Appends a gauge.</summary>
    public static void Gauge(StringBuilder text, string name, string help, long value) => Single(text, name, help, "gauge", value);

    private static void Single(StringBuilder text, string name, string help, string type, long value)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        text.Append(name).Append(' ').Append(value).Append('\n');
    }
}

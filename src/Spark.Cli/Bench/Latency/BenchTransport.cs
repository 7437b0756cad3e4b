namespace Spark.Cli.Bench.Latency;

/// <summary>How a benchmark conversation reaches the server.</summary>
internal enum BenchTransport
{
    /// <summary>HTTP/SSE with a fresh connection (TCP handshake included) for every turn.</summary>
    HttpNew,
    /// <summary>HTTP/SSE over one pooled, kept-alive client.</summary>
    HttpKeepAlive,
    /// <summary>The Responses WebSocket mode: one socket for the whole conversation.</summary>
    WebSocket,
}

/// <summary>The names transports have on the command line and in report.json.</summary>
internal static class BenchTransportNames
{
    public const string All = "all";

    /// <summary>Every transport, in the order they run and are reported.</summary>
    public static readonly BenchTransport[] Every = [BenchTransport.HttpNew, BenchTransport.HttpKeepAlive, BenchTransport.WebSocket];

    /// <summary>The accepted values of --transport.</summary>
    public static readonly string[] Accepted = ["http-new", "http-keepalive", "ws", All];

    public static string Name(BenchTransport transport) => transport switch
    {
        BenchTransport.HttpNew => "http-new",
        BenchTransport.HttpKeepAlive => "http-keepalive",
        _ => "ws",
    };

    /// <summary>The transports a --transport value selects.</summary>
    public static BenchTransport[] Parse(string value) => value switch
    {
        "http-new" => [BenchTransport.HttpNew],
        "http-keepalive" => [BenchTransport.HttpKeepAlive],
        "ws" => [BenchTransport.WebSocket],
        All => Every,
        _ => throw new ArgumentException($"--transport must be one of {string.Join(", ", Accepted)}; got '{value}'"),
    };
}

using System.CommandLine;
using System.Net.Sockets;
using System.Net.WebSockets;
using Spark.Cli.Bench.Latency;
using Spark.Cli.Hosting;
using Spark.Engine.Inference;
using Spark.Server.Hosting;

namespace Spark.Cli.Commands;

/// <summary>
/// `spark bench latency`: time to first token, inter-token latency, per-turn overhead and end-to-end time of
/// agent-like conversations over HTTP with a new connection per turn, HTTP keep-alive and the WebSocket mode.
/// </summary>
internal static class BenchLatencyCommand
{
    public static Command Create()
    {
        var url = new Option<string?>("--url") { Description = "A Responses API server, e.g. http://127.0.0.1:8080 (its /v1/responses is used). Or use --local." };
        var model = new Option<string?>("--model", "-m") { Description = "The model name to send (default with --local: the served model's name)." };
        var apiKeyEnv = new Option<string?>("--api-key-env") { Description = "Environment variable holding the API key, sent as 'Authorization: Bearer'." };
        var turns = new Option<int>("--turns") { Description = "Turns per conversation, each continuing the last with previous_response_id.", DefaultValueFactory = _ => 5 };
        var concurrency = new Option<string>("--concurrency", "-c") { Description = "Conversations at once, per transport: one number, or a list of levels run in turn (e.g. 1,2,4).", DefaultValueFactory = _ => "1" };
        var transport = new Option<string>("--transport") { Description = "http-new, http-keepalive, ws or all.", DefaultValueFactory = _ => BenchTransportNames.All };
        transport.AcceptOnlyFromAmong(BenchTransportNames.Accepted);
        var promptTokens = new Option<int>("--prompt-tokens") { Description = "About how many tokens the first turn's message has.", DefaultValueFactory = _ => 512 };
        var outputTokens = new Option<int>("--output-tokens") { Description = "max_output_tokens of every turn.", DefaultValueFactory = _ => 32 };
        var output = new Option<string>("--out", "-o") { Description = "Directory for report.json and report.md.", DefaultValueFactory = _ => "bench-out" };
        var local = new Option<string?>("--local") { Description = "Start Spark's server in this process on FILE.gguf (no FILE: the built-in synthetic model) instead of --url.", Arity = ArgumentArity.ZeroOrOne };
        var threads = new Option<int?>("--threads", "-t") { Description = "With --local: engine worker threads (default: all cores)." };
        var noToolCalls = new Option<bool>("--no-tool-calls") { Description = "Plain turns (one user message each) instead of agent-like turns (a forced tool call, its function_call_output, then the answer), for servers without tool calling." };
        var ctx = new Option<int?>("--ctx") { Description = "With --local: context length in tokens (default: the model's, at most 4096)." };
        var command = new Command("latency", "Measure TTFT, inter-token latency, per-turn overhead and conversation time over HTTP (new connection / keep-alive) and WebSocket; writes report.json and report.md.")
        {
            url, model, apiKeyEnv, turns, concurrency, transport, promptTokens, outputTokens, output, local, threads, ctx, noToolCalls,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            bool isLocal = parse.GetResult(local) is not null;
            string? urlValue = parse.GetValue(url);
            if (isLocal == (urlValue is not null)) throw new ArgumentException("give either --url URL (a running server) or --local [FILE.gguf] (start Spark's server here)");
            string? apiKey = null;
            if (parse.GetValue(apiKeyEnv) is { } variable)
            {
                apiKey = Environment.GetEnvironmentVariable(variable);
                if (string.IsNullOrEmpty(apiKey)) throw new ArgumentException($"--api-key-env {variable}: the environment variable is not set or empty");
            }
            if (parse.GetValue(threads) is < 1) throw new ArgumentException("--threads must be at least 1");
            var settings = new Settings(parse.GetValue(turns), ConcurrencyLevels.Parse(parse.GetValue(concurrency)), BenchTransportNames.Parse(parse.GetValue(transport)!),
                parse.GetValue(promptTokens), parse.GetValue(outputTokens), parse.GetValue(output)!, !parse.GetValue(noToolCalls));
            if (!isLocal)
            {
                if (!Uri.TryCreate(urlValue, UriKind.Absolute, out var baseUrl)) throw new ArgumentException($"--url must be an absolute URL like http://127.0.0.1:8080; got '{urlValue}'");
                string modelName = parse.GetValue(model) ?? throw new ArgumentException("--model is required with --url (the name the server knows the model by)");
                return RunAsync(settings.For(baseUrl, modelName, apiKey), settings.OutDir).GetAwaiter().GetResult();
            }
            return RunLocalAsync(settings, parse.GetValue(local), parse.GetValue(model), new ModelLoadOptions { Threads = parse.GetValue(threads), ContextLength = parse.GetValue(ctx) }).GetAwaiter().GetResult();
        }));
        return command;
    }

    private sealed record Settings(int Turns, int[] Concurrency, BenchTransport[] Transports, int PromptTokens, int OutputTokens, string OutDir, bool ToolCalls)
    {
        public LatencyBenchOptions For(Uri baseUrl, string model, string? apiKey) =>
            new(baseUrl, model, apiKey, Turns, Concurrency, Transports, PromptTokens, OutputTokens) { ToolCalls = ToolCalls };
    }

    private static async Task<int> RunLocalAsync(Settings settings, string? path, string? alias, ModelLoadOptions load)
    {
        var (modelPath, name) = ServedModel.Resolve(path, alias, Console.Error.WriteLine);
        var serverOptions = new SparkServerOptions { Host = "127.0.0.1", Port = 0 };
        await using var server = await LocalModelHost.StartAsync(modelPath, name, load, serverOptions, _ => { }).ConfigureAwait(false);
        Console.Error.WriteLine($"spark bench latency: serving '{name}' in-process on {server.Url} (context {server.Model.ContextLength} tokens, {server.Model.Threads} threads)");
        // the per-token baseline: each transport's decode steps replayed on the served model right after it ran
        return await RunAsync(settings.For(new Uri(server.Url), name, apiKey: null), settings.OutDir,
            (result, cancel) => EngineReplay.Run(server.Model, [.. result.StepTimings], cancel)).ConfigureAwait(false);
    }

    private static async Task<int> RunAsync(LatencyBenchOptions options, string outDir, Func<TransportResult, CancellationToken, EngineReplayResult?>? engineAlone = null)
    {
        options.Validate();
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var benchmark = new LatencyBenchmark(options, line => Console.Error.Write($"\r{line}   "), engineAlone);
            IReadOnlyList<LevelResult> results;
            try
            {
                results = await benchmark.RunAsync(cancel.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or WebSocketException or SocketException or BenchServerException)
            {
                Console.Error.WriteLine();
                string what = e is BenchServerException ? e.Message : $"cannot reach {options.BaseUrl}: {e.Message}";
                Console.Error.WriteLine($"error: {what}");
                if (e is not BenchServerException) Console.Error.WriteLine("       is the server running? Check --url, or use --local to start Spark's server in this process.");
                return CliErrors.Failure;
            }
            Console.Error.WriteLine();
            var report = new LatencyReport(options, results, DateTimeOffset.UtcNow);
            Console.Out.Write(report.Table());
            var (json, md) = report.WriteTo(Path.GetFullPath(outDir));
            Console.Out.WriteLine($"wrote {json} and {md}");
            return CliErrors.Ok;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}

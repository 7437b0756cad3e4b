using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spark.Engine.Inference;
using Spark.Engine.Models.Synthetic;
using Spark.Server.Backends;
using Spark.Server.Hosting;

namespace Spark.Cli.Commands;

/// <summary>`spark serve`: the OpenAI-compatible server (Responses, Chat Completions, models) for one model.</summary>
internal static class ServeCommand
{
    /// <summary>The model name the built-in default model is served as.</summary>
    public const string DefaultAlias = "spark";

    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "A GGUF model (default: Spark's built-in synthetic model, created on first use)." };
        var alias = new Option<string?>("--alias") { Description = "The model name clients send (default: the file name without .gguf; 'spark' for the built-in model)." };
        var host = new Option<string>("--host") { Description = "Address to listen on: 127.0.0.1 (this machine only), 0.0.0.0 (every interface) or localhost.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "TCP port (0 picks a free one).", DefaultValueFactory = _ => 8080 };
        var apiKey = new Option<string?>("--api-key") { Description = "Require 'Authorization: Bearer KEY' on every endpoint but /health (default: $SPARK_API_KEY, else no key)." };
        var ctx = new Option<int?>("--ctx") { Description = "Context length in tokens, prompt and output together (default: the model's, at most 4096)." };
        var threads = new Option<int?>("--threads", "-t") { Description = "Worker threads (default: all cores)." };
        var maxBody = new Option<long>("--max-body-bytes") { Description = "Largest request body accepted; bigger ones get 413.", DefaultValueFactory = _ => new SparkServerOptions().MaxRequestBodyBytes };
        var command = new Command("serve", "Serve a model over the OpenAI API (POST /v1/responses and its WebSocket mode with steering, /v1/chat/completions, GET /v1/models, /metrics, /health).")
        {
            model, alias, host, port, apiKey, ctx, threads, maxBody,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            int portValue = parse.GetValue(port);
            if (portValue is < 0 or > 65535) throw new ArgumentException($"--port must be 0-65535, got {portValue}");
            if (parse.GetValue(threads) is < 1) throw new ArgumentException("--threads must be at least 1");
            if (parse.GetValue(maxBody) < 1024) throw new ArgumentException("--max-body-bytes must be at least 1024");

            string? path = parse.GetValue(model);
            string? name = parse.GetValue(alias);
            if (path is null)
            {
                path = DefaultModel.EnsureCreated(message => Console.Error.WriteLine(message));
                name ??= DefaultAlias;
                Console.Error.WriteLine($"note: serving Spark's built-in synthetic model as '{name}' ({path}); its weights are random, so its text is gibberish.");
                Console.Error.WriteLine("      serve a real GGUF with --model FILE.gguf (e.g. a Qwen2.5 or Llama 3.2 GGUF from Hugging Face).");
            }
            name ??= Path.GetFileNameWithoutExtension(path);
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("--alias must not be empty");

            var options = new SparkServerOptions
            {
                Host = parse.GetValue(host)!,
                Port = portValue,
                ApiKey = parse.GetValue(apiKey) ?? NonEmpty(Environment.GetEnvironmentVariable("SPARK_API_KEY")),
                MaxRequestBodyBytes = parse.GetValue(maxBody),
            };
            using var loaded = SparkModel.Load(path, new ModelLoadOptions { Threads = parse.GetValue(threads), ContextLength = parse.GetValue(ctx) });
            return Serve(loaded, name, options).GetAwaiter().GetResult();
        }));
        return command;
    }

    private static async Task<int> Serve(SparkModel model, string name, SparkServerOptions options)
    {
        using var loggers = LoggerFactory.Create(ConfigureLogging);
        using var backend = new LocalEngineBackend(model, name, loggers.CreateLogger("Spark.Engine"));
        backend.WarmUp(); // kernels compiled and weights paged in before the first request
        await using var app = SparkServer.Build(options, backend, ConfigureLogging);
        await app.StartAsync();
        foreach (string url in app.Urls)
            Console.Out.WriteLine($"spark serve: listening on {url} (model '{name}', context {model.ContextLength} tokens, {model.Threads} threads{(options.ApiKey is null ? "" : ", API key required")})");
        Console.Out.Flush();
        await app.WaitForShutdownAsync();
        return CliErrors.Ok;
    }

    // logs go to stderr: stdout carries only the URL line, for scripts
    private static void ConfigureLogging(ILoggingBuilder logging) => logging
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
        .AddSimpleConsole(o => o.SingleLine = true)
        .AddFilter("Microsoft", LogLevel.Warning)
        .AddFilter("Spark", LogLevel.Information);

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

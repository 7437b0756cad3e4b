using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spark.Engine.Inference;
using Spark.Cli.Hosting;
using Spark.Server.Hosting;
using Spark.Server.Config;
using Spark.Server.Storage;
using Spark.Engine.Models.Synthetic;

namespace Spark.Cli.Commands;

/// <summary>`spark serve`: the OpenAI-compatible server (Responses, Chat Completions, models) for one model.</summary>
internal static class ServeCommand
{
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
        var store = new Option<string>("--store") { Description = "Where finished responses are kept for previous_response_id and GET /v1/responses/{id}: sqlite (a file; servers naming the same file share conversations), redis (shared by every server using it) or memory (this process only).", DefaultValueFactory = _ => "sqlite" };
        var storePath = new Option<string?>("--store-path") { Description = "The SQLite file of --store sqlite (default: ~/.spark/responses.db, or $SPARK_HOME/responses.db)." };
        var redisUrl = new Option<string?>("--redis-url") { Description = "The Redis server of --store redis: redis://[:PASSWORD@]HOST[:PORT][/DB]." };
        var config = new Option<string?>("--config", "-c") { Description = "A spark.toml naming several models (local GGUF files and upstream servers), the store and the auto policy; see docs/routing.md. Flags given with it override its [server] settings." };
        var command = new Command("serve", "Serve a model over the OpenAI API (POST /v1/responses and its WebSocket mode with steering, /v1/chat/completions, GET /v1/models, /metrics, /health).")
        {
            model, alias, host, port, apiKey, ctx, threads, maxBody, store, storePath, redisUrl, config,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            int portValue = parse.GetValue(port);
            if (portValue is < 0 or > 65535) throw new ArgumentException($"--port must be 0-65535, got {portValue}");
            if (parse.GetValue(threads) is < 1) throw new ArgumentException("--threads must be at least 1");
            if (parse.GetValue(maxBody) < 1024) throw new ArgumentException("--max-body-bytes must be at least 1024");

            if (parse.GetValue(config) is { } configPath)
            {
                foreach (var modelOnly in new Option[] { model, alias, ctx, threads })
                    if (parse.GetResult(modelOnly) is { Implicit: false })
                        throw new ArgumentException($"{modelOnly.Name} cannot be combined with --config: set it in the [models.NAME] table of {configPath}");
                var file = SparkConfigReader.Load(configPath);
                bool Given(Option option) => parse.GetResult(option) is { Implicit: false };
                var configured = new SparkServerOptions
                {
                    Host = Given(host) ? parse.GetValue(host)! : file.Host ?? parse.GetValue(host)!,
                    Port = Given(port) ? portValue : file.Port ?? portValue,
                    ApiKey = parse.GetValue(apiKey) ?? ConfiguredApiKey(file),
                    MaxRequestBodyBytes = parse.GetValue(maxBody),
                    Store = Given(store) || Given(storePath) || Given(redisUrl) || file.Store is null
                        ? StoreOptions(parse.GetValue(store)!, parse.GetValue(storePath), parse.GetValue(redisUrl))
                        : file.Store with { SqlitePath = file.Store.Kind == ResponseStoreKind.Sqlite ? file.Store.SqlitePath ?? Path.Join(DefaultModel.HomeDirectory, "responses.db") : null },
                };
                string? builtIn = file.Models.Any(m => m is { Upstream: null, Path: null }) ? DefaultModel.EnsureCreated(Console.Error.WriteLine) : null;
                return ServeConfig(file, configured, builtIn).GetAwaiter().GetResult();
            }

            var (path, name) = ServedModel.Resolve(parse.GetValue(model), parse.GetValue(alias), Console.Error.WriteLine);
            if (parse.GetValue(model) is null)
                Console.Error.WriteLine("      to serve several models (local files, vLLM/SGLang/Ollama or cloud APIs, 'auto' routing), write a spark.toml and run spark serve --config spark.toml (docs/routing.md).");

            var options = new SparkServerOptions
            {
                Host = parse.GetValue(host)!,
                Port = portValue,
                ApiKey = parse.GetValue(apiKey) ?? NonEmpty(Environment.GetEnvironmentVariable("SPARK_API_KEY")),
                MaxRequestBodyBytes = parse.GetValue(maxBody),
                Store = StoreOptions(parse.GetValue(store)!, parse.GetValue(storePath), parse.GetValue(redisUrl)),
            };
            var load = new ModelLoadOptions { Threads = parse.GetValue(threads), ContextLength = parse.GetValue(ctx) };
            return Serve(path, name, load, options).GetAwaiter().GetResult();
        }));
        return command;
    }

    /// <summary>The response store the flags describe; a flag that does not belong to the chosen store is an error, not ignored.</summary>
    private static ResponseStoreOptions StoreOptions(string kindText, string? path, string? redisUrl)
    {
        var kind = ResponseStoreOptions.ParseKind(kindText, "--store");
        if (path is not null && kind != ResponseStoreKind.Sqlite) throw new ArgumentException($"--store-path is for --store sqlite, but --store is {kindText}");
        if (redisUrl is not null && kind != ResponseStoreKind.Redis) throw new ArgumentException($"--redis-url is for --store redis, but --store is {kindText}; add --store redis");
        if (kind == ResponseStoreKind.Redis && string.IsNullOrWhiteSpace(redisUrl)) throw new ArgumentException("--store redis needs --redis-url redis://HOST:PORT");
        return new ResponseStoreOptions
        {
            Kind = kind,
            SqlitePath = kind == ResponseStoreKind.Sqlite ? path ?? Path.Join(DefaultModel.HomeDirectory, "responses.db") : null,
            RedisUrl = redisUrl,
        };
    }

    private static async Task<int> ServeConfig(SparkConfig config, SparkServerOptions options, string? builtInModel)
    {
        await using var server = await ConfiguredHost.StartAsync(config, options, builtInModel, ConfigureLogging);
        foreach (string url in server.App.Urls)
            Console.Out.WriteLine($"spark serve: listening on {url} ({config.Models.Count} models from {config.Path}{(options.ApiKey is null ? "" : ", API key required")})");
        foreach (string line in server.Summary) Console.Error.WriteLine($"  {line}");
        Console.Out.Flush();
        await server.App.WaitForShutdownAsync();
        return CliErrors.Ok;
    }

    private static async Task<int> Serve(string path, string name, ModelLoadOptions load, SparkServerOptions options)
    {
        await using var server = await LocalModelHost.StartAsync(path, name, load, options, ConfigureLogging);
        foreach (string url in server.App.Urls)
            Console.Out.WriteLine($"spark serve: listening on {url} (model '{name}', context {server.Model.ContextLength} tokens, {server.Model.Threads} threads{(options.ApiKey is null ? "" : ", API key required")})");
        Console.Out.Flush();
        await server.App.WaitForShutdownAsync();
        return CliErrors.Ok;
    }

    // logs go to stderr: stdout carries only the URL line, for scripts
    private static void ConfigureLogging(ILoggingBuilder logging) => logging
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
        .AddSimpleConsole(o => o.SingleLine = true)
        .AddFilter("Microsoft", LogLevel.Warning)
        .AddFilter("Spark", LogLevel.Information);

    // a config that names the key's variable means "require a key": an unset variable must not silently open the server
    private static string? ConfiguredApiKey(SparkConfig file)
    {
        if (file.ApiKeyEnv is not { } name) return NonEmpty(Environment.GetEnvironmentVariable("SPARK_API_KEY"));
        return NonEmpty(Environment.GetEnvironmentVariable(name))
            ?? throw new ConfigException($"{file.Path}: [server] api_key_env = \"{name}\" but ${name} is not set; export it (clients must then send it as a bearer token), or remove api_key_env");
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

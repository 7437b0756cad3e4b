using Spark.Server.Backends;
using Spark.Server.Routing;
using Spark.Server.Storage;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Spark.Server.Config;

/// <summary>
/// Reads <c>spark.toml</c> strictly: TOML syntax errors, unknown tables or keys and values of the wrong type are
/// errors naming the file, the line and key, and what is accepted — a typo never silently falls back to a default.
/// </summary>
public static class SparkConfigReader
{
    private static readonly string[] ServerKeys = ["host", "port", "api_key_env", "store", "store_path", "redis_url"];
    private static readonly string[] LocalKeys = ["backend", "path", "ctx", "threads"];
    private static readonly string[] UpstreamKeys = ["backend", "base_url", "replicas", "env_key", "model", "ctx", "connect_timeout", "first_token_timeout", "idle_timeout", "health_interval", "websocket"];
    private static readonly string[] AutoKeys = ["fast", "full", "keywords", "tools_over", "prompt_chars_over", "full_efforts", "fast_efforts", "escalate"];

    /// <summary>Reads and checks <paramref name="path"/>; <paramref name="environment"/> resolves <c>env_key</c>s (default: the process environment).</summary>
    /// <exception cref="ConfigException">The file is missing or wrong; the message says where and how to fix it.</exception>
    public static SparkConfig Load(string path, Func<string, string?>? environment = null)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new ConfigException($"{full}: no such config file (pass --config FILE; see docs/routing.md for an example)");
        return Parse(File.ReadAllText(full), full, environment ?? Environment.GetEnvironmentVariable);
    }

    /// <summary>Parses config text; <paramref name="path"/> names it in errors.</summary>
    public static SparkConfig Parse(string text, string path, Func<string, string?> environment)
    {
        var doc = SyntaxParser.Parse(text, path, true);
        if (doc.HasErrors)
            throw new ConfigException($"{path}: not valid TOML: " + string.Join("; ", doc.Diagnostics.Where(d => d.Kind == DiagnosticMessageKind.Error).Take(3).Select(d => $"line {d.Span.Start.Line + 1}: {d.Message}")));
        var reader = new Reader(path, environment);
        foreach (var kv in doc.KeyValues)
            throw reader.Error(kv, $"'{KeyText(kv.Key!)}' must be inside a table: [server], [models.NAME] or [auto]");

        string? host = null, apiKeyEnv = null;
        int? port = null;
        ResponseStoreOptions? store = null;
        AutoPolicy? auto = null;
        var models = new List<ModelConfig>();
        foreach (var table in doc.Tables)
        {
            var name = KeyParts(table.Name!);
            int line = table.Span.Start.Line + 1;
            if (table is TableArraySyntax)
                throw new ConfigException($"{path}:{line}: [[{string.Join('.', name)}]] arrays of tables are not used; write [models.NAME] tables");
            switch (name)
            {
                case ["server"]:
                    (host, port, apiKeyEnv, store) = reader.Server(table);
                    break;
                case ["auto"]:
                    auto = reader.Auto(table);
                    break;
                case ["models", var alias]:
                    if (models.Any(m => m.Alias == alias)) throw new ConfigException($"{path}:{line}: [models.{alias}] is defined twice");
                    models.Add(reader.Model(alias, table));
                    break;
                case ["models"]:
                    throw new ConfigException($"{path}:{line}: [models] needs a name: write [models.NAME], e.g. [models.spark], one table per model");
                default:
                    throw new ConfigException($"{path}:{line}: unknown table [{string.Join('.', name)}]; spark.toml has [server], [models.NAME] and [auto]");
            }
        }
        if (models.Count == 0) throw new ConfigException($"{path}: no models; add at least one [models.NAME] table, e.g. [models.spark] with backend = \"local\"");
        return new SparkConfig { Path = path, Host = host, Port = port, ApiKeyEnv = apiKeyEnv, Store = store, Models = models, Auto = auto };
    }

    private static string[] KeyParts(KeySyntax key) => [KeyText(key.Key!), .. (key.DotKeys ?? []).Select(d => KeyText(d.Key!))];

    private static string KeyText(KeySyntax key) => string.Join('.', KeyParts(key));

    private static string KeyText(SyntaxNode part) => part switch
    {
        BareKeySyntax bare => bare.Key!.Text!,
        StringValueSyntax quoted => quoted.Value!,
        _ => part.ToString()!,
    };

    private sealed class Reader(string path, Func<string, string?> environment)
    {
        public ConfigException Error(SyntaxNode node, string message) => new($"{path}:{node.Span.Start.Line + 1}: {message}");

        private IEnumerable<(string Key, KeyValueSyntax Node)> Items(TableSyntaxBase table, string section, string[] allowed)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var kv in table.Items.OfType<KeyValueSyntax>())
            {
                string key = KeyText(kv.Key!);
                if (!allowed.Contains(key))
                    throw Error(kv, $"unknown key '{key}' in [{section}]; allowed: {string.Join(", ", allowed)}");
                if (!seen.Add(key)) throw Error(kv, $"'{key}' appears twice in [{section}]");
                yield return (key, kv);
            }
        }

        public (string?, int?, string?, ResponseStoreOptions?) Server(TableSyntaxBase table)
        {
            string? host = null, apiKeyEnv = null, storeKind = null, storePath = null, redisUrl = null;
            int? port = null;
            KeyValueSyntax? storeNode = null;
            foreach (var (key, kv) in Items(table, "server", ServerKeys))
            {
                switch (key)
                {
                    case "host": host = String(kv, "server"); break;
                    case "port":
                        port = Int(kv, "server");
                        if (port is < 0 or > 65535) throw Error(kv, $"[server] port must be 0-65535, got {port}");
                        break;
                    case "api_key_env": apiKeyEnv = String(kv, "server"); break;
                    case "store": storeKind = String(kv, "server"); storeNode = kv; break;
                    case "store_path": storePath = String(kv, "server"); break;
                    case "redis_url": redisUrl = String(kv, "server"); break;
                }
            }
            ResponseStoreOptions? store = null;
            if (storeKind is not null || storePath is not null || redisUrl is not null)
            {
                ResponseStoreKind kind;
                try
                {
                    kind = storeKind is null ? ResponseStoreKind.Sqlite : ResponseStoreOptions.ParseKind(storeKind, "[server] store");
                }
                catch (ArgumentException e)
                {
                    throw Error(storeNode!, e.Message);
                }
                if (kind == ResponseStoreKind.Redis && redisUrl is null) throw Error(storeNode!, "[server] store = \"redis\" needs redis_url = \"redis://HOST:PORT\"");
                store = new ResponseStoreOptions { Kind = kind, SqlitePath = storePath, RedisUrl = redisUrl };
            }
            return (host, port, apiKeyEnv, store);
        }

        public ModelConfig Model(string alias, TableSyntaxBase table)
        {
            string section = $"models.{alias}";
            var backendNode = table.Items.OfType<KeyValueSyntax>().FirstOrDefault(kv => KeyText(kv.Key!) == "backend")
                ?? throw new ConfigException($"{path}:{table.Span.Start.Line + 1}: [{section}] needs backend = \"local\", \"openai-chat\" or \"openai-responses\"");
            string backend = String(backendNode, section);
            switch (backend)
            {
                case "local":
                {
                    string? file = null;
                    int? ctx = null, threads = null;
                    foreach (var (key, kv) in Items(table, section, LocalKeys))
                    {
                        switch (key)
                        {
                            case "path": file = String(kv, section); break;
                            case "ctx": ctx = Positive(kv, section); break;
                            case "threads": threads = Positive(kv, section); break;
                        }
                    }
                    if (file is not null && !System.IO.Path.IsPathRooted(file)) file = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, file);
                    return new ModelConfig { Alias = alias, Backend = backend, Path = file, Ctx = ctx, Threads = threads };
                }
                case "openai-chat" or "openai-responses":
                    return Upstream(alias, section, backend, table);
                default:
                    throw Error(backendNode, $"[{section}] backend = \"{backend}\" is unknown; use \"local\", \"openai-chat\" or \"openai-responses\"");
            }
        }

        private ModelConfig Upstream(string alias, string section, string backend, TableSyntaxBase table)
        {
            var replicas = new List<Uri>();
            string? envKey = null, model = null;
            int? ctx = null;
            KeyValueSyntax? envNode = null;
            bool hasBaseUrl = false, hasReplicas = false;
            var options = new UpstreamOptions { Alias = alias, Protocol = backend == "openai-chat" ? UpstreamProtocol.Chat : UpstreamProtocol.Responses, Replicas = [] };
            foreach (var (key, kv) in Items(table, section, UpstreamKeys))
            {
                switch (key)
                {
                    case "base_url":
                        hasBaseUrl = true;
                        replicas.Add(Url(kv, String(kv, section), section));
                        break;
                    case "replicas":
                        hasReplicas = true;
                        foreach (string url in Strings(kv, section)) replicas.Add(Url(kv, url, section));
                        if (replicas.Count == 0) throw Error(kv, $"[{section}] replicas is empty; list at least one URL");
                        break;
                    case "env_key": envKey = String(kv, section); envNode = kv; break;
                    case "model": model = String(kv, section); break;
                    case "ctx": ctx = Positive(kv, section); break;
                    case "connect_timeout": options = options with { ConnectTimeout = Seconds(kv, section) }; break;
                    case "first_token_timeout": options = options with { FirstTokenTimeout = Seconds(kv, section) }; break;
                    case "idle_timeout": options = options with { IdleTimeout = Seconds(kv, section) }; break;
                    case "health_interval": options = options with { HealthInterval = Seconds(kv, section) }; break;
                    case "websocket":
                        if (backend != "openai-responses") throw Error(kv, $"[{section}] websocket applies to backend = \"openai-responses\" only");
                        options = options with { WebSocket = Bool(kv, section) };
                        break;
                }
            }
            if (hasBaseUrl && hasReplicas) throw new ConfigException($"{path}:{table.Span.Start.Line + 1}: [{section}] has both base_url and replicas; use base_url for one server or replicas = [...] for several");
            if (replicas.Count == 0) throw new ConfigException($"{path}:{table.Span.Start.Line + 1}: [{section}] needs base_url = \"http://HOST:PORT/v1\" (or replicas = [\"http://…/v1\", …])");
            string? apiKey = null;
            if (envKey is not null)
            {
                apiKey = environment(envKey);
                if (string.IsNullOrEmpty(apiKey)) throw Error(envNode!, $"[{section}] env_key = \"{envKey}\" but ${envKey} is not set; export it before starting, or remove env_key for a server without a key");
            }
            return new ModelConfig
            {
                Alias = alias,
                Backend = backend,
                Ctx = ctx,
                Upstream = options with { Replicas = replicas, ApiKeyEnv = envKey, ApiKey = apiKey, Model = model, ContextLength = ctx ?? 0 },
            };
        }

        public AutoPolicy Auto(TableSyntaxBase table)
        {
            var auto = new AutoPolicy();
            foreach (var (key, kv) in Items(table, "auto", AutoKeys))
            {
                auto = key switch
                {
                    "fast" => auto with { Fast = String(kv, "auto") },
                    "full" => auto with { Full = String(kv, "auto") },
                    "keywords" => auto with { Keywords = Strings(kv, "auto") },
                    "full_efforts" => auto with { FullEfforts = Strings(kv, "auto") },
                    "fast_efforts" => auto with { FastEfforts = Strings(kv, "auto") },
                    "tools_over" => auto with { ToolsOver = NonNegative(kv, "auto") },
                    "prompt_chars_over" => auto with { PromptCharsOver = NonNegative(kv, "auto") },
                    "escalate" => auto with { Escalate = Bool(kv, "auto") },
                    _ => auto,
                };
            }
            return auto;
        }

        private Uri Url(KeyValueSyntax kv, string text, string section)
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw Error(kv, $"[{section}] '{text}' is not an http(s) URL; write the server's API base, e.g. \"http://127.0.0.1:8000/v1\"");
            return uri;
        }

        private string String(KeyValueSyntax kv, string section) => kv.Value is StringValueSyntax s ? s.Value! : throw TypeError(kv, section, "a string, e.g. \"text\"");

        private long Long(KeyValueSyntax kv, string section) => kv.Value is IntegerValueSyntax i ? i.Value : throw TypeError(kv, section, "an integer");

        private int Int(KeyValueSyntax kv, string section)
        {
            long value = Long(kv, section);
            return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw Error(kv, $"[{section}] {KeyText(kv.Key!)} = {value} is out of range");
        }

        private int Positive(KeyValueSyntax kv, string section)
        {
            int value = Int(kv, section);
            return value >= 1 ? value : throw Error(kv, $"[{section}] {KeyText(kv.Key!)} must be at least 1, got {value}");
        }

        private int NonNegative(KeyValueSyntax kv, string section)
        {
            int value = Int(kv, section);
            return value >= 0 ? value : throw Error(kv, $"[{section}] {KeyText(kv.Key!)} must be 0 or more, got {value}");
        }

        private TimeSpan Seconds(KeyValueSyntax kv, string section)
        {
            double seconds = kv.Value switch
            {
                IntegerValueSyntax i => i.Value,
                FloatValueSyntax f => f.Value,
                _ => throw TypeError(kv, section, "a number of seconds, e.g. 5 or 0.5"),
            };
            return seconds > 0 && seconds <= 86_400 ? TimeSpan.FromSeconds(seconds) : throw Error(kv, $"[{section}] {KeyText(kv.Key!)} must be between 0 and 86400 seconds, got {seconds}");
        }

        private bool Bool(KeyValueSyntax kv, string section) => kv.Value is BooleanValueSyntax b ? b.Value : throw TypeError(kv, section, "true or false");

        private string[] Strings(KeyValueSyntax kv, string section)
        {
            if (kv.Value is not ArraySyntax array) throw TypeError(kv, section, "a list of strings, e.g. [\"a\", \"b\"]");
            return array.Items.Select(item => item.Value is StringValueSyntax s ? s.Value! : throw TypeError(kv, section, "a list of strings, e.g. [\"a\", \"b\"]")).ToArray();
        }

        private ConfigException TypeError(KeyValueSyntax kv, string section, string expected) =>
            Error(kv, $"[{section}] {KeyText(kv.Key!)} must be {expected}, got {kv.Value?.ToString()?.Trim()}");
    }
}

using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Parsing;

namespace Spark.Cli.AgentHost;

/// <summary>
/// Reads <c>~/.spark/config.toml</c>. Keys Spark does not use (Codex has many more) are ignored, so an existing Codex
/// config works; the keys it does use are checked, and a wrong type or value is an error naming the file and the key.
/// </summary>
internal static class AgentConfigReader
{
    /// <summary>The config at <paramref name="path"/>, or <see cref="AgentConfig.Empty"/> when there is no such file.</summary>
    /// <exception cref="InvalidDataException">The file is not valid TOML or a key Spark uses has a wrong value.</exception>
    public static AgentConfig Load(string path) => File.Exists(path) ? Parse(File.ReadAllText(path), path) : AgentConfig.Empty;

    public static AgentConfig Parse(string text, string path)
    {
        TomlTable table;
        try
        {
            SyntaxParser.ParseStrict(text, path, validate: true);
            table = TomlSerializer.Deserialize<TomlTable>(text, new TomlSerializerOptions { SourceName = path }) ?? new TomlTable();
        }
        catch (TomlException e)
        {
            string where = e.Line is { } line ? $":{line}" + (e.Column is { } column ? $":{column}" : "") : "";
            int newline = e.Message.IndexOf('\n');
            throw new InvalidDataException($"{path}{where}: not valid TOML: {(newline < 0 ? e.Message : e.Message[..newline])}", e);
        }
        var providers = new Dictionary<string, ModelProvider>(StringComparer.Ordinal);
        foreach (var (name, value) in Table(table, "model_providers", path, "model_providers"))
        {
            string key = $"model_providers.{name}";
            var provider = value as TomlTable ?? throw new InvalidDataException($"{path}: [{key}] must be a table with base_url (and env_key, wire_api)");
            string baseUrl = String(provider, "base_url", path, key)
                ?? throw new InvalidDataException($"{path}: [{key}] needs base_url, e.g. base_url = \"http://127.0.0.1:8080/v1\"");
            string wire = String(provider, "wire_api", path, key) ?? "responses";
            if (wire is not ("responses" or "chat"))
                throw new InvalidDataException($"{path}: {key}.wire_api = \"{wire}\" is not known; use \"responses\" (or \"chat\", which Spark's agent does not support)");
            bool websockets = provider.TryGetValue("supports_websockets", out var ws)
                ? ws as bool? ?? throw new InvalidDataException($"{path}: {key}.supports_websockets must be true or false")
                : true;
            providers[name] = new ModelProvider(name, baseUrl, String(provider, "env_key", path, key), wire, websockets);
        }
        var profiles = new Dictionary<string, AgentDefaults>(StringComparer.Ordinal);
        foreach (var (name, value) in Table(table, "profiles", path, "profiles"))
        {
            var profile = value as TomlTable ?? throw new InvalidDataException($"{path}: [profiles.{name}] must be a table");
            profiles[name] = Defaults(profile, path, $"profiles.{name}");
        }
        return new AgentConfig(path, Defaults(table, path, null), providers, profiles);
    }

    private static AgentDefaults Defaults(TomlTable table, string path, string? prefix) => new(
        String(table, "model", path, prefix),
        String(table, "model_provider", path, prefix),
        String(table, "approval_policy", path, prefix),
        String(table, "sandbox_mode", path, prefix));

    private static IEnumerable<KeyValuePair<string, object>> Table(TomlTable table, string key, string path, string name)
    {
        if (!table.TryGetValue(key, out var value)) return [];
        return value as TomlTable ?? throw new InvalidDataException($"{path}: {name} must be a table ([{name}.NAME] sections)");
    }

    private static string? String(TomlTable table, string key, string path, string? prefix)
    {
        if (!table.TryGetValue(key, out var value)) return null;
        string full = prefix is null ? key : $"{prefix}.{key}";
        return value is string s && s.Trim().Length > 0
            ? s.Trim()
            : throw new InvalidDataException($"{path}: {full} must be a non-empty string (in quotes)");
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Spark.Agent.Policy;

/// <summary>
/// The approvals a user gave "for this project", saved as JSON under the user's Spark folder — keyed by the
/// workspace path, never inside the repository, so a cloned repository cannot pre-approve its own commands.
/// </summary>
public sealed class ProjectRuleStore(string filePath)
{
    /// <summary>The JSON file.</summary>
    public string FilePath { get; } = filePath;

    /// <summary>The standard location: <c>SPARK_HOME/projects/NAME-HASH/approvals.json</c>.</summary>
    public static ProjectRuleStore ForWorkspace(string sparkHome, Workspace workspace)
    {
        string name = Path.GetFileName(workspace.Root);
        if (name.Length == 0) name = "root";
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(workspace.Root)))[..12];
        return new ProjectRuleStore(Path.Join(sparkHome, "projects", $"{name}-{hash}", "approvals.json"));
    }

    /// <summary>The saved rules (none when the file does not exist).</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a valid rule file.</exception>
    public IReadOnlyList<ApprovalRule> Load()
    {
        if (!File.Exists(FilePath)) return [];
        StoredRules? stored;
        try
        {
            stored = JsonSerializer.Deserialize(File.ReadAllText(FilePath), PolicyJsonContext.Default.StoredRules);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The approvals file '{FilePath}' is not valid JSON ({e.Message}); fix or delete it.");
        }
        var rules = new List<ApprovalRule>();
        foreach (var r in stored?.Rules ?? [])
        {
            RuleEffect effect = r.Effect switch
            {
                "allow" => RuleEffect.Allow,
                "deny" => RuleEffect.Deny,
                _ => throw new InvalidDataException($"The approvals file '{FilePath}' has a rule with effect '{r.Effect}'; use allow or deny."),
            };
            if (string.IsNullOrEmpty(r.Tool)) throw new InvalidDataException($"The approvals file '{FilePath}' has a rule without a tool.");
            rules.Add(new ApprovalRule { Effect = effect, Tool = r.Tool, CommandPrefix = r.Prefix, ExactCommand = r.Exact });
        }
        return rules;
    }

    /// <summary>Adds a rule and rewrites the file (through a temporary file, so a crash never leaves half a file).</summary>
    public void Add(ApprovalRule rule)
    {
        var rules = Load().Where(r => !r.Equals(rule)).Append(rule);
        var stored = new StoredRules([.. rules.Select(r => new StoredRule(
            r.Effect == RuleEffect.Allow ? "allow" : "deny", r.Tool, r.CommandPrefix?.ToList(), r.ExactCommand))]);
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        string temp = FilePath + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(stored, PolicyJsonContext.Default.StoredRules));
        File.Move(temp, FilePath, overwrite: true);
    }
}

internal sealed record StoredRules(List<StoredRule> Rules);

internal sealed record StoredRule(
    string Effect,
    string Tool,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] List<string>? Prefix,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Exact);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(StoredRules))]
internal sealed partial class PolicyJsonContext : JsonSerializerContext;

using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Parsing;

namespace Spark.Bench.Agent;

/// <summary>
/// Reads <c>task.toml</c> strictly: exactly the keys <c>instruction</c> (a non-empty string) and <c>timeout_s</c>
/// (whole seconds, 1-86400). An unknown key is an error rather than ignored, so a misspelt <c>timeout</c> cannot
/// silently leave a task without its limit.
/// </summary>
public static class AgentTaskFile
{
    private static readonly string[] Keys = ["instruction", "timeout_s"];

    /// <summary>Parses the task folder's <c>task.toml</c>.</summary>
    /// <exception cref="InvalidDataException">The file is not valid TOML, misses a key, has an unknown one, or a value of the wrong type; the message names the file and the key.</exception>
    public static AgentTask Parse(string taskDirectory)
    {
        string path = Path.Combine(taskDirectory, AgentTask.TomlFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: missing; every task folder needs a task.toml with instruction and timeout_s", path);
        return Parse(File.ReadAllText(path), path, Path.GetFullPath(taskDirectory));
    }

    /// <summary>Parses <paramref name="text"/> as the task.toml at <paramref name="path"/> (used in messages).</summary>
    public static AgentTask Parse(string text, string path, string taskDirectory)
    {
        TomlTable table;
        try
        {
            // the syntax tree with semantic validation first: the model binder lets a repeated key win silently
            SyntaxParser.ParseStrict(text, path, validate: true);
            table = TomlSerializer.Deserialize<TomlTable>(text, new TomlSerializerOptions { SourceName = path })
                ?? throw new InvalidDataException($"{path}: empty; it needs instruction and timeout_s");
        }
        catch (TomlException e)
        {
            string where = e.Line is { } line ? $":{line}" + (e.Column is { } column ? $":{column}" : "") : "";
            throw new InvalidDataException($"{path}{where}: not valid TOML: {FirstLine(e.Message)}", e);
        }
        foreach (var (key, _) in table)
            if (Array.IndexOf(Keys, key) < 0)
                throw new InvalidDataException($"{path}: unknown key '{key}'; task.toml takes only {string.Join(" and ", Keys)}");

        if (!table.TryGetValue("instruction", out object? instruction))
            throw new InvalidDataException($"{path}: missing key 'instruction' (what the agent is asked to do, a string)");
        if (instruction is not string text2 || string.IsNullOrWhiteSpace(text2))
            throw new InvalidDataException($"{path}: key 'instruction' must be a non-empty string; got {Describe(instruction)}");

        if (!table.TryGetValue("timeout_s", out object? timeout))
            throw new InvalidDataException($"{path}: missing key 'timeout_s' (seconds the agent may run, e.g. timeout_s = 300)");
        if (timeout is not long seconds || seconds is < 1 or > 86_400)
            throw new InvalidDataException($"{path}: key 'timeout_s' must be a whole number of seconds from 1 to 86400; got {Describe(timeout)}");

        return new AgentTask(Path.GetFileName(taskDirectory.TrimEnd(Path.DirectorySeparatorChar)), taskDirectory, text2.Trim(), (int)seconds);
    }

    private static string Describe(object? value) => value switch
    {
        null => "nothing",
        string s => $"the string \"{s}\"",
        long or double => $"the number {value}",
        bool b => b ? "true" : "false",
        TomlTable => "a table",
        TomlArray => "an array",
        _ => $"a {value.GetType().Name}",
    };

    private static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n');
        return newline < 0 ? message : message[..newline];
    }
}

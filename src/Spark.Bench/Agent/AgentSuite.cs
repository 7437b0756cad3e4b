namespace Spark.Bench.Agent;

/// <summary>A folder of task folders, each checked when the suite is loaded so a broken one fails before any agent runs.</summary>
public static class AgentSuite
{
    /// <summary>Loads every task folder under <paramref name="directory"/>, in name order (folders starting with '.' are skipped).</summary>
    /// <exception cref="DirectoryNotFoundException">The suite folder does not exist.</exception>
    /// <exception cref="InvalidDataException">A task folder misses a file or has a bad task.toml; the message names it.</exception>
    public static IReadOnlyList<AgentTask> Load(string directory)
    {
        string root = Path.GetFullPath(directory);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"--suite {directory}: no such folder (it should hold one folder per task, e.g. bench/tasks)");
        var tasks = new List<AgentTask>();
        foreach (string folder in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(folder).StartsWith('.')) continue;
            foreach (string script in new[] { AgentTask.TomlFile, AgentTask.SetupScript, AgentTask.CheckScript })
                if (!File.Exists(Path.Combine(folder, script)))
                    throw new InvalidDataException($"{Path.Combine(folder, script)}: missing; a task folder needs task.toml, setup and check");
            tasks.Add(AgentTaskFile.Parse(folder));
        }
        if (tasks.Count == 0) throw new InvalidDataException($"--suite {directory}: no task folders in it (each task is a folder with task.toml, setup and check)");
        return tasks;
    }
}

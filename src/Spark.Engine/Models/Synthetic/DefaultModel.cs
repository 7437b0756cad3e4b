using Spark.Engine.Gguf;
using Spark.Engine.Tensors;

namespace Spark.Engine.Models.Synthetic;

/// <summary>
/// The model Spark runs when none is given (the README's first command): a tiny synthetic llama model with a fixed
/// seed, written on first use under <c>~/.spark/models</c> (or <c>$SPARK_HOME/models</c>) and reused afterwards.
/// </summary>
public static class DefaultModel
{
    /// <summary>The spec of the default model.</summary>
    public static SyntheticModelSpec Spec { get; } = new("llama", "tiny", GgmlType.F16, Seed: 1);

    /// <summary>
    /// File name of the default model inside the models folder. The suffix changes whenever the tiny shape does (v2: an
    /// 8K trained context, room for the agent's tool declarations), so a file cached by an older Spark is not reused.
    /// </summary>
    public const string FileName = "spark-synthetic-tiny-llama-f16-seed1-v2.gguf";

    /// <summary>The folder Spark keeps its state in: <c>$SPARK_HOME</c>, else <c>~/.spark</c>.</summary>
    public static string HomeDirectory
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable("SPARK_HOME");
            return !string.IsNullOrWhiteSpace(env)
                ? Path.GetFullPath(env)
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".spark");
        }
    }

    /// <summary>Where the default model lives (whether or not it exists yet).</summary>
    public static string PathOnDisk => Path.Combine(HomeDirectory, "models", FileName);

    /// <summary>
    /// Returns the path of the default model, writing it first when it is missing or unreadable (truncated, corrupt).
    /// Safe when several processes race: each writes its own temporary file and renames it into place, and the
    /// bytes are identical whoever wins. <paramref name="log"/> hears one line when the model is (re)created.
    /// </summary>
    public static string EnsureCreated(Action<string>? log = null)
    {
        string path = PathOnDisk;
        if (IsUsable(path)) return path;
        log?.Invoke(File.Exists(path)
            ? $"default model at {path} is unreadable; re-creating it"
            : $"creating the default model at {path}");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            SyntheticModel.Write(Spec, temp);
            File.Move(temp, path, overwrite: true);
        }
        catch (IOException) when (IsUsable(path))
        {
            // another process renamed its identical copy into place first (or holds it open): use that one
        }
        catch (UnauthorizedAccessException) when (IsUsable(path))
        {
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return path;
    }

    /// <summary>True when <paramref name="path"/> is a complete default model.</summary>
    internal static bool IsUsable(string path)
    {
        if (!File.Exists(path)) return false;
        try
        {
            using var file = GgufFile.Open(path);
            return file.Metadata.GetString("general.name")?.StartsWith("spark-synthetic tiny", StringComparison.Ordinal) == true
                && file.FindTensor("output_norm.weight") != null;
        }
        catch (Exception e) when (e is GgufFormatException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }
}

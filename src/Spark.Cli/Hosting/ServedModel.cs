using Spark.Engine.Models.Synthetic;

namespace Spark.Cli.Hosting;

/// <summary>Which model a command that serves one (serve, exec, bench latency) loads, and the name it is served as.</summary>
internal static class ServedModel
{
    /// <summary>The model name the built-in default model is served as.</summary>
    public const string DefaultAlias = "spark";

    /// <summary>
    /// The model file and name to serve: <paramref name="path"/> named by <paramref name="alias"/> (default: the file
    /// name), or, without a path, the built-in synthetic model (created on first use) as <c>spark</c>, with a note
    /// that its text is gibberish.
    /// </summary>
    public static (string Path, string Name) Resolve(string? path, string? alias, Action<string> note)
    {
        if (path is null)
        {
            path = DefaultModel.EnsureCreated(note);
            alias ??= DefaultAlias;
            note($"note: serving Spark's built-in synthetic model as '{alias}' ({path}); its weights are random, so its text is gibberish.");
            note("      serve a real GGUF with --model FILE.gguf (e.g. a Qwen2.5 or Llama 3.2 GGUF from Hugging Face).");
        }
        alias ??= System.IO.Path.GetFileNameWithoutExtension(path);
        if (string.IsNullOrWhiteSpace(alias)) throw new ArgumentException("--alias must not be empty");
        return (path, alias);
    }
}

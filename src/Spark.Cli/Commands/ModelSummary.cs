using System.Globalization;
using System.Text;
using Spark.Engine.Gguf;

namespace Spark.Cli.Commands;

/// <summary>Formats what `spark model info` shows about a GGUF file.</summary>
internal static class ModelSummary
{
    public static string Describe(GgufFile gguf)
    {
        var m = gguf.Metadata;
        var sb = new StringBuilder();
        string arch = m.GetString("general.architecture") ?? "(none)";
        void Line(string label, object? value) => sb.Append(CultureInfo.InvariantCulture, $"{label,-16}{value}\n");

        Line("file", gguf.Path);
        Line("gguf version", gguf.Version);
        if (m.GetString("general.name") is { } name) Line("name", name);
        Line("architecture", arch);
        long parameters = gguf.Tensors.Sum(t => t.ElementCount);
        Line("parameters", FormatCount(parameters));
        Line("file size", $"{gguf.Length / (1024.0 * 1024.0):F1} MiB ({gguf.Length:N0} bytes)");
        Line("context length", m.GetInteger($"{arch}.context_length")?.ToString(CultureInfo.InvariantCulture) ?? "(not set)");
        if (m.GetInteger($"{arch}.block_count") is { } layers)
        {
            Line("layers", layers);
            Line("embedding", m.GetInteger($"{arch}.embedding_length"));
            Line("feed forward", m.GetInteger($"{arch}.feed_forward_length"));
            long? heads = m.GetInteger($"{arch}.attention.head_count");
            Line("heads", $"{heads} (kv {m.GetInteger($"{arch}.attention.head_count_kv") ?? heads})");
        }
        var types = gguf.Tensors.GroupBy(t => t.Type).OrderByDescending(g => g.Sum(t => t.ByteSize))
            .Select(g => $"{g.Key} ×{g.Count()}");
        Line("tensors", $"{gguf.Tensors.Count}: {string.Join(", ", types)}");
        string? model = m.GetString("tokenizer.ggml.model");
        int vocab = m.GetStringArray("tokenizer.ggml.tokens")?.Length ?? 0;
        string pre = m.GetString("tokenizer.ggml.pre") is { } p ? $", pre-tokenizer {p}" : "";
        Line("vocabulary", model is null ? "(none)" : $"{vocab:N0} tokens, {model}{pre}");
        Line("chat template", m.ContainsKey("tokenizer.chat_template") ? "present" : "absent");
        return sb.ToString();
    }

    private static string FormatCount(long n) => n switch
    {
        >= 1_000_000_000 => $"{n / 1e9:F2} B ({n:N0})",
        >= 1_000_000 => $"{n / 1e6:F2} M ({n:N0})",
        >= 1_000 => $"{n / 1e3:F1} K ({n:N0})",
        _ => n.ToString(CultureInfo.InvariantCulture),
    };
}

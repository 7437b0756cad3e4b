using System.CommandLine;
using System.Globalization;
using Spark.Engine.Gguf;
using Spark.Engine.Models.Synthetic;
using Spark.Engine.Tensors;

namespace Spark.Cli.Commands;

/// <summary>`spark model info` and `spark model synth`.</summary>
internal static class ModelCommand
{
    public static Command Create()
    {
        var model = new Command("model", "Inspect GGUF models and create synthetic ones.");
        model.Subcommands.Add(CreateInfo());
        model.Subcommands.Add(CreateSynth());
        return model;
    }

    private static Command CreateInfo()
    {
        var file = new Argument<string>("FILE") { Description = "A GGUF model file." };
        var info = new Command("info", "Show a GGUF model's architecture, size, tensor types, context length, vocabulary and chat template.");
        info.Arguments.Add(file);
        info.SetAction(parse => CliErrors.Run(() =>
        {
            using var gguf = GgufFile.Open(parse.GetValue(file)!);
            Console.Write(ModelSummary.Describe(gguf));
            return CliErrors.Ok;
        }));
        return info;
    }

    private static Command CreateSynth()
    {
        var arch = new Option<string>("--arch") { Description = "Architecture layout: llama or qwen2.", Required = true };
        var shape = new Option<string>("--shape") { Description = "Sizes: tiny, qwen2.5-0.5b or llama-3.2-1b.", Required = true };
        var type = new Option<string>("--type") { Description = "Weight type: f16, q8_0, q4_0, q4_k or q4_k_m (llama.cpp's Q4_K_M mix).", DefaultValueFactory = _ => "q8_0" };
        var mix = new Option<string?>("--mix")
        {
            Description = "pure (every matrix in --type; the default) or llama.cpp (the types llama.cpp's quantizer picks for that file type: a wider output projection, Q4_K as Q4_K_M), for files with llama.cpp's bytes per token.",
        };
        var seed = new Option<ulong>("--seed") { Description = "Random seed (same seed, same file).", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Where to write the GGUF file.", Required = true };
        var vocab = new Option<string?>("--vocab") { Description = "A GGUF file whose tokenizer to copy (e.g. a llama.cpp vocab file)." };
        var synth = new Command("synth", "Write a model with a real architecture and shape and random weights (for tests and benchmarks).")
        {
            arch, shape, type, mix, seed, output, vocab,
        };
        synth.SetAction(parse => CliErrors.Run(() =>
        {
            var (weightType, weightMix) = ParseWeightType(parse.GetValue(type)!, parse.GetValue(mix));
            var spec = new SyntheticModelSpec(parse.GetValue(arch)!, parse.GetValue(shape)!, weightType, parse.GetValue(seed),
                parse.GetValue(vocab), weightMix);
            var started = System.Diagnostics.Stopwatch.StartNew();
            var summary = SyntheticModel.Write(spec, parse.GetValue(output)!);
            var types = summary.TensorTypes.OrderByDescending(t => t.Value).Select(t => $"{t.Key} ×{t.Value}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {summary.Path} in {started.Elapsed.TotalSeconds:F1} s: {summary.Name}, {summary.ParameterCount / 1e6:F1} M parameters, {summary.FileSize / (1024.0 * 1024.0):F1} MiB, vocabulary {summary.VocabSize:N0}, tensors {string.Join(", ", types)}"));
            if (summary.Fallbacks.Count > 0)
                Console.WriteLine($"note: {summary.Fallbacks.Count} tensors were written in another type because their rows are not whole blocks (as llama.cpp's quantizer does), e.g. {summary.Fallbacks[0]}");
            Console.WriteLine("its weights are random (synthetic): the text it generates is gibberish");
            return CliErrors.Ok;
        }));
        return synth;
    }

    /// <summary>--type and --mix: q4_k_m is q4_k under llama.cpp's mix (and cannot be pure).</summary>
    internal static (GgmlType Type, SyntheticMix Mix) ParseWeightType(string text, string? mixText)
    {
        SyntheticMix? mix = mixText?.ToLowerInvariant() switch
        {
            null => null,
            "pure" => SyntheticMix.Pure,
            "llama.cpp" or "llamacpp" => SyntheticMix.LlamaCpp,
            _ => throw new ArgumentException($"--mix '{mixText}' is not one of pure, llama.cpp"),
        };
        if (text.Equals("q4_k_m", StringComparison.OrdinalIgnoreCase))
            return mix == SyntheticMix.Pure
                ? throw new ArgumentException("--type q4_k_m is llama.cpp's mix by definition: drop --mix pure, or use --type q4_k for every matrix in Q4_K")
                : (GgmlType.Q4_K, SyntheticMix.LlamaCpp);
        GgmlType type = text.ToLowerInvariant() switch
        {
            "f16" => GgmlType.F16,
            "q8_0" => GgmlType.Q8_0,
            "q4_0" => GgmlType.Q4_0,
            "q4_k" => GgmlType.Q4_K,
            _ => throw new ArgumentException($"--type '{text}' is not one of f16, q8_0, q4_0, q4_k, q4_k_m"),
        };
        return (type, mix ?? SyntheticMix.Pure);
    }
}

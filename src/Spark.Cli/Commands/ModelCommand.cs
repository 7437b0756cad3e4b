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
        var type = new Option<string>("--type") { Description = "Weight type: f16, q8_0, q4_0 or q4_k.", DefaultValueFactory = _ => "q8_0" };
        var seed = new Option<ulong>("--seed") { Description = "Random seed (same seed, same file).", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Where to write the GGUF file.", Required = true };
        var vocab = new Option<string?>("--vocab") { Description = "A GGUF file whose tokenizer to copy (e.g. a llama.cpp vocab file)." };
        var synth = new Command("synth", "Write a model with a real architecture and shape and random weights (for tests and benchmarks).")
        {
            arch, shape, type, seed, output, vocab,
        };
        synth.SetAction(parse => CliErrors.Run(() =>
        {
            var spec = new SyntheticModelSpec(parse.GetValue(arch)!, parse.GetValue(shape)!,
                ParseWeightType(parse.GetValue(type)!), parse.GetValue(seed), parse.GetValue(vocab));
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

    internal static GgmlType ParseWeightType(string text) => text.ToLowerInvariant() switch
    {
        "f16" => GgmlType.F16,
        "q8_0" => GgmlType.Q8_0,
        "q4_0" => GgmlType.Q4_0,
        "q4_k" => GgmlType.Q4_K,
        _ => throw new ArgumentException($"--type '{text}' is not one of f16, q8_0, q4_0, q4_k"),
    };
}

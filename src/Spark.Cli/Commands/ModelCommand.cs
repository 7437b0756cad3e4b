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
            var spec = new SyntheticModelSpec
            {
                Architecture = parse.GetValue(arch)!,
                Shape = parse.GetValue(shape)!,
                WeightType = ParseWeightType(parse.GetValue(type)!),
                Seed = parse.GetValue(seed),
                VocabPath = parse.GetValue(vocab),
            };
            var started = System.Diagnostics.Stopwatch.StartNew();
            var summary = SyntheticModel.Write(spec, parse.GetValue(output)!);
            Console.WriteLine($"wrote {parse.GetValue(output)} ({summary}) in {started.Elapsed.TotalSeconds:F1} s; its weights are random (synthetic)");
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

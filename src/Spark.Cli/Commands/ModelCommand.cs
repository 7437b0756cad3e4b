using System.CommandLine;
using System.Globalization;
using Spark.Engine.Gguf;
using Spark.Engine.Tensors;

namespace Spark.Cli.Commands;

/// <summary>`spark model info` and `spark model synth`.</summary>
internal static class ModelCommand
{
    public static Command Create()
    {
        var model = new Command("model", "Inspect GGUF models and create synthetic ones.");
        model.Subcommands.Add(CreateInfo());
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

    internal static GgmlType ParseWeightType(string text) => text.ToLowerInvariant() switch
    {
        "f16" => GgmlType.F16,
        "q8_0" => GgmlType.Q8_0,
        "q4_0" => GgmlType.Q4_0,
        "q4_k" => GgmlType.Q4_K,
        _ => throw new ArgumentException($"--type '{text}' is not one of f16, q8_0, q4_0, q4_k"),
    };
}

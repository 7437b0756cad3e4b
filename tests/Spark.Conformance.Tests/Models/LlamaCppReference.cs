using System.Text.Json;
using Spark.Testing;

namespace Spark.Conformance.Tests.Models;

/// <summary>llama.cpp's greedy outputs for one conformance model (../shared/conformance/reference/NAME.json).</summary>
internal sealed record LlamaCppReference(string ModelFile, double NearTieEps, IReadOnlyList<LlamaCppRun> Runs)
{
    public static LlamaCppReference Load(string stem)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(ConformanceData.PathOf("reference", stem + ".json")));
        var root = doc.RootElement;
        var runs = new List<LlamaCppRun>();
        foreach (var run in root.GetProperty("runs").EnumerateArray())
        {
            var steps = new List<(int Id, double Logit)[]>();
            foreach (var step in run.GetProperty("steps").EnumerateArray())
            {
                var top = new List<(int, double)>();
                foreach (var pair in step.GetProperty("top").EnumerateArray())
                    top.Add((pair[0].GetInt32(), pair[1].GetDouble()));
                steps.Add([.. top]);
            }
            runs.Add(new LlamaCppRun(
                run.GetProperty("prompt").GetString()!,
                Ints(run.GetProperty("prompt_ids")),
                Ints(run.GetProperty("generated_ids")),
                steps));
        }
        return new LlamaCppReference(root.GetProperty("model_file").GetString()!, root.GetProperty("near_tie_eps").GetDouble(), runs);
    }

    private static int[] Ints(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt32())];
}

/// <summary>One prompt's greedy run: the prompt ids, 24 generated ids, and the top-5 [id, logit] at each step.</summary>
internal sealed record LlamaCppRun(string Prompt, int[] PromptIds, int[] GeneratedIds, IReadOnlyList<(int Id, double Logit)[]> Steps);

using Spark.Engine.Tensors;

namespace Spark.Bench.Kernels;

/// <summary>The weight-type names <c>spark bench kernels --types</c> accepts (ggml's names, any case).</summary>
public static class KernelBenchTypes
{
    /// <summary>The accepted names, for help and error messages.</summary>
    public const string Names = "q8_0, q4_0, q4_1, q5_0, q5_1, q4_k, q5_k, q6_k, f16, bf16, f32";

    /// <summary>Parses a comma-separated list such as <c>q4_0,q8_0</c>; throws <see cref="ArgumentException"/> naming a bad entry.</summary>
    public static IReadOnlyList<GgmlType> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var types = new List<GgmlType>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var type = part.ToLowerInvariant() switch
            {
                "q8_0" => GgmlType.Q8_0,
                "q4_0" => GgmlType.Q4_0,
                "q4_1" => GgmlType.Q4_1,
                "q5_0" => GgmlType.Q5_0,
                "q5_1" => GgmlType.Q5_1,
                "q4_k" => GgmlType.Q4_K,
                "q5_k" => GgmlType.Q5_K,
                "q6_k" => GgmlType.Q6_K,
                "f16" => GgmlType.F16,
                "bf16" => GgmlType.BF16,
                "f32" => GgmlType.F32,
                _ => throw new ArgumentException($"--types: '{part}' is not one of {Names}"),
            };
            if (!types.Contains(type)) types.Add(type);
        }
        if (types.Count == 0) throw new ArgumentException($"--types needs at least one of {Names}");
        return types;
    }
}

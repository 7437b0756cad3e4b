using Spark.Engine.Tensors;

namespace Spark.Bench.Kernels;

/// <summary>The weight-type names <c>spark bench kernels --types</c> accepts (ggml's names, any case).</summary>
public static class KernelBenchTypes
{
    /// <summary>The accepted names, for help and error messages.</summary>
    public static string Names => string.Join(", ", Accepted.Select(t => t.ToString().ToLowerInvariant()));

    private static readonly GgmlType[] Accepted =
        [GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.F16, GgmlType.BF16, GgmlType.F32];

    /// <summary>Parses a comma-separated list such as <c>q4_0,q8_0</c>; throws <see cref="ArgumentException"/> naming a bad entry.</summary>
    public static IReadOnlyList<GgmlType> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var types = new List<GgmlType>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // ggml's names are the enum's names; digits alone would parse as a numeric value, so they are refused
            if (part.Length == 0 || !char.IsLetter(part[0]) || !Enum.TryParse<GgmlType>(part, ignoreCase: true, out var type) || !Accepted.Contains(type))
                throw new ArgumentException($"--types: '{part}' is not one of {Names}");
            if (!types.Contains(type)) types.Add(type);
        }
        if (types.Count == 0) throw new ArgumentException($"--types needs at least one of {Names}");
        return types;
    }
}

using Spark.Engine.Gguf;

namespace Spark.Bench.Engine;

/// <summary>What a benchmark report says about the model file (the columns llama-bench prints).</summary>
public sealed record ModelFacts
{
    /// <summary>The file's path.</summary>
    public required string Path { get; init; }

    /// <summary><c>general.name</c>, or the file name without extension.</summary>
    public required string Name { get; init; }

    /// <summary><c>general.architecture</c>.</summary>
    public required string Architecture { get; init; }

    /// <summary>The weight matrices' types, most bytes first, joined by '+' (e.g. <c>Q8_0+Q4_K</c> when a quantizer fell back).</summary>
    public required string Type { get; init; }

    /// <summary>Bytes of tensor data.</summary>
    public required long SizeBytes { get; init; }

    /// <summary>Number of weights (every tensor element).</summary>
    public required long Parameters { get; init; }

    /// <summary>Bytes of weights one decode step reads (<see cref="DecodeTraffic.WeightBytesPerToken"/>).</summary>
    public required long WeightsBytesPerToken { get; init; }

    /// <summary>Reads the facts from an open GGUF file.</summary>
    public static ModelFacts Of(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        long size = 0, parameters = 0;
        foreach (var t in file.Tensors)
        {
            size += t.ByteSize;
            parameters += t.ElementCount;
        }
        var matrixTypes = file.Tensors.Where(t => t.Dimensions.Count >= 2).GroupBy(t => t.Type)
            .OrderByDescending(g => g.Sum(t => t.ByteSize)).Select(g => g.Key.ToString()).ToList();
        return new ModelFacts
        {
            Path = file.Path,
            Name = file.Metadata.GetString("general.name") ?? System.IO.Path.GetFileNameWithoutExtension(file.Path),
            Architecture = file.Metadata.GetString("general.architecture") ?? "(none)",
            Type = matrixTypes.Count > 0 ? string.Join('+', matrixTypes) : "(no matrices)",
            SizeBytes = size,
            Parameters = parameters,
            WeightsBytesPerToken = DecodeTraffic.WeightBytesPerToken(file),
        };
    }
}

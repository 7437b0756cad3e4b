namespace Spark.Engine.Inference;

/// <summary>
/// How the next token is chosen. Applied in llama.cpp's order: penalties, top-k, top-p, min-p, temperature,
/// then a seeded draw. A temperature of 0 (or less) means greedy: the highest logit after penalties.
/// </summary>
public sealed record SamplerOptions
{
    /// <summary>Greedy decoding: always the most likely token.</summary>
    public static SamplerOptions Greedy { get; } = new() { Temperature = 0 };

    /// <summary>Softmax temperature; 0 or less means greedy.</summary>
    public float Temperature { get; init; } = 0.8f;

    /// <summary>Keep only the K most likely tokens; 0 keeps all.</summary>
    public int TopK { get; init; } = 40;

    /// <summary>Keep the smallest set of tokens whose probability sums to at least P; 1 keeps all.</summary>
    public float TopP { get; init; } = 0.95f;

    /// <summary>Drop tokens less likely than MinP times the most likely one; 0 keeps all.</summary>
    public float MinP { get; init; } = 0.05f;

    /// <summary>Divides positive (multiplies negative) logits of recently seen tokens; 1 disables.</summary>
    public float RepetitionPenalty { get; init; } = 1.0f;

    /// <summary>Subtracted once from the logit of every recently seen token; 0 disables.</summary>
    public float PresencePenalty { get; init; }

    /// <summary>Subtracted from a recently seen token's logit once per occurrence; 0 disables.</summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>How many of the last tokens the penalties look at.</summary>
    public int PenaltyLastN { get; init; } = 64;

    /// <summary>Random seed; the same seed, options and logits give the same tokens. Null picks one at random.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (float.IsNaN(Temperature)) throw new ArgumentException("temperature must be a number (0 for greedy)");
        if (TopK < 0) throw new ArgumentException($"top-k must be 0 (off) or positive, got {TopK}");
        if (!(TopP is > 0 and <= 1)) throw new ArgumentException($"top-p must be in (0, 1], got {TopP}");
        if (!(MinP is >= 0 and <= 1)) throw new ArgumentException($"min-p must be in [0, 1], got {MinP}");
        if (!(RepetitionPenalty > 0)) throw new ArgumentException($"repetition penalty must be positive (1 disables), got {RepetitionPenalty}");
        if (PenaltyLastN < 0) throw new ArgumentException($"penalty window must be 0 or positive, got {PenaltyLastN}");
    }
}

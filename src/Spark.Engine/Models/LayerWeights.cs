namespace Spark.Engine.Models;

/// <summary>The weights of one transformer block (biases are null when the model has none).</summary>
internal sealed record LayerWeights(
    float[] AttentionNorm,
    WeightMatrix Query,
    WeightMatrix Key,
    WeightMatrix Value,
    float[]? QueryBias,
    float[]? KeyBias,
    float[]? ValueBias,
    WeightMatrix AttentionOutput,
    float[] FeedForwardNorm,
    WeightMatrix Gate,
    WeightMatrix Up,
    WeightMatrix Down);

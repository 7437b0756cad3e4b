namespace Spark.Engine.Tokenization;

/// <summary>The special token ids a vocabulary resolved to (null when the model has none), and its end-of-generation set.</summary>
internal sealed record SpecialTokenIds(int? Bos, int? Eos, int? Eot, int? Eom, int? Unknown, int? Padding, IReadOnlySet<int> EndOfGeneration);

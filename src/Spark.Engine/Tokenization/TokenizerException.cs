namespace Spark.Engine.Tokenization;

/// <summary>
/// Thrown when a GGUF file's tokenizer metadata cannot be used: a missing or inconsistent key, or a
/// tokenizer model or pre-tokenizer Spark does not implement. The message names the key or value and what is supported.
/// </summary>
public sealed class TokenizerException : Exception
{
    /// <summary>Creates the exception with an actionable message.</summary>
    public TokenizerException(string message) : base(message) { }

    /// <summary>Creates the exception with an actionable message and the error that caused it.</summary>
    public TokenizerException(string message, Exception inner) : base(message, inner) { }
}

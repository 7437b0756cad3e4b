namespace Spark.Engine.Models.Synthetic;

/// <summary>llama.cpp's token types, as written to <c>tokenizer.ggml.token_type</c>.</summary>
internal static class TokenType
{
    public const int Normal = 1;
    public const int Unknown = 2;
    public const int Control = 3;
    public const int UserDefined = 4;
    public const int Unused = 5;
    public const int Byte = 6;
}

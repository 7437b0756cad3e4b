namespace Spark.Engine.Tokenization;

/// <summary>
/// Per-token attributes, as llama.cpp keeps them: the GGUF token type mapped to a flag, plus the
/// strip flags some models set on special tokens.
/// </summary>
[Flags]
internal enum TokenAttributes
{
    Undefined = 0,
    Unknown = 1 << 0,
    Unused = 1 << 1,
    Normal = 1 << 2,
    Control = 1 << 3,
    UserDefined = 1 << 4,
    Byte = 1 << 5,
    LStrip = 1 << 7,
    RStrip = 1 << 8,
}

/// <summary>Maps GGUF <c>tokenizer.ggml.token_type</c> values to <see cref="TokenAttributes"/>.</summary>
internal static class TokenTypes
{
    public const int Normal = 1;
    public const int Unknown = 2;
    public const int Control = 3;
    public const int UserDefined = 4;
    public const int Unused = 5;
    public const int Byte = 6;

    public static TokenAttributes ToAttributes(int type) => type switch
    {
        Normal => TokenAttributes.Normal,
        Unknown => TokenAttributes.Unknown,
        Control => TokenAttributes.Control,
        UserDefined => TokenAttributes.UserDefined,
        Unused => TokenAttributes.Unused,
        Byte => TokenAttributes.Byte,
        _ => TokenAttributes.Undefined,
    };
}

namespace Spark.Engine.Templates;

/// <summary>One lexed token with its 1-based source position.</summary>
internal readonly record struct TemplateToken(TokenKind Kind, string Value, int Line, int Column)
{
    public bool Is(TokenKind kind, string value) => Kind == kind && Value == value;

    public bool IsSymbol(string value) => Kind == TokenKind.Symbol && Value == value;

    public bool IsKeyword(string value) => Kind == TokenKind.Identifier && Value == value;

    public override string ToString() => Kind switch
    {
        TokenKind.End => "end of template",
        TokenKind.Text => "text",
        TokenKind.String => $"string '{Value}'",
        _ => $"'{Value}'",
    };
}

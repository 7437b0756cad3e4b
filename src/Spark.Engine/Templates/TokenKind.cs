namespace Spark.Engine.Templates;

/// <summary>The kinds of token the template lexer produces.</summary>
internal enum TokenKind
{
    Text,
    OpenStatement,
    CloseStatement,
    OpenExpression,
    CloseExpression,
    Identifier,
    Integer,
    Float,
    String,
    Symbol,
    End,
}

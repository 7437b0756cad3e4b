namespace Spark.Engine.Templates;

/// <summary>
/// Thrown when a chat template cannot be parsed or rendered: a syntax error (with its line and column),
/// a construct the interpreter does not support (named in the message), a runtime error, or a template
/// that called <c>raise_exception(msg)</c> (the message is then exactly the template's text).
/// </summary>
public sealed class ChatTemplateException : Exception
{
    /// <summary>Creates an exception with a message and no location.</summary>
    public ChatTemplateException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    public ChatTemplateException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates an exception about a place in the template source (1-based line and column).</summary>
    public ChatTemplateException(string message, int line, int column)
        : base($"{message} (line {line}, column {column})")
    {
        Line = line;
        Column = column;
    }

    /// <summary>Creates an exception about a place in the template source with an inner exception.</summary>
    public ChatTemplateException(string message, int line, int column, Exception innerException)
        : base($"{message} (line {line}, column {column})", innerException)
    {
        Line = line;
        Column = column;
    }

    /// <summary>1-based line of the construct at fault, or 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>1-based column of the construct at fault, or 0 when unknown.</summary>
    public int Column { get; }

    /// <summary>True when the template itself raised the error through <c>raise_exception</c>.</summary>
    public bool RaisedByTemplate { get; init; }

    /// <summary>True when the template uses a construct (filter, test, statement, method) this interpreter does not support.</summary>
    public bool IsUnsupported { get; init; }
}

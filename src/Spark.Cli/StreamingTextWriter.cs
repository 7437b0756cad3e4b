using Spark.Engine.Tokenization;

namespace Spark.Cli;

/// <summary>
/// Writes generated tokens to a text stream as soon as they form whole characters (a token that ends inside a
/// UTF-8 sequence waits for the next), flushing after each so the user sees text as it is made.
/// </summary>
internal sealed class StreamingTextWriter(Tokenizer tokenizer, TextWriter output)
{
    private readonly StreamingDecoder _decoder = new(tokenizer);

    public bool WroteAnything { get; private set; }

    public bool EndsWithNewline { get; private set; }

    public void Write(int token) => Emit(_decoder.Append(token));

    public void Flush() => Emit(_decoder.Flush());

    private void Emit(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return;
        output.Write(text);
        output.Flush();
        WroteAnything = true;
        EndsWithNewline = text[^1] == '\n';
    }
}

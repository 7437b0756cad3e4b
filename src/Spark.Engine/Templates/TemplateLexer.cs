using System.Text;

namespace Spark.Engine.Templates;

/// <summary>
/// Splits template source into tokens the way Hugging Face's chat-template renderer sees it: one trailing
/// newline dropped, <c>lstrip_blocks</c> and <c>trim_blocks</c> on, and <c>-</c> whitespace control on tags.
/// </summary>
internal sealed class TemplateLexer
{
    private static readonly string[] s_symbols =
        ["**", "//", "<=", ">=", "==", "!=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", "=", "+", "-", "~", "*", "/", "%", "<", ">"];

    private readonly string _src;
    private readonly List<int> _lineStarts = [0];
    private readonly List<TemplateToken> _tokens = [];
    private int _pos;

    private TemplateLexer(string source)
    {
        _src = source.EndsWith('\n') ? source[..^1] : source;
        for (int i = 0; i < _src.Length; i++)
            if (_src[i] == '\n') _lineStarts.Add(i + 1);
    }

    public static List<TemplateToken> Tokenize(string source)
    {
        var lexer = new TemplateLexer(source);
        lexer.Run();
        return lexer._tokens;
    }

    private void Run()
    {
        while (_pos < _src.Length)
        {
            int textStart = _pos;
            while (_pos < _src.Length && !AtTagStart(_pos)) _pos++;
            string text = _src[textStart.._pos];
            if (_pos >= _src.Length)
            {
                AddText(text, textStart);
                break;
            }

            char kind = _src[_pos + 1];
            bool stripBefore = _pos + 2 < _src.Length && _src[_pos + 2] == '-';
            if (stripBefore) text = text.TrimEnd();
            else if (kind != '{') text = LstripBlock(text, textStart);
            AddText(text, textStart);

            int tagStart = _pos;
            _pos += stripBefore ? 3 : 2;
            if (kind == '#') LexComment(tagStart);
            else LexTag(kind == '%', tagStart);
        }
        _tokens.Add(new TemplateToken(TokenKind.End, "", Line(_pos), Column(_pos)));
    }

    private bool AtTagStart(int i) =>
        _src[i] == '{' && i + 1 < _src.Length && (_src[i + 1] == '{' || _src[i + 1] == '%' || _src[i + 1] == '#');

    // lstrip_blocks: spaces and tabs between the start of a line and a block or comment tag are dropped.
    private string LstripBlock(string text, int textStart)
    {
        int lineStart = text.LastIndexOf('\n') + 1;
        if (lineStart == 0 && textStart > 0 && _src[textStart - 1] != '\n') return text;
        for (int i = lineStart; i < text.Length; i++)
            if (text[i] != ' ' && text[i] != '\t') return text;
        return text[..lineStart];
    }

    private void AddText(string text, int offset)
    {
        if (text.Length > 0) _tokens.Add(new TemplateToken(TokenKind.Text, text, Line(offset), Column(offset)));
    }

    private void LexComment(int tagStart)
    {
        int end = _src.IndexOf("#}", _pos, StringComparison.Ordinal);
        if (end < 0) throw Error("unclosed comment: '{#' has no matching '#}'", tagStart);
        bool stripAfter = end > _pos && _src[end - 1] == '-';
        _pos = end + 2;
        AfterClose(stripAfter);
    }

    private void LexTag(bool statement, int tagStart)
    {
        _tokens.Add(new TemplateToken(statement ? TokenKind.OpenStatement : TokenKind.OpenExpression,
            statement ? "{%" : "{{", Line(tagStart), Column(tagStart)));
        int braceDepth = 0;
        while (true)
        {
            while (_pos < _src.Length && char.IsWhiteSpace(_src[_pos])) _pos++;
            if (_pos >= _src.Length)
                throw Error($"unclosed tag: '{(statement ? "{%" : "{{")}' has no matching '{(statement ? "%}" : "}}")}'", tagStart);

            string close = statement ? "%}" : "}}";
            bool closesHere = braceDepth == 0 || statement;
            if (closesHere && Matches("-" + close))
            {
                AddClose(statement, _pos);
                _pos += 3;
                while (_pos < _src.Length && char.IsWhiteSpace(_src[_pos])) _pos++;
                return;
            }
            if (closesHere && Matches(close))
            {
                AddClose(statement, _pos);
                _pos += 2;
                AfterClose(false);
                return;
            }
            LexInsideTag(ref braceDepth);
        }
    }

    private void AddClose(bool statement, int at) =>
        _tokens.Add(new TemplateToken(statement ? TokenKind.CloseStatement : TokenKind.CloseExpression,
            statement ? "%}" : "}}", Line(at), Column(at)));

    // trim_blocks drops the first newline after a block or comment tag; '-' drops all following whitespace.
    private void AfterClose(bool stripAll)
    {
        if (stripAll)
        {
            while (_pos < _src.Length && char.IsWhiteSpace(_src[_pos])) _pos++;
            return;
        }
        char closer = _src[_pos - 2];
        if ((closer == '%' || closer == '#') && _pos < _src.Length && _src[_pos] == '\n') _pos++;
    }

    private void LexInsideTag(ref int braceDepth)
    {
        int start = _pos;
        char c = _src[_pos];
        if (c == '\'' || c == '"')
        {
            _tokens.Add(new TemplateToken(TokenKind.String, LexString(c), Line(start), Column(start)));
            return;
        }
        if ((c == '-' || c == '+') && _pos + 1 < _src.Length && char.IsAsciiDigit(_src[_pos + 1]) && !EndsOperand())
        {
            // Like the reference, a sign that cannot be binary is part of the number: -5|abs is 5.
            _pos++;
            LexNumber(start);
            return;
        }
        if (char.IsAsciiDigit(c))
        {
            LexNumber(start);
            return;
        }
        if (char.IsAsciiLetter(c) || c == '_')
        {
            while (_pos < _src.Length && (char.IsAsciiLetterOrDigit(_src[_pos]) || _src[_pos] == '_')) _pos++;
            _tokens.Add(new TemplateToken(TokenKind.Identifier, _src[start.._pos], Line(start), Column(start)));
            return;
        }
        foreach (string symbol in s_symbols)
        {
            if (!Matches(symbol)) continue;
            if (symbol == "{") braceDepth++;
            else if (symbol == "}") braceDepth--;
            _tokens.Add(new TemplateToken(TokenKind.Symbol, symbol, Line(start), Column(start)));
            _pos += symbol.Length;
            return;
        }
        throw Error($"unexpected character '{c}'", start);
    }

    private bool EndsOperand()
    {
        if (_tokens.Count == 0) return false;
        var last = _tokens[^1];
        return last.Kind is TokenKind.Identifier or TokenKind.Integer or TokenKind.Float or TokenKind.String
            || last.IsSymbol(")") || last.IsSymbol("]");
    }

    private void LexNumber(int start)
    {
        while (_pos < _src.Length && char.IsAsciiDigit(_src[_pos])) _pos++;
        bool afterDot = _tokens.Count > 0 && _tokens[^1].IsSymbol(".");
        if (!afterDot && _pos + 1 < _src.Length && _src[_pos] == '.' && char.IsAsciiDigit(_src[_pos + 1]))
        {
            _pos++;
            while (_pos < _src.Length && char.IsAsciiDigit(_src[_pos])) _pos++;
            _tokens.Add(new TemplateToken(TokenKind.Float, _src[start.._pos], Line(start), Column(start)));
            return;
        }
        _tokens.Add(new TemplateToken(TokenKind.Integer, _src[start.._pos], Line(start), Column(start)));
    }

    private string LexString(char quote)
    {
        int start = _pos;
        _pos++;
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _src.Length) throw Error("unterminated string literal", start);
            char c = _src[_pos++];
            if (c == quote) return sb.ToString();
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            if (_pos >= _src.Length) throw Error("unterminated string literal", start);
            char e = _src[_pos++];
            sb.Append(e switch
            {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                'b' => '\b',
                'f' => '\f',
                'v' => '\v',
                '\'' or '"' or '\\' => e,
                _ => throw Error($"unknown escape sequence '\\{e}' in string literal", _pos - 2),
            });
        }
    }

    private bool Matches(string s) => string.CompareOrdinal(_src, _pos, s, 0, s.Length) == 0;

    private int Line(int offset)
    {
        int index = _lineStarts.BinarySearch(offset);
        return (index >= 0 ? index : ~index - 1) + 1;
    }

    private int Column(int offset) => offset - _lineStarts[Line(offset) - 1] + 1;

    private ChatTemplateException Error(string message, int offset) =>
        new($"template syntax error: {message}", Line(offset), Column(offset));
}

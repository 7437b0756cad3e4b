namespace Spark.Engine.Templates;

/// <summary>
/// Turns template tokens into a tree of <see cref="TemplateNode"/>s: text, output, statements
/// (if, for, set, macro, call, filter, break, continue) and Jinja expressions with Jinja's operator precedence.
/// </summary>
internal sealed partial class TemplateParser
{
    private readonly List<TemplateToken> _tokens;
    private int _pos;

    private TemplateParser(List<TemplateToken> tokens) => _tokens = tokens;

    public static List<TemplateNode> Parse(string source)
    {
        var parser = new TemplateParser(TemplateLexer.Tokenize(source));
        return parser.ParseBody(out _);
    }

    private TemplateToken Peek(int ahead = 0) => _tokens[Math.Min(_pos + ahead, _tokens.Count - 1)];

    private TemplateToken Next() => _tokens[Math.Min(_pos++, _tokens.Count - 1)];

    private static T At<T>(T node, TemplateToken token) where T : TemplateNode => node with { Line = token.Line, Column = token.Column };

    private static ChatTemplateException Error(string message, TemplateToken at) =>
        new($"template syntax error: {message}", at.Line, at.Column);

    private TemplateToken ExpectSymbol(string symbol)
    {
        var token = Next();
        if (!token.IsSymbol(symbol)) throw Error($"expected '{symbol}' but found {token}", token);
        return token;
    }

    private void ExpectKeyword(string keyword)
    {
        var token = Next();
        if (!token.IsKeyword(keyword)) throw Error($"expected '{keyword}' but found {token}", token);
    }

    private string ExpectIdentifier(string what)
    {
        var token = Next();
        if (token.Kind != TokenKind.Identifier) throw Error($"expected {what} but found {token}", token);
        return token.Value;
    }

    private void ExpectClose(TokenKind kind)
    {
        var token = Next();
        if (token.Kind != kind)
            throw Error($"expected '{(kind == TokenKind.CloseStatement ? "%}" : "}}")}' but found {token}", token);
    }

    private bool AcceptSymbol(string symbol)
    {
        if (!Peek().IsSymbol(symbol)) return false;
        _pos++;
        return true;
    }

    private bool AcceptKeyword(string keyword)
    {
        if (!Peek().IsKeyword(keyword)) return false;
        _pos++;
        return true;
    }

    /// <summary>Parses nodes until the end of input or a <c>{% keyword</c> in <paramref name="ends"/> (consumed).</summary>
    private List<TemplateNode> ParseBody(out string? terminator, params string[] ends)
    {
        var nodes = new List<TemplateNode>();
        while (true)
        {
            var token = Peek();
            switch (token.Kind)
            {
                case TokenKind.End:
                    if (ends.Length > 0)
                        throw Error($"unexpected end of template: expected {string.Join(" or ", ends.Select(e => $"'{{% {e} %}}'"))}", token);
                    terminator = null;
                    return nodes;
                case TokenKind.Text:
                    _pos++;
                    nodes.Add(At(new TextNode(token.Value), token));
                    break;
                case TokenKind.OpenExpression:
                    _pos++;
                    var value = ParseExpression();
                    ExpectClose(TokenKind.CloseExpression);
                    nodes.Add(At(new OutputNode(value), token));
                    break;
                case TokenKind.OpenStatement:
                    var keyword = Peek(1);
                    if (keyword.Kind == TokenKind.Identifier && ends.Contains(keyword.Value))
                    {
                        _pos += 2;
                        terminator = keyword.Value;
                        return nodes;
                    }
                    _pos++;
                    var statement = ParseStatement(keyword);
                    if (statement is not null) nodes.Add(statement);
                    break;
                default:
                    throw Error($"unexpected {token}", token);
            }
        }
    }

    private TemplateNode? ParseStatement(TemplateToken keyword)
    {
        if (keyword.Kind != TokenKind.Identifier) throw Error($"expected a statement name but found {keyword}", keyword);
        _pos++;
        if (++_nesting > MaxNesting) throw Error($"blocks nested more than {MaxNesting} levels deep", keyword);
        try
        {
            return ParseStatementBody(keyword);
        }
        finally
        {
            _nesting--;
        }
    }

    private TemplateNode? ParseStatementBody(TemplateToken keyword)
    {
        switch (keyword.Value)
        {
            case "if": return ParseIf(keyword);
            case "for": return ParseFor(keyword);
            case "set": return ParseSet(keyword);
            case "macro": return ParseMacro(keyword);
            case "call": return ParseCallBlock(keyword);
            case "filter": return ParseFilterBlock(keyword);
            case "break":
                ExpectClose(TokenKind.CloseStatement);
                return At(new BreakNode(), keyword);
            case "continue":
                ExpectClose(TokenKind.CloseStatement);
                return At(new ContinueNode(), keyword);
            case "generation":
            case "endgeneration":
                ExpectClose(TokenKind.CloseStatement);
                return null;
            case "elif" or "else" or "endif" or "endfor" or "endset" or "endmacro" or "endcall" or "endfilter":
                throw Error($"unexpected '{{% {keyword.Value} %}}' with no open block it could close", keyword);
            default:
                throw new ChatTemplateException($"unsupported template statement '{{% {keyword.Value} %}}'", keyword.Line, keyword.Column)
                { IsUnsupported = true };
        }
    }

    private IfNode ParseIf(TemplateToken at)
    {
        var test = ParseExpression();
        ExpectClose(TokenKind.CloseStatement);
        var body = ParseBody(out string? end, "elif", "else", "endif");
        var otherwise = new List<TemplateNode>();
        if (end == "elif")
        {
            otherwise.Add(ParseIf(_tokens[_pos - 1]));
            return At(new IfNode(test, body, otherwise), at);
        }
        if (end == "else")
        {
            ExpectClose(TokenKind.CloseStatement);
            otherwise = ParseBody(out _, "endif");
        }
        ExpectClose(TokenKind.CloseStatement);
        return At(new IfNode(test, body, otherwise), at);
    }

    private ForNode ParseFor(TemplateToken at)
    {
        var target = ParseTargets();
        ExpectKeyword("in");
        var iterable = ParseOr();
        Expr? condition = AcceptKeyword("if") ? ParseExpression() : null;
        if (Peek().IsKeyword("recursive"))
            throw new ChatTemplateException("unsupported template construct 'recursive' loop", Peek().Line, Peek().Column) { IsUnsupported = true };
        ExpectClose(TokenKind.CloseStatement);
        var body = ParseBody(out string? end, "else", "endfor");
        var otherwise = new List<TemplateNode>();
        if (end == "else")
        {
            ExpectClose(TokenKind.CloseStatement);
            otherwise = ParseBody(out _, "endfor");
        }
        ExpectClose(TokenKind.CloseStatement);
        return At(new ForNode(target, iterable, condition, body, otherwise), at);
    }

    /// <summary>Loop or assignment targets: <c>x</c>, <c>a, b</c>, <c>(a, b)</c> or <c>ns.attr</c>.</summary>
    private Expr ParseTargets()
    {
        var first = Peek();
        var items = new List<Expr> { ParsePostfix() };
        if (!Peek().IsSymbol(",")) return items[0];
        while (AcceptSymbol(",")) items.Add(ParsePostfix());
        return At(new ListExpr(items, IsTuple: true), first);
    }

    private SetNode ParseSet(TemplateToken at)
    {
        var target = ParseTargets();
        if (AcceptSymbol("="))
        {
            var value = ParseTupleOrExpression();
            ExpectClose(TokenKind.CloseStatement);
            return At(new SetNode(target, value, null), at);
        }
        ExpectClose(TokenKind.CloseStatement);
        var body = ParseBody(out _, "endset");
        ExpectClose(TokenKind.CloseStatement);
        return At(new SetNode(target, null, body), at);
    }

    private MacroNode ParseMacro(TemplateToken at)
    {
        string name = ExpectIdentifier("a macro name");
        var parameters = ParseParameters();
        ExpectClose(TokenKind.CloseStatement);
        var body = ParseBody(out _, "endmacro");
        if (Peek().Kind == TokenKind.Identifier) _pos++; // {% endmacro name %}
        ExpectClose(TokenKind.CloseStatement);
        return At(new MacroNode(name, parameters, body), at);
    }

    private List<MacroParameter> ParseParameters()
    {
        var parameters = new List<MacroParameter>();
        ExpectSymbol("(");
        while (!AcceptSymbol(")"))
        {
            string name = ExpectIdentifier("a parameter name");
            parameters.Add(new MacroParameter(name, AcceptSymbol("=") ? ParseExpression() : null));
            if (!Peek().IsSymbol(")")) ExpectSymbol(",");
        }
        return parameters;
    }

    private CallBlockNode ParseCallBlock(TemplateToken at)
    {
        var callerParameters = Peek().IsSymbol("(") ? ParseParameters() : [];
        var callToken = Peek();
        if (ParsePostfix() is not CallExpr call) throw Error("expected a macro call after 'call'", callToken);
        ExpectClose(TokenKind.CloseStatement);
        var body = ParseBody(out _, "endcall");
        ExpectClose(TokenKind.CloseStatement);
        return At(new CallBlockNode(call, callerParameters, body), at);
    }

    private FilterBlockNode ParseFilterBlock(TemplateToken at)
    {
        string name = ExpectIdentifier("a filter name");
        var arguments = Peek().IsSymbol("(") ? ParseArguments() : [];
        ExpectClose(TokenKind.CloseStatement);
        var body = ParseBody(out _, "endfilter");
        ExpectClose(TokenKind.CloseStatement);
        return At(new FilterBlockNode(name, arguments, body), at);
    }
}

namespace Spark.Engine.Templates;

/// <summary>The expression half of the parser: Jinja operators from conditional down to literals.</summary>
internal sealed partial class TemplateParser
{
    private static readonly HashSet<string> s_notArgumentStart = ["and", "or", "if", "else", "not", "in", "is"];

    private Expr ParseTupleOrExpression()
    {
        var first = Peek();
        var value = ParseExpression();
        if (!Peek().IsSymbol(",")) return value;
        var items = new List<Expr> { value };
        while (AcceptSymbol(",")) items.Add(ParseExpression());
        return At(new ListExpr(items, IsTuple: true), first);
    }

    private const int MaxNesting = 128;

    private int _nesting;

    public Expr ParseExpression()
    {
        var start = Peek();
        if (++_nesting > MaxNesting) throw Error($"expression nested more than {MaxNesting} levels deep", start);
        try
        {
            var value = ParseOr();
            if (!AcceptKeyword("if")) return value;
            var test = ParseOr();
            Expr? otherwise = AcceptKeyword("else") ? ParseExpression() : null;
            return At(new ConditionalExpr(test, value, otherwise), start);
        }
        finally
        {
            _nesting--;
        }
    }

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (Peek().IsKeyword("or"))
        {
            var op = Next();
            left = At(new BinaryExpr("or", left, ParseAnd()), op);
        }
        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (Peek().IsKeyword("and"))
        {
            var op = Next();
            left = At(new BinaryExpr("and", left, ParseNot()), op);
        }
        return left;
    }

    private Expr ParseNot()
    {
        var ops = new Stack<TemplateToken>();
        while (Peek().IsKeyword("not") && !Peek(1).IsKeyword("in")) ops.Push(Next());
        var value = ParseComparison();
        while (ops.Count > 0) value = At(new UnaryExpr("not", value), ops.Pop());
        return value;
    }

    private Expr ParseComparison()
    {
        var left = ParseAdditive();
        while (true)
        {
            var op = Peek();
            string? name = op.Kind == TokenKind.Symbol && op.Value is "==" or "!=" or "<" or ">" or "<=" or ">=" ? op.Value
                : op.IsKeyword("in") ? "in"
                : op.IsKeyword("not") && Peek(1).IsKeyword("in") ? "not in"
                : null;
            if (name is null) return left;
            _pos += name == "not in" ? 2 : 1;
            left = At(new BinaryExpr(name, left, ParseAdditive()), op);
        }
    }

    private Expr ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Peek().Kind == TokenKind.Symbol && Peek().Value is "+" or "-" or "~")
        {
            var op = Next();
            left = At(new BinaryExpr(op.Value, left, ParseMultiplicative()), op);
        }
        return left;
    }

    private Expr ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Peek().Kind == TokenKind.Symbol && Peek().Value is "*" or "/" or "//" or "%")
        {
            var op = Next();
            left = At(new BinaryExpr(op.Value, left, ParseUnary()), op);
        }
        return left;
    }

    private Expr ParseUnary()
    {
        if (Peek().Kind == TokenKind.Symbol && Peek().Value is "-" or "+")
        {
            var ops = new Stack<TemplateToken>();
            while (Peek().Kind == TokenKind.Symbol && Peek().Value is "-" or "+") ops.Push(Next());
            var operand = ParseUnary();
            while (ops.Count > 0)
            {
                var op = ops.Pop();
                operand = At(new UnaryExpr(op.Value, operand), op);
            }
            return operand;
        }
        var left = ParseTest();
        if (Peek().IsSymbol("**"))
        {
            var op = Next();
            return At(new BinaryExpr("**", left, ParseUnary()), op);
        }
        return left;
    }

    private Expr ParseTest()
    {
        var operand = ParseFilter();
        while (Peek().IsKeyword("is"))
        {
            var op = Next();
            bool negated = AcceptKeyword("not");
            string name = ExpectIdentifier("a test name after 'is'");
            List<Argument> arguments;
            if (Peek().IsSymbol("(")) arguments = ParseArguments();
            else if (StartsArgument(Peek())) arguments = [new Argument(null, ParsePostfix())];
            else arguments = [];
            operand = At(new TestExpr(operand, name, negated, arguments), op);
        }
        return operand;
    }

    private static bool StartsArgument(TemplateToken token) =>
        token.Kind is TokenKind.String or TokenKind.Integer or TokenKind.Float
        || (token.Kind == TokenKind.Identifier && !s_notArgumentStart.Contains(token.Value));

    private Expr ParseFilter()
    {
        var operand = ParsePostfix();
        while (Peek().IsSymbol("|"))
        {
            var op = Next();
            string name = ExpectIdentifier("a filter name after '|'");
            var arguments = Peek().IsSymbol("(") ? ParseArguments() : [];
            operand = At(new FilterExpr(operand, name, arguments), op);
        }
        return operand;
    }

    private Expr ParsePostfix()
    {
        var value = ParsePrimary();
        while (true)
        {
            var op = Peek();
            if (AcceptSymbol("."))
            {
                var name = Next();
                if (name.Kind is not (TokenKind.Identifier or TokenKind.Integer))
                    throw Error($"expected an attribute name after '.' but found {name}", name);
                value = name.Kind == TokenKind.Integer
                    ? At(new IndexExpr(value, At(new LiteralExpr(long.Parse(name.Value, System.Globalization.CultureInfo.InvariantCulture)), name)), op)
                    : At(new AttributeExpr(value, name.Value), op);
            }
            else if (AcceptSymbol("["))
            {
                value = ParseSubscript(value, op);
            }
            else if (op.IsSymbol("("))
            {
                value = At(new CallExpr(value, ParseArguments()), op);
            }
            else
            {
                return value;
            }
        }
    }

    private Expr ParseSubscript(Expr target, TemplateToken at)
    {
        Expr? start = Peek().IsSymbol(":") ? null : ParseExpression();
        if (start is not null && AcceptSymbol("]")) return At(new IndexExpr(target, start), at);
        ExpectSymbol(":");
        Expr? stop = Peek().IsSymbol(":") || Peek().IsSymbol("]") ? null : ParseExpression();
        Expr? step = null;
        if (AcceptSymbol(":") && !Peek().IsSymbol("]")) step = ParseExpression();
        ExpectSymbol("]");
        return At(new SliceExpr(target, start, stop, step), at);
    }

    private List<Argument> ParseArguments()
    {
        ExpectSymbol("(");
        var arguments = new List<Argument>();
        while (!AcceptSymbol(")"))
        {
            if (AcceptSymbol("*")) arguments.Add(new Argument(null, ParseExpression(), Spread: true));
            else if (Peek().Kind == TokenKind.Identifier && Peek(1).IsSymbol("="))
            {
                string name = Next().Value;
                _pos++;
                arguments.Add(new Argument(name, ParseExpression()));
            }
            else arguments.Add(new Argument(null, ParseExpression()));
            if (!Peek().IsSymbol(")")) ExpectSymbol(",");
        }
        return arguments;
    }

    private Expr ParsePrimary()
    {
        var token = Next();
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        switch (token.Kind)
        {
            case TokenKind.String:
                string text = token.Value;
                while (Peek().Kind == TokenKind.String) text += Next().Value;
                return At(new LiteralExpr(text), token);
            case TokenKind.Integer:
                return At(new LiteralExpr(long.Parse(token.Value, inv)), token);
            case TokenKind.Float:
                return At(new LiteralExpr(double.Parse(token.Value, inv)), token);
            case TokenKind.Identifier:
                return token.Value switch
                {
                    "true" or "True" => At(new LiteralExpr(true), token),
                    "false" or "False" => At(new LiteralExpr(false), token),
                    "none" or "None" => At(new LiteralExpr(null), token),
                    _ => At(new NameExpr(token.Value), token),
                };
            case TokenKind.Symbol when token.Value == "(":
                if (AcceptSymbol(")")) return At(new ListExpr([], IsTuple: true), token);
                var first = ParseExpression();
                if (AcceptSymbol(")")) return first;
                var items = new List<Expr> { first };
                while (AcceptSymbol(","))
                {
                    if (Peek().IsSymbol(")")) break;
                    items.Add(ParseExpression());
                }
                ExpectSymbol(")");
                return At(new ListExpr(items, IsTuple: true), token);
            case TokenKind.Symbol when token.Value == "[":
                var list = new List<Expr>();
                while (!AcceptSymbol("]"))
                {
                    list.Add(ParseExpression());
                    if (!Peek().IsSymbol("]")) ExpectSymbol(",");
                }
                return At(new ListExpr(list, IsTuple: false), token);
            case TokenKind.Symbol when token.Value == "{":
                var entries = new List<(Expr, Expr)>();
                while (!AcceptSymbol("}"))
                {
                    var key = ParseExpression();
                    ExpectSymbol(":");
                    entries.Add((key, ParseExpression()));
                    if (!Peek().IsSymbol("}")) ExpectSymbol(",");
                }
                return At(new DictExpr(entries), token);
            default:
                throw Error($"unexpected {token} in expression", token);
        }
    }
}

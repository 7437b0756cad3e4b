namespace Spark.Engine.Templates;

/// <summary>A node of a parsed template: statements render text, expressions compute values.</summary>
internal abstract record TemplateNode
{
    public int Line { get; init; }

    public int Column { get; init; }
}

internal sealed record TextNode(string Text) : TemplateNode;

internal sealed record OutputNode(Expr Value) : TemplateNode;

internal sealed record IfNode(Expr Test, List<TemplateNode> Body, List<TemplateNode> Else) : TemplateNode;

internal sealed record ForNode(Expr Target, Expr Iterable, Expr? Condition, List<TemplateNode> Body, List<TemplateNode> Else) : TemplateNode;

/// <summary><c>{% set target = value %}</c>, or the block form when <see cref="Body"/> is set.</summary>
internal sealed record SetNode(Expr Target, Expr? Value, List<TemplateNode>? Body) : TemplateNode;

internal sealed record MacroParameter(string Name, Expr? Default);

internal sealed record MacroNode(string Name, List<MacroParameter> Parameters, List<TemplateNode> Body) : TemplateNode;

internal sealed record CallBlockNode(CallExpr Call, List<MacroParameter> CallerParameters, List<TemplateNode> Body) : TemplateNode;

internal sealed record FilterBlockNode(string Filter, List<Argument> Arguments, List<TemplateNode> Body) : TemplateNode;

internal sealed record BreakNode : TemplateNode;

internal sealed record ContinueNode : TemplateNode;

internal abstract record Expr : TemplateNode;

internal sealed record LiteralExpr(object? Value) : Expr;

internal sealed record NameExpr(string Name) : Expr;

internal sealed record ListExpr(List<Expr> Items, bool IsTuple) : Expr;

internal sealed record DictExpr(List<(Expr Key, Expr Value)> Entries) : Expr;

internal sealed record AttributeExpr(Expr Target, string Name) : Expr;

internal sealed record IndexExpr(Expr Target, Expr Index) : Expr;

internal sealed record SliceExpr(Expr Target, Expr? Start, Expr? Stop, Expr? Step) : Expr;

/// <summary>A call argument: positional, <c>name=value</c>, or <c>*spread</c>.</summary>
internal sealed record Argument(string? Name, Expr Value, bool Spread = false);

internal sealed record CallExpr(Expr Callee, List<Argument> Arguments) : Expr;

internal sealed record FilterExpr(Expr Operand, string Name, List<Argument> Arguments) : Expr;

internal sealed record TestExpr(Expr Operand, string Name, bool Negated, List<Argument> Arguments) : Expr;

internal sealed record UnaryExpr(string Operator, Expr Operand) : Expr;

internal sealed record BinaryExpr(string Operator, Expr Left, Expr Right) : Expr;

/// <summary><c>then if test else otherwise</c>; without <c>else</c> it yields undefined when the test fails.</summary>
internal sealed record ConditionalExpr(Expr Test, Expr Then, Expr? Otherwise) : Expr;

using System.Text;

namespace Spark.Engine.Templates;

/// <summary>Renders a parsed template: runs statements into a string and evaluates expressions to values.</summary>
internal sealed class TemplateInterpreter
{
    private sealed class BreakSignal : Exception;

    private sealed class ContinueSignal : Exception;

    private const int MaxCallDepth = 64;

    private readonly DateTime _now;
    private int _callDepth;

    public TemplateInterpreter(DateTime now) => _now = now;

    public string Render(List<TemplateNode> nodes, TemplateScope globals)
    {
        TemplateGlobals.Install(globals, _now);
        var sb = new StringBuilder();
        RenderNodes(nodes, new TemplateScope(globals), sb);
        return sb.ToString();
    }

    private void RenderNodes(List<TemplateNode> nodes, TemplateScope scope, StringBuilder sb)
    {
        foreach (var node in nodes)
        {
            try
            {
                RenderNode(node, scope, sb);
            }
            catch (ChatTemplateException e) when (e.Line == 0 && !e.RaisedByTemplate)
            {
                throw new ChatTemplateException(e.Message, node.Line, node.Column, e) { IsUnsupported = e.IsUnsupported };
            }
        }
    }

    private string RenderToString(List<TemplateNode> nodes, TemplateScope scope)
    {
        var sb = new StringBuilder();
        RenderNodes(nodes, scope, sb);
        return sb.ToString();
    }

    private void RenderNode(TemplateNode node, TemplateScope scope, StringBuilder sb)
    {
        switch (node)
        {
            case TextNode text:
                sb.Append(text.Text);
                break;
            case OutputNode output:
                sb.Append(TemplateValues.ToText(Evaluate(output.Value, scope)));
                break;
            case IfNode branch:
                RenderNodes(TemplateValues.IsTruthy(Evaluate(branch.Test, scope)) ? branch.Body : branch.Else, scope, sb);
                break;
            case ForNode loop:
                RenderFor(loop, scope, sb);
                break;
            case SetNode set:
                Assign(set.Target, set.Value is not null ? Evaluate(set.Value, scope) : RenderToString(set.Body!, scope), scope);
                break;
            case MacroNode macro:
                scope.Set(macro.Name, DefineMacro(macro.Name, macro.Parameters, macro.Body, scope));
                break;
            case CallBlockNode call:
                RenderCallBlock(call, scope, sb);
                break;
            case FilterBlockNode filter:
                var (positional, keywords) = EvaluateArguments(filter.Arguments, scope);
                sb.Append(TemplateValues.ToText(TemplateFilters.Apply(filter.Filter, RenderToString(filter.Body, scope), positional, keywords)));
                break;
            case BreakNode:
                throw new BreakSignal();
            case ContinueNode:
                throw new ContinueSignal();
            default:
                throw new ChatTemplateException($"cannot render {node.GetType().Name}");
        }
    }

    private void RenderFor(ForNode loop, TemplateScope scope, StringBuilder sb)
    {
        var loopScope = new TemplateScope(scope);
        var source = Evaluate(loop.Iterable, loopScope) switch
        {
            List<object?> list => list,
            TemplateObject obj => obj.Items.Keys.Select(k => (object?)k).ToList(),
            string s => s.Select(c => (object?)c.ToString()).ToList(),
            Undefined => [],
            var other => throw new ChatTemplateException($"cannot loop over a value of type {TemplateValues.TypeName(other)}"),
        };
        var items = new List<object?>(source.Count);
        foreach (var item in source)
        {
            if (loop.Condition is not null)
            {
                var testScope = new TemplateScope(loopScope);
                Assign(loop.Target, item, testScope);
                if (!TemplateValues.IsTruthy(Evaluate(loop.Condition, testScope))) continue;
            }
            items.Add(item);
        }

        for (int i = 0; i < items.Count; i++)
        {
            var info = new TemplateObject();
            info.Items["index"] = (long)(i + 1);
            info.Items["index0"] = (long)i;
            info.Items["revindex"] = (long)(items.Count - i);
            info.Items["revindex0"] = (long)(items.Count - i - 1);
            info.Items["first"] = i == 0;
            info.Items["last"] = i == items.Count - 1;
            info.Items["length"] = (long)items.Count;
            info.Items["previtem"] = i > 0 ? items[i - 1] : Undefined.Value;
            info.Items["nextitem"] = i < items.Count - 1 ? items[i + 1] : Undefined.Value;
            int index = i;
            info.Items["cycle"] = new TemplateFunction("loop.cycle", (args, _) => args.Count == 0 ? Undefined.Value : args[index % args.Count]);
            loopScope.Set("loop", info);
            Assign(loop.Target, items[i], loopScope);
            try
            {
                RenderNodes(loop.Body, loopScope, sb);
            }
            catch (ContinueSignal)
            {
            }
            catch (BreakSignal)
            {
                break;
            }
        }
        if (items.Count == 0) RenderNodes(loop.Else, loopScope, sb);
    }

    private void Assign(Expr target, object? value, TemplateScope scope)
    {
        switch (target)
        {
            case NameExpr name:
                scope.Set(name.Name, value);
                break;
            case ListExpr { IsTuple: true } tuple:
                if (value is not List<object?> values)
                    throw new ChatTemplateException($"cannot unpack a {TemplateValues.TypeName(value)} into {tuple.Items.Count} names");
                if (values.Count != tuple.Items.Count)
                    throw new ChatTemplateException($"cannot unpack {values.Count} values into {tuple.Items.Count} names");
                for (int i = 0; i < values.Count; i++) Assign(tuple.Items[i], values[i], scope);
                break;
            case AttributeExpr attribute:
                if (Evaluate(attribute.Target, scope) is not TemplateObject obj)
                    throw new ChatTemplateException($"cannot set attribute '{attribute.Name}' on something that is not a namespace or mapping");
                obj.Items[attribute.Name] = value;
                break;
            default:
                throw new ChatTemplateException("cannot assign to this expression");
        }
    }

    private TemplateFunction DefineMacro(string name, List<MacroParameter> parameters, List<TemplateNode> body, TemplateScope definedIn) =>
        new(name, (args, keywords) =>
        {
            var scope = new TemplateScope(definedIn);
            for (int i = 0; i < parameters.Count; i++)
            {
                var p = parameters[i];
                object? value = i < args.Count ? args[i]
                    : keywords.Items.TryGetValue(p.Name, out var kw) ? kw
                    : p.Default is not null ? Evaluate(p.Default, scope)
                    : Undefined.Value;
                scope.Set(p.Name, value);
            }
            if (keywords.Items.TryGetValue("caller", out var caller)) scope.Set("caller", caller);
            if (++_callDepth > MaxCallDepth)
                throw new ChatTemplateException($"macro '{name}' nested more than {MaxCallDepth} calls deep (runaway recursion?)");
            try
            {
                return RenderToString(body, scope);
            }
            finally
            {
                _callDepth--;
            }
        });

    private void RenderCallBlock(CallBlockNode call, TemplateScope scope, StringBuilder sb)
    {
        var caller = DefineMacro("caller", call.CallerParameters, call.Body, scope);
        if (Evaluate(call.Call.Callee, scope) is not TemplateFunction macro)
            throw new ChatTemplateException("'call' needs a macro to call");
        var (positional, keywords) = EvaluateArguments(call.Call.Arguments, scope);
        keywords.Items["caller"] = caller;
        sb.Append(TemplateValues.ToText(macro.Invoke(positional, keywords)));
    }

    public object? Evaluate(Expr expr, TemplateScope scope)
    {
        switch (expr)
        {
            case LiteralExpr literal:
                return literal.Value;
            case NameExpr name:
                return scope.Lookup(name.Name);
            case ListExpr list:
                return list.Items.Select(item => Evaluate(item, scope)).ToList();
            case DictExpr dict:
                var obj = new TemplateObject();
                foreach (var (key, value) in dict.Entries)
                {
                    if (Evaluate(key, scope) is not string k)
                        throw new ChatTemplateException("dict literal keys must be strings");
                    obj.Items[k] = Evaluate(value, scope);
                }
                return obj;
            case AttributeExpr attribute:
                return TemplateMethods.GetAttribute(Evaluate(attribute.Target, scope), attribute.Name);
            case IndexExpr index:
                return TemplateOperators.Index(Evaluate(index.Target, scope), Evaluate(index.Index, scope));
            case SliceExpr slice:
                return TemplateOperators.Slice(Evaluate(slice.Target, scope), EvaluateOptional(slice.Start, scope),
                    EvaluateOptional(slice.Stop, scope), EvaluateOptional(slice.Step, scope));
            case CallExpr call:
                var callee = Evaluate(call.Callee, scope);
                if (callee is not TemplateFunction function)
                    throw new ChatTemplateException(call.Callee is AttributeExpr a && callee is Undefined
                        ? $"unsupported method '{a.Name}' (it is not defined for this value)"
                        : $"cannot call a {TemplateValues.TypeName(callee)}", expr.Line, expr.Column) { IsUnsupported = callee is Undefined };
                var (positional, keywords) = EvaluateArguments(call.Arguments, scope);
                return function.Invoke(positional, keywords);
            case FilterExpr filter:
                var operand = Evaluate(filter.Operand, scope);
                var (fArgs, fKeywords) = EvaluateArguments(filter.Arguments, scope);
                return WithPosition(() => TemplateFilters.Apply(filter.Name, operand, fArgs, fKeywords), expr);
            case TestExpr test:
                var tested = Evaluate(test.Operand, scope);
                var (tArgs, _) = EvaluateArguments(test.Arguments, scope);
                bool result = WithPosition(() => TemplateTests.Apply(test.Name, tested, tArgs), expr);
                return test.Negated ? !result : result;
            case UnaryExpr unary:
                var value1 = Evaluate(unary.Operand, scope);
                return unary.Operator switch
                {
                    "not" => !TemplateValues.IsTruthy(value1),
                    "-" => value1 is long l ? (object)(-l) : -TemplateValues.ToDouble(value1),
                    _ => value1 is long or double ? value1 : TemplateValues.ToDouble(value1),
                };
            case BinaryExpr { Operator: "and" } and:
                var left = Evaluate(and.Left, scope);
                return TemplateValues.IsTruthy(left) ? Evaluate(and.Right, scope) : left;
            case BinaryExpr { Operator: "or" } or:
                var first = Evaluate(or.Left, scope);
                return TemplateValues.IsTruthy(first) ? first : Evaluate(or.Right, scope);
            case BinaryExpr binary:
                return TemplateOperators.Binary(binary.Operator, Evaluate(binary.Left, scope), Evaluate(binary.Right, scope));
            case ConditionalExpr conditional:
                return TemplateValues.IsTruthy(Evaluate(conditional.Test, scope)) ? Evaluate(conditional.Then, scope)
                    : conditional.Otherwise is null ? Undefined.Value : Evaluate(conditional.Otherwise, scope);
            default:
                throw new ChatTemplateException($"cannot evaluate {expr.GetType().Name}");
        }
    }

    private object? EvaluateOptional(Expr? expr, TemplateScope scope) => expr is null ? null : Evaluate(expr, scope);

    private static T WithPosition<T>(Func<T> action, Expr at)
    {
        try
        {
            return action();
        }
        catch (ChatTemplateException e) when (e.Line == 0 && !e.RaisedByTemplate)
        {
            throw new ChatTemplateException(e.Message, at.Line, at.Column, e) { IsUnsupported = e.IsUnsupported };
        }
    }

    private (List<object?> Positional, KeywordArguments Keywords) EvaluateArguments(List<Argument> arguments, TemplateScope scope)
    {
        var positional = new List<object?>();
        var keywords = new KeywordArguments();
        foreach (var argument in arguments)
        {
            var value = Evaluate(argument.Value, scope);
            if (argument.Name is not null) keywords.Items[argument.Name] = value;
            else if (argument.Spread && value is List<object?> spread) positional.AddRange(spread);
            else positional.Add(value);
        }
        return (positional, keywords);
    }
}

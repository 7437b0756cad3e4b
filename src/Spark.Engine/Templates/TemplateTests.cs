namespace Spark.Engine.Templates;

/// <summary>The Jinja tests (<c>value is name</c>) chat templates use.</summary>
internal static class TemplateTests
{
    public static bool Apply(string name, object? value, List<object?> args)
    {
        object? arg = args.Count > 0 ? args[0] : Undefined.Value;
        return name switch
        {
            "defined" => value is not Undefined,
            "undefined" => value is Undefined,
            "none" => value is null,
            "boolean" => value is bool,
            "true" => value is true,
            "false" => value is false,
            "string" => value is string,
            "number" => value is long or double,
            "integer" => value is long,
            "float" => value is double,
            "iterable" => value is List<object?> or string or TemplateObject,
            "sequence" => value is List<object?> or string,
            "mapping" => value is TemplateObject and not KeywordArguments,
            "callable" => value is TemplateFunction,
            "odd" => Integer(value, name) % 2 != 0,
            "even" => Integer(value, name) % 2 == 0,
            "divisibleby" => Integer(arg, name) != 0 && Integer(value, name) % Integer(arg, name) == 0,
            "equalto" or "eq" or "==" => TemplateValues.LooseEquals(value, arg),
            "ne" or "!=" => !TemplateValues.LooseEquals(value, arg),
            "lt" or "lessthan" or "<" => TemplateValues.Compare(value, arg) < 0,
            "le" or "<=" => TemplateValues.Compare(value, arg) <= 0,
            "gt" or "greaterthan" or ">" => TemplateValues.Compare(value, arg) > 0,
            "ge" or ">=" => TemplateValues.Compare(value, arg) >= 0,
            "in" => TemplateOperators.Contains(arg, value),
            "sameas" => TemplateValues.StrictEquals(value, arg),
            "lower" => value is string s && s == s.ToLowerInvariant(),
            "upper" => value is string u && u == u.ToUpperInvariant(),
            _ => throw new ChatTemplateException($"unsupported test '{name}'") { IsUnsupported = true },
        };
    }


    private static long Integer(object? value, string test) =>
        value as long? ?? throw new ChatTemplateException($"test '{test}' needs an integer, not a {TemplateValues.TypeName(value)}");
}

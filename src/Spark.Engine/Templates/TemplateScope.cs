namespace Spark.Engine.Templates;

/// <summary>Variables of one scope (template, loop body, macro call) with a link to the enclosing scope.</summary>
internal sealed class TemplateScope(TemplateScope? parent)
{
    private readonly Dictionary<string, object?> _variables = new(StringComparer.Ordinal);

    public TemplateScope? Parent { get; } = parent;

    public void Set(string name, object? value) => _variables[name] = value;

    public object? Lookup(string name)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
            if (scope._variables.TryGetValue(name, out var value)) return value;
        return Undefined.Value;
    }
}

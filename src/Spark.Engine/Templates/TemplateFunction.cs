namespace Spark.Engine.Templates;

/// <summary>A callable template value: a builtin global, a bound method, a macro or <c>caller</c>.</summary>
internal sealed class TemplateFunction(string name, Func<List<object?>, KeywordArguments, object?> body)
{
    public string Name { get; } = name;

    public object? Invoke(List<object?> positional, KeywordArguments keywords) => body(positional, keywords);
}

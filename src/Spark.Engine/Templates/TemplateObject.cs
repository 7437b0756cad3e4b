namespace Spark.Engine.Templates;

/// <summary>A template mapping (a JSON object, dict literal or namespace) that keeps insertion order.</summary>
internal class TemplateObject
{
    public OrderedDictionary<string, object?> Items { get; } = new(StringComparer.Ordinal);

    public object? Get(string key) => Items.TryGetValue(key, out var value) ? value : Undefined.Value;
}

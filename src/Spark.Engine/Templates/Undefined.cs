namespace Spark.Engine.Templates;

/// <summary>The value of a missing variable or attribute: falsy, prints as nothing, iterates as empty.</summary>
internal sealed class Undefined
{
    public static readonly Undefined Value = new();

    private Undefined() { }

    public override string ToString() => "";
}

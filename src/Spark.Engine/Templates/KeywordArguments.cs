namespace Spark.Engine.Templates;

/// <summary>The <c>name=value</c> arguments of one call, passed to macros and builtins.</summary>
internal sealed class KeywordArguments : TemplateObject
{
}

using System.Text.Json.Nodes;
using Spark.Engine.Templates;

namespace Spark.Engine.Tests.Templates;

/// <summary>Renders a template source with variables given as JSON text.</summary>
internal static class TemplateRender
{
    public static readonly ChatTemplateOptions Options = new() { Now = new DateTime(2026, 11, 24, 13, 5, 9) };

    public static string Render(string source, string variablesJson = "{}") =>
        ChatTemplate.Parse(source).Render(JsonNode.Parse(variablesJson)!.AsObject(), Options);
}

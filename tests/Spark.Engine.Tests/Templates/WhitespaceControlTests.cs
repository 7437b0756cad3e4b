using static Spark.Engine.Tests.Templates.TemplateRender;

namespace Spark.Engine.Tests.Templates;

public class WhitespaceControlTests
{
    [Fact]
    public void Render_TrailingNewline_IsDropped() => Assert.Equal("a\nb", Render("a\nb\n"));

    [Fact]
    public void Render_OnlyOneTrailingNewline_IsDropped() => Assert.Equal("a\n", Render("a\n\n"));

    [Fact]
    public void Render_BlockTag_DropsFollowingNewline() => Assert.Equal("x\ny", Render("{% if true %}\nx\n{% endif %}\ny"));

    [Fact]
    public void Render_ExpressionTag_KeepsFollowingNewline() => Assert.Equal("1\n2", Render("{{ 1 }}\n{{ 2 }}"));

    [Fact]
    public void Render_IndentedBlockTag_DropsLeadingSpacesAndTabs() =>
        Assert.Equal("x\n", Render("  \t{% if true %}\nx\n    {% endif %}\n"));

    [Fact]
    public void Render_BlockTagAfterText_KeepsSpacesBeforeIt() => Assert.Equal("a  b", Render("a  {% if true %}b{% endif %}"));

    [Fact]
    public void Render_IndentedExpression_KeepsLeadingSpaces() => Assert.Equal("  1", Render("  {{ 1 }}"));

    [Fact]
    public void Render_DashOnOpen_TrimsAllWhitespaceBefore() => Assert.Equal("a1", Render("a \n\t {{- 1 }}"));

    [Fact]
    public void Render_DashOnClose_TrimsAllWhitespaceAfter() => Assert.Equal("1b", Render("{{ 1 -}} \n\n b"));

    [Fact]
    public void Render_DashedStatementTags_TrimBothSides() =>
        Assert.Equal("ab", Render("a\n  {%- if true -%}\n  b  {%- endif -%}  \n"));

    [Fact]
    public void Render_Comment_ProducesNothingAndTrimsLikeABlock() => Assert.Equal("a\nb", Render("a\n  {# note #}\nb"));

    [Fact]
    public void Render_DashedComment_TrimsBothSides() => Assert.Equal("ab", Render("a  {#- note -#}  b"));

    [Fact]
    public void Render_GenerationTag_IsIgnored() =>
        Assert.Equal("hi", Render("{% generation %}hi{% endgeneration %}"));

    [Fact]
    public void Render_DictLiteralClosingBraces_DoNotEndTheExpression() =>
        Assert.Equal("{\"a\": {\"b\": 1}}", Render("{{ {'a': {'b': 1}}|tojson }}"));
}

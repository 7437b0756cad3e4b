using System.Text.Json.Nodes;
using Spark.Engine.Templates;
using static Spark.Engine.Tests.Templates.TemplateRender;

namespace Spark.Engine.Tests.Templates;

public class ErrorTests
{
    [Fact]
    public void Parse_UnclosedIf_ReportsWhatIsMissing()
    {
        var e = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("a\n{% if x %}b"));
        Assert.Contains("'{% endif %}'", e.Message);
        Assert.Contains("end of template", e.Message);
    }

    [Fact]
    public void Parse_BadToken_ReportsLineAndColumn()
    {
        var e = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("line one\n  {{ 1 + }}"));
        Assert.Equal(2, e.Line);
        Assert.Equal(10, e.Column);
        Assert.Contains("line 2, column 10", e.Message);
        Assert.Contains("'}}'", e.Message);
    }

    [Fact]
    public void Parse_UnexpectedCharacter_NamesIt()
    {
        var e = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("{{ a ! b }}"));
        Assert.Contains("unexpected character '!'", e.Message);
        Assert.Equal((1, 6), (e.Line, e.Column));
    }

    [Fact]
    public void Parse_UnterminatedString_ReportsWhereItStarts()
    {
        var e = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("{{ 'abc }}"));
        Assert.Contains("unterminated string", e.Message);
        Assert.Equal((1, 4), (e.Line, e.Column));
    }

    [Fact]
    public void Parse_UnclosedTag_IsReported()
    {
        var e = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("x {{ a "));
        Assert.Contains("unclosed tag", e.Message);
    }

    [Fact]
    public void Parse_UnclosedComment_IsReported()
    {
        var e = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("x {# a "));
        Assert.Contains("unclosed comment", e.Message);
    }

    [Fact]
    public void Parse_StrayEndTag_IsReported()
    {
        var e = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("{% endfor %}"));
        Assert.Contains("endfor", e.Message);
    }

    [Fact]
    public void Parse_UnsupportedStatement_NamesIt()
    {
        var e = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("{% include 'x.jinja' %}"));
        Assert.True(e.IsUnsupported);
        Assert.Contains("unsupported template statement '{% include %}'", e.Message);
    }

    [Fact]
    public void Render_UnknownFilter_NamesTheFilterAndWhere()
    {
        var e = Assert.Throws<ChatTemplateException>(() => Render("a\n{{ x | frobnicate }}", "{\"x\": 1}"));
        Assert.True(e.IsUnsupported);
        Assert.Contains("unsupported filter 'frobnicate'", e.Message);
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void Render_UnknownTest_NamesTheTest()
    {
        var e = Assert.Throws<ChatTemplateException>(() => Render("{{ x is prime }}", "{\"x\": 1}"));
        Assert.True(e.IsUnsupported);
        Assert.Contains("unsupported test 'prime'", e.Message);
    }

    [Fact]
    public void Render_UnknownMethod_NamesTheMethod()
    {
        var e = Assert.Throws<ChatTemplateException>(() => Render("{{ 'x'.zfill(3) }}"));
        Assert.True(e.IsUnsupported);
        Assert.Contains("'zfill'", e.Message);
    }

    [Fact]
    public void Render_RaiseException_PropagatesTheTemplateMessageExactly()
    {
        var e = Assert.Throws<ChatTemplateException>(() =>
            Render("{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}",
                "{\"messages\": [{\"role\": \"system\"}]}"));
        Assert.Equal("System role not supported", e.Message);
        Assert.True(e.RaisedByTemplate);
        Assert.False(e.IsUnsupported);
    }

    [Fact]
    public void Render_ArithmeticOnUndefined_SaysSo()
    {
        var e = Assert.Throws<ChatTemplateException>(() => Render("{{ missing + 1 }}"));
        Assert.Contains("undefined", e.Message);
        Assert.Equal((1, 1), (e.Line, e.Column));
    }

    [Fact]
    public void Render_NullVariables_Throws() =>
        Assert.Throws<ArgumentNullException>(() => ChatTemplate.Parse("x").Render(null!));

    [Fact]
    public void Render_SameTemplateTwice_GivesTheSameResult()
    {
        var template = ChatTemplate.Parse("{% set ns = namespace(n=0) %}{% set ns.n = ns.n + 1 %}{{ ns.n }}");
        Assert.Equal("1", template.Render(new JsonObject()));
        Assert.Equal("1", template.Render(new JsonObject()));
    }

    [Fact]
    public void Render_RunawayMacroRecursion_StopsWithAnError()
    {
        var e = Assert.Throws<ChatTemplateException>(() => Render("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}"));
        Assert.Contains("macro 'f' nested more than 64 calls deep", e.Message);
    }

    [Fact]
    public void Parse_DeeplyNestedParentheses_StopsWithAnError()
    {
        var e = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("{{ " + new string('(', 5000) + "1" + new string(')', 5000) + " }}"));
        Assert.Contains("nested more than", e.Message);
    }

    [Fact]
    public void Parse_DeeplyNestedBlocks_StopsWithAnError()
    {
        string source = string.Concat(Enumerable.Repeat("{% if true %}", 5000)) + string.Concat(Enumerable.Repeat("{% endif %}", 5000));
        var e = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(source));
        Assert.Contains("nested more than 128 levels deep", e.Message);
    }

    [Fact]
    public void Parse_LongPrefixOperatorChain_DoesNotRecurse() =>
        Assert.Equal("true", Render("{{ " + string.Concat(Enumerable.Repeat("not ", 4999)) + "false }}"));

    [Fact]
    public void Parse_UnknownEscapeInString_NamesTheEscape()
    {
        var e = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("{{ 'a\\qb' }}"));
        Assert.Contains("unknown escape sequence '\\q'", e.Message);
    }

    [Fact]
    public void Parse_NullSource_Throws() => Assert.Throws<ArgumentNullException>(() => ChatTemplate.Parse(null!));

    [Fact]
    public void Render_UnsupportedStrftimeDirective_NamesIt()
    {
        var e = Assert.Throws<ChatTemplateException>(() => Render("{{ strftime_now('%Q') }}"));
        Assert.True(e.IsUnsupported);
        Assert.Contains("'%Q'", e.Message);
    }

    [Fact]
    public void Render_LoopOverNumber_SaysWhatWasGiven()
    {
        var e = Assert.Throws<ChatTemplateException>(() => Render("{% for x in 5 %}{% endfor %}"));
        Assert.Contains("cannot loop over a value of type integer", e.Message);
    }
}

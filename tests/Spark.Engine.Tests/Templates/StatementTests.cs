using static Spark.Engine.Tests.Templates.TemplateRender;

namespace Spark.Engine.Tests.Templates;

public class StatementTests
{
    [Theory]
    [InlineData(1, "one")]
    [InlineData(2, "two")]
    [InlineData(3, "many")]
    public void If_ElifElse_PicksTheFirstTrueBranch(int n, string expected) =>
        Assert.Equal(expected, Render("{% if n == 1 %}one{% elif n == 2 %}two{% else %}many{% endif %}", $"{{\"n\": {n}}}"));

    [Fact]
    public void For_LoopVariables_DescribePosition() =>
        Assert.Equal("1/0/3/T/F;2/1/2/F/F;3/2/1/F/T;",
            Render("{% for x in xs %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.revindex }}/{{ 'T' if loop.first else 'F' }}/{{ 'T' if loop.last else 'F' }};{% endfor %}",
                "{\"xs\": [5, 6, 7]}"));

    [Fact]
    public void For_LoopLength_CountsItems() => Assert.Equal("333", Render("{% for x in [1,2,3] %}{{ loop.length }}{% endfor %}"));

    [Fact]
    public void For_EmptyIterable_RendersElse() => Assert.Equal("none", Render("{% for x in [] %}{{ x }}{% else %}none{% endfor %}"));

    [Fact]
    public void For_TupleUnpackingOverItems_BindsKeyAndValue() =>
        Assert.Equal("a=1,b=2,", Render("{% for k, v in d.items() %}{{ k }}={{ v }},{% endfor %}", "{\"d\": {\"a\": 1, \"b\": 2}}"));

    [Fact]
    public void For_OverMapping_IteratesKeysInOrder() =>
        Assert.Equal("zy", Render("{% for k in d %}{{ k }}{% endfor %}", "{\"d\": {\"z\": 1, \"y\": 2}}"));

    [Fact]
    public void For_InlineIfFilter_SkipsItemsAndCountsOnlyKept() =>
        Assert.Equal("2:2 4:2 ", Render("{% for x in [1,2,3,4] if x is even %}{{ x }}:{{ loop.length }} {% endfor %}"));

    [Fact]
    public void For_FilterInIterable_IsApplied() => Assert.Equal("cba", Render("{% for x in 'abc'|list|reverse %}{{ x }}{% endfor %}"));

    [Fact]
    public void For_BreakAndContinue_ControlTheLoop() =>
        Assert.Equal("13", Render("{% for x in [1,2,3,4,5] %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}"));

    [Fact]
    public void Set_InsideLoop_DoesNotLeakOut() =>
        Assert.Equal("0", Render("{% set n = 0 %}{% for x in [1,2] %}{% set n = x %}{% endfor %}{{ n }}"));

    [Fact]
    public void Set_NamespaceAttribute_SurvivesTheLoop() =>
        Assert.Equal("3", Render("{% set ns = namespace(total=0) %}{% for x in [1,2] %}{% set ns.total = ns.total + x %}{% endfor %}{{ ns.total }}"));

    [Fact]
    public void Set_Block_CapturesRenderedText() =>
        Assert.Equal("[hi 2]", Render("{% set x %}hi {{ 1 + 1 }}{% endset %}[{{ x }}]"));

    [Fact]
    public void Set_TupleTarget_Unpacks() => Assert.Equal("2-1", Render("{% set a, b = 1, 2 %}{{ b }}-{{ a }}"));

    [Fact]
    public void Macro_WithDefaults_UsesPositionalKeywordAndDefault() =>
        Assert.Equal("a-b-z|a-y-c",
            Render("{% macro m(x, y='b', z='z') %}{{ x }}-{{ y }}-{{ z }}{% endmacro %}{{ m('a') }}{{ m('a', 'b', 'z')[5:] }}|{{ m('a', z='c', y='y') }}"));

    [Fact]
    public void CallBlock_CallerRendersTheBody() =>
        Assert.Equal("<b>inner</b>", Render("{% macro wrap() %}<b>{{ caller() }}</b>{% endmacro %}{% call wrap() %}inner{% endcall %}"));

    [Fact]
    public void FilterBlock_AppliesTheFilterToTheBody() => Assert.Equal("HELLO", Render("{% filter upper %}hello{% endfilter %}"));

    [Fact]
    public void StrftimeNow_FormatsTheConfiguredDate() =>
        Assert.Equal("24 Nov 2026|2026-11-24|November 24, 2026|13:05:09",
            Render("{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%Y-%m-%d') }}|{{ strftime_now('%B %d, %Y') }}|{{ strftime_now('%H:%M:%S') }}"));

    [Fact]
    public void Range_GivesIntegers() => Assert.Equal("0,1,2|1,3", Render("{{ range(3)|join(',') }}|{{ range(1, 5, 2)|join(',') }}"));
}

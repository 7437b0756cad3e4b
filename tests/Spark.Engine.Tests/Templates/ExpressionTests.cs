using static Spark.Engine.Tests.Templates.TemplateRender;

namespace Spark.Engine.Tests.Templates;

public class ExpressionTests
{
    [Theory]
    [InlineData("{{ 1 + 2 * 3 }}", "7")]
    [InlineData("{{ (1 + 2) * 3 }}", "9")]
    [InlineData("{{ 7 // 2 }}", "3")]
    [InlineData("{{ 7 % 3 }}", "1")]
    [InlineData("{{ 7 / 2 }}", "3.5")]
    [InlineData("{{ 4 / 2 }}", "2.0")]
    [InlineData("{{ 1.5 + 1 }}", "2.5")]
    [InlineData("{{ -3 + 1 }}", "-2")]
    [InlineData("{{ 2 ** 3 }}", "8")]
    [InlineData("{{ 10 - 2 - 3 }}", "5")]
    public void Arithmetic_FollowsPrecedenceAndKeepsIntegersIntegral(string source, string expected) =>
        Assert.Equal(expected, Render(source));

    [Theory]
    [InlineData("{{ 'a' ~ 1 ~ true }}", "a1true")]
    [InlineData("{{ 'a' + 'b' }}", "ab")]
    [InlineData("{{ 'x' ~ none ~ undefined_name }}", "x")]
    [InlineData("{{ 'ab' 'cd' }}", "abcd")]
    public void Concatenation_JoinsTextOfValues(string source, string expected) => Assert.Equal(expected, Render(source));

    [Theory]
    [InlineData("{{ true }}", "true")]
    [InlineData("{{ false }}", "false")]
    [InlineData("{{ none }}", "")]
    [InlineData("{{ missing }}", "")]
    [InlineData("{{ 3 }}", "3")]
    [InlineData("{{ [1, 'a'] }}", "[1, \"a\"]")]
    public void Output_PrintsValuesLikeTheReference(string source, string expected) => Assert.Equal(expected, Render(source));

    [Theory]
    [InlineData("{{ 1 < 2 and 2 <= 2 and 3 > 2 and 3 >= 3 }}", "true")]
    [InlineData("{{ 1 == 1.0 }}", "true")]
    [InlineData("{{ 'a' != 'b' }}", "true")]
    [InlineData("{{ not 1 == 2 }}", "true")]
    [InlineData("{{ none == missing }}", "true")]
    [InlineData("{{ 'b' in 'abc' }}", "true")]
    [InlineData("{{ 2 not in [1, 3] }}", "true")]
    [InlineData("{{ 'k' in {'k': 1} }}", "true")]
    [InlineData("{{ 'x' in missing }}", "false")]
    public void Comparisons_AndMembership_Work(string source, string expected) => Assert.Equal(expected, Render(source));

    [Theory]
    [InlineData("{{ 0 or 'x' }}", "x")]
    [InlineData("{{ 'y' and 'x' }}", "x")]
    [InlineData("{{ [] or 'empty' }}", "empty")]
    [InlineData("{{ not [] }}", "true")]
    [InlineData("{{ 'a' if 1 > 2 else 'b' }}", "b")]
    [InlineData("[{{ 'a' if false }}]", "[]")]
    public void Logic_ReturnsOperandsAndShortCircuits(string source, string expected) => Assert.Equal(expected, Render(source));

    [Fact]
    public void Logic_ShortCircuit_DoesNotEvaluateTheRightSide() =>
        Assert.Equal("ok", Render("{% if false and raise_exception('boom') %}{% else %}ok{% endif %}"));

    [Theory]
    [InlineData("{{ xs[0] }}{{ xs[-1] }}", "13")]
    [InlineData("{{ xs[1:]|join }}", "23")]
    [InlineData("{{ xs[::-1]|join }}", "321")]
    [InlineData("{{ xs[:-1]|join }}", "12")]
    [InlineData("{{ 'hello'[1:3] }}", "el")]
    [InlineData("{{ 'hello'[::-1] }}", "olleh")]
    [InlineData("{{ xs[10] is defined }}", "false")]
    public void Subscripts_AndSlices_FollowPython(string source, string expected) =>
        Assert.Equal(expected, Render(source, "{\"xs\": [1, 2, 3]}"));

    [Theory]
    [InlineData("{{ m.role }}{{ m['role'] }}", "useruser")]
    [InlineData("{{ m.missing is defined }}", "false")]
    [InlineData("{{ m.missing.deeper is defined }}", "false")]
    [InlineData("{{ m.get('role') }}{{ m.get('x', 'd') }}", "userd")]
    [InlineData("{{ m.keys()|join(',') }}", "role,content")]
    [InlineData("{{ m.values()|join(',') }}", "user,Hi")]
    [InlineData("{{ {'a': 1, 'b': [2]}|tojson }}", "{\"a\": 1, \"b\": [2]}")]
    public void Mappings_SupportAttributesSubscriptsAndMethods(string source, string expected) =>
        Assert.Equal(expected, Render(source, "{\"m\": {\"role\": \"user\", \"content\": \"Hi\"}}"));

    [Theory]
    [InlineData("{{ '  a b  '.strip() }}|", "a b|")]
    [InlineData("{{ '\\n\\nx\\n'.lstrip('\\n') }}|", "x\n|")]
    [InlineData("{{ 'xxaxx'.rstrip('x') }}|", "xxa|")]
    [InlineData("{{ 'Hello'.upper() }}{{ 'Hello'.lower() }}", "HELLOhello")]
    [InlineData("{{ 'hello world'.title() }}", "Hello World")]
    [InlineData("{{ 'abc'.startswith('ab') }}{{ 'abc'.endswith(('x', 'c')) }}", "truetrue")]
    [InlineData("{{ 'a</think>b'.split('</think>')[-1] }}", "b")]
    [InlineData("{{ 'a b  c'.split()|length }}", "3")]
    [InlineData("{{ 'a,b,c'.split(',', 1)|tojson }}", "[\"a\", \"b,c\"]")]
    [InlineData("{{ 'aaa'.replace('a', 'b', 2) }}", "bba")]
    public void StringMethods_BehaveLikePython(string source, string expected) => Assert.Equal(expected, Render(source));

    [Theory]
    [InlineData("{{ x is defined }}{{ y is not defined }}", "truetrue")]
    [InlineData("{{ n is none }}{{ x is not none }}", "truetrue")]
    [InlineData("{{ x is string }}{{ 1 is string }}", "truefalse")]
    [InlineData("{{ d is mapping }}{{ xs is mapping }}", "truefalse")]
    [InlineData("{{ xs is iterable }}{{ x is iterable }}{{ 1 is iterable }}", "truetruefalse")]
    [InlineData("{{ xs is sequence }}{{ 1 is sequence }}", "truefalse")]
    [InlineData("{{ 1 is number }}{{ 1.5 is number }}{{ x is number }}", "truetruefalse")]
    [InlineData("{{ b is boolean }}{{ b is true }}{{ b is false }}", "truetruefalse")]
    [InlineData("{{ 3 is odd }}{{ 3 is even }}{{ 9 is divisibleby(3) }}", "truefalsetrue")]
    [InlineData("{{ x is equalto 'a' }}", "true")]
    public void Tests_ClassifyValues(string source, string expected) =>
        Assert.Equal(expected, Render(source, "{\"x\": \"a\", \"n\": null, \"d\": {}, \"xs\": [1], \"b\": true}"));

    [Fact]
    public void Variables_FromJson_KeepIntegralNumbersIntegral() =>
        Assert.Equal("2|2.5", Render("{{ a }}|{{ b }}", "{\"a\": 2.0, \"b\": 2.5}"));

    [Fact]
    public void Variables_BuiltInCode_ConvertLikeParsedJson()
    {
        var variables = new System.Text.Json.Nodes.JsonObject { ["n"] = 3, ["f"] = 1.5, ["b"] = true, ["s"] = "x", ["z"] = null };
        Assert.Equal("3|1.5|true|x|true", Spark.Engine.Templates.ChatTemplate.Parse("{{ n }}|{{ f }}|{{ b }}|{{ s }}|{{ z is none }}")
            .Render(variables));
    }
}

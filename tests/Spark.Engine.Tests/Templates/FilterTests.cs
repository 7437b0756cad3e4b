using static Spark.Engine.Tests.Templates.TemplateRender;

namespace Spark.Engine.Tests.Templates;

public class FilterTests
{
    private const string Vars = """
        {"msgs": [{"role": "system", "content": "S"}, {"role": "user", "content": "U1"}, {"role": "user", "content": "U2", "x": 1}],
         "d": {"b": 2, "a": 1}, "words": ["b", "A", "c", "b"], "nums": [3, -1, 2]}
        """;

    [Theory]
    [InlineData("{{ d|tojson }}", "{\"b\": 2, \"a\": 1}")]
    [InlineData("{{ d|tojson(indent=2) }}", "{\n  \"b\": 2,\n  \"a\": 1\n}")]
    [InlineData("{{ [1, [2]]|tojson(indent=2) }}", "[\n  1,\n  [\n    2\n  ]\n]")]
    [InlineData("{{ d|tojson(separators=(',', ':')) }}", "{\"b\":2,\"a\":1}")]
    [InlineData("{{ d|tojson(sort_keys=true) }}", "{\"a\": 1, \"b\": 2}")]
    [InlineData("{{ 'é\"\\n<'|tojson }}", "\"é\\\"\\n<\"")]
    [InlineData("{{ [none, true, 1.5, 2.0]|tojson }}", "[null, true, 1.5, 2]")]
    public void Tojson_MatchesJavaScriptJsonStringify(string source, string expected) => Assert.Equal(expected, Render(source, Vars));

    [Theory]
    [InlineData("{{ '  x  '|trim }}|", "x|")]
    [InlineData("{{ msgs|length }}{{ 'abc'|length }}{{ d|count }}", "332")]
    [InlineData("{{ words|join(', ') }}", "b, A, c, b")]
    [InlineData("{{ msgs|map(attribute='role')|join(',') }}", "system,user,user")]
    [InlineData("{{ missing|default('dflt') }}{{ ''|default('e', true) }}{{ 'v'|default('no') }}", "dfltev")]
    [InlineData("{{ words|first }}{{ words|last }}", "bb")]
    [InlineData("{{ words|unique|join }}", "bAc")]
    [InlineData("{{ words|sort|join }}", "Abbc")]
    [InlineData("{{ words|sort(reverse=true)|join }}", "cbbA")]
    [InlineData("{{ nums|max }}{{ nums|min }}{{ nums|sum }}", "3-14")]
    [InlineData("{{ -5|abs }}{{ 1 -1 }}{{ [-1, +2]|sum }}", "501")]
    [InlineData("{{ (-5)|abs }}{{ 2.567|round(2) }}", "52.57")]
    [InlineData("{{ '42'|int + 1 }}{{ 'x'|int }}{{ '1.5'|float }}", "4301.5")]
    [InlineData("{{ 'hello'|upper }}{{ 'HeLLo'|lower }}{{ 'hello'|capitalize }}{{ 'a b'|title }}", "HELLOhelloHelloA B")]
    [InlineData("{{ 'aXbX'|replace('X', '-') }}", "a-b-")]
    [InlineData("{{ 'a\nb\n\nc'|indent(2) }}", "a\n  b\n\n  c")]
    [InlineData("{{ 'a\nb'|indent(2, first=true) }}", "  a\n  b")]
    [InlineData("{{ d|items|list|length }}", "2")]
    [InlineData("{{ d|dictsort|tojson }}", "[[\"a\", 1], [\"b\", 2]]")]
    [InlineData("{{ '<a&b>'|escape }}{{ '<i>'|safe }}", "&lt;a&amp;b&gt;<i>")]
    [InlineData("{{ 5|string ~ 'x' }}{{ true|string }}", "5xtrue")]
    [InlineData("{{ 'abc'|list|reverse|join }}", "cba")]
    public void Filters_TransformValues(string source, string expected) => Assert.Equal(expected, Render(source, Vars));

    [Theory]
    [InlineData("{{ msgs|selectattr('role', 'equalto', 'user')|list|length }}", "2")]
    [InlineData("{{ msgs|rejectattr('role', 'equalto', 'user')|map(attribute='content')|join }}", "S")]
    [InlineData("{{ msgs|selectattr('x')|map(attribute='content')|join }}", "U2")]
    [InlineData("{{ msgs|selectattr('x', 'defined')|list|length }}", "1")]
    [InlineData("{{ words|reject('equalto', 'b')|join }}", "Ac")]
    [InlineData("{{ nums|select('odd')|join(',') }}", "3,-1")]
    [InlineData("{{ words|map('upper')|join }}", "BACB")]
    public void SelectionFilters_KeepOrDropItems(string source, string expected) => Assert.Equal(expected, Render(source, Vars));
}

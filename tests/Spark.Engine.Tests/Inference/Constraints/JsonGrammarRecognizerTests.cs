using System.Text;
using System.Text.Json;
using Spark.Engine.Inference.Constraints;

namespace Spark.Engine.Tests.Inference.Constraints;

public sealed class JsonGrammarRecognizerTests
{
    private static SchemaNode Schema(string json) => SchemaNode.Compile(JsonDocument.Parse(json).RootElement);

    private static bool Matches(SchemaNode schema, string text)
    {
        var r = new JsonGrammarRecognizer(schema);
        return r.Accept(Encoding.UTF8.GetBytes(text)) && r.IsComplete;
    }

    private static bool IsPrefix(SchemaNode schema, string text) => new JsonGrammarRecognizer(schema).Accept(Encoding.UTF8.GetBytes(text));

    private const string Weather = """
        {"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"},"unit":{"enum":["c","f"]}},
         "required":["city","days"],"additionalProperties":false}
        """;

    [Theory]
    [InlineData("""{"city": "Paris", "days": 3}""")]
    [InlineData("""{"days":3,"city":"Paris","unit":"c"}""")]
    [InlineData("""{"city": "Pa\"ris \u00e9", "days": -12}""")]
    [InlineData("""{"city": "Zürich", "days": 0}""")]
    public void Object_AcceptsRequiredPropertiesInAnyOrder(string text) => Assert.True(Matches(Schema(Weather), text));

    [Theory]
    [InlineData("""{"city": "Paris"}""")]                       // days missing
    [InlineData("""{"city": "Paris", "days": 3.5}""")]          // integer with a fraction
    [InlineData("""{"city": "Paris", "days": 3, "x": 1}""")]    // additionalProperties false
    [InlineData("""{"city": "Paris", "days": 3, "unit": "k"}""")] // not in the enum
    [InlineData("""{"city": 5, "days": 3}""")]                  // wrong type
    [InlineData("""{"city": "Paris", "city": "Rome", "days": 3}""")] // duplicate key
    [InlineData("""{"city": "Paris",  "days": 3}""")]           // two spaces
    [InlineData("""{"city": "Paris", "days": 03}""")]           // leading zero
    [InlineData("{\"city\": \"a\nb\", \"days\": 3}")]             // raw control character
    public void Object_RejectsWhatTheSchemaForbids(string text) => Assert.False(Matches(Schema(Weather), text));

    [Fact]
    public void Object_WithoutAdditionalProperties_GeneratesOnlyDeclaredKeys()
    {
        var schema = Schema("""{"type":"object","properties":{"a":{"type":"boolean"}}}""");
        Assert.True(Matches(schema, """{"a": true}"""));
        Assert.False(Matches(schema, """{"b": 1}"""));
        Assert.True(Matches(Schema("""{"type":"object"}"""), """{"b": 1}"""));
    }

    [Fact]
    public void Integers_StayWithinInt64()
    {
        Assert.True(Matches(Schema("""{"type":"integer"}"""), "-123456789012345"));
        Assert.False(Matches(Schema("""{"type":"integer"}"""), "12345678901234567"));
    }

    [Fact]
    public void Object_WithAdditionalProperties_AcceptsFreeKeysWithAnyValues()
    {
        var schema = Schema("""{"type":"object","properties":{"a":{"type":"boolean"}},"required":["a"],"additionalProperties":true}""");
        Assert.True(Matches(schema, """{"zz": [1, {"q": null}], "a": true}"""));
        Assert.True(Matches(schema, """{"a": false, "ab": "x"}"""));
        Assert.False(Matches(schema, """{"zz": 1}"""));
    }

    [Theory]
    [InlineData("""{"type":"number"}""", "-1.5e+3", true)]
    [InlineData("""{"type":"number"}""", "0.25", true)]
    [InlineData("""{"type":"number"}""", "1.", false)]
    [InlineData("""{"type":"number"}""", "-", false)]
    [InlineData("""{"type":"integer"}""", "42", true)]
    [InlineData("""{"type":"integer"}""", "4e2", false)]
    [InlineData("""{"type":"boolean"}""", "true", true)]
    [InlineData("""{"type":"boolean"}""", "tru", false)]
    [InlineData("""{"type":"null"}""", "null", true)]
    [InlineData("""{"type":"string","minLength":2,"maxLength":3}""", "\"ab\"", true)]
    [InlineData("""{"type":"string","minLength":2,"maxLength":3}""", "\"a\"", false)]
    [InlineData("""{"type":"string","minLength":2,"maxLength":3}""", "\"abcd\"", false)]
    [InlineData("""{"type":"string"}""", "\"tab\\tquote\\\"\\u00FFend\"", true)]
    [InlineData("""{"type":"string"}""", "\"bad \\x escape\"", false)]
    [InlineData("""{"type":"string","maxLength":2}""", "\"é€\"", true)]
    [InlineData("""{"type":"string","maxLength":1}""", "\"é€\"", false)]
    [InlineData("""{"type":"array","items":{"type":"integer"},"minItems":1,"maxItems":2}""", "[1, 2]", true)]
    [InlineData("""{"type":"array","items":{"type":"integer"},"minItems":1,"maxItems":2}""", "[]", false)]
    [InlineData("""{"type":"array","items":{"type":"integer"},"minItems":1,"maxItems":2}""", "[1,2,3]", false)]
    [InlineData("""{"type":"array","items":{"type":"integer"}}""", "[1,\"x\"]", false)]
    [InlineData("""{"enum":[1, 10, "x"]}""", "10", true)]
    [InlineData("""{"enum":[1, 10, "x"]}""", "1", true)]
    [InlineData("""{"enum":[1, 10, "x"]}""", "\"x\"", true)]
    [InlineData("""{"enum":[1, 10, "x"]}""", "100", false)]
    [InlineData("""{"const":{"k":[true]}}""", """{"k":[true]}""", true)]
    [InlineData("""{"anyOf":[{"type":"string"}]}""", "[1, {\"a\": null}]", true)]  // unsupported keyword: any JSON value
    [InlineData("""{"type":["string","null"]}""", "false", true)]
    [InlineData("""{}""", "{\"a\": [1, 2.5, \"s\", true, false, null]}", true)]
    [InlineData("""{}""", "{\"a\" 1}", false)]
    public void Values_FollowTheirSchema(string schema, string text, bool expected) => Assert.Equal(expected, Matches(Schema(schema), text));

    [Theory]
    [InlineData(new byte[] { 0x22, 0x80 })]             // a stray continuation byte
    [InlineData(new byte[] { 0x22, 0xC3, 0x22 })]       // a character cut short
    [InlineData(new byte[] { 0x22, 0xC0, 0x80 })]       // an overlong lead byte
    [InlineData(new byte[] { 0x22, 0xF8 })]             // not UTF-8 at all
    public void Strings_RejectInvalidUtf8(byte[] bytes) =>
        Assert.False(new JsonGrammarRecognizer(Schema("""{"type":"string"}""")).Accept(bytes));

    [Fact]
    public void NestedObjectsAndArrays_AreChecked()
    {
        var schema = Schema("""
            {"type":"object","properties":{"items":{"type":"array","items":{"type":"object",
              "properties":{"id":{"type":"integer"},"tags":{"type":"array","items":{"type":"string"}}},"required":["id"],"additionalProperties":false}}},
             "required":["items"],"additionalProperties":false}
            """);
        Assert.True(Matches(schema, """{"items": [{"id": 1, "tags": ["a", "b"]}, {"id": 2}]}"""));
        Assert.False(Matches(schema, """{"items": [{"tags": []}]}"""));
        Assert.False(Matches(schema, """{"items": [{"id": 1, "tags": [3]}]}"""));
    }

    [Fact]
    public void Prefixes_AreAcceptedButNotComplete()
    {
        var schema = Schema(Weather);
        var r = new JsonGrammarRecognizer(schema);
        Assert.True(r.Accept("{\"ci"u8));
        Assert.False(r.IsComplete);
        Assert.False(IsPrefix(schema, "{\"co"));
        Assert.True(IsPrefix(schema, "{\"city\": \"Par"));
    }

    [Fact]
    public void ToolCall_HermesEnvelope_NamesATool()
    {
        var grammar = new ToolCallGrammar(ToolCallFormat.Hermes, [new ToolSignature("get_weather", Schema(Weather)), new ToolSignature("get_time", SchemaNode.AnyValue)]);
        var r = new JsonGrammarRecognizer(grammar);
        Assert.True(r.Accept(Encoding.UTF8.GetBytes(" <tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>")));
        Assert.True(r.IsComplete);
        Assert.Equal(1, r.ChosenTool);
        Assert.False(r.Accept((byte)'x'));

        var bad = new JsonGrammarRecognizer(grammar);
        Assert.False(bad.Accept(Encoding.UTF8.GetBytes("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"x\"}}")));
        Assert.False(new JsonGrammarRecognizer(grammar).Accept(Encoding.UTF8.GetBytes("<tool_call>\n{\"name\": \"nope\"")));
    }

    [Fact]
    public void ToolCall_Llama3Envelope_UsesParameters()
    {
        var grammar = new ToolCallGrammar(ToolCallFormat.Llama3Json, [new ToolSignature("f", Schema("""{"type":"object","properties":{"x":{"type":"number"}},"required":["x"]}"""))]);
        var r = new JsonGrammarRecognizer(grammar);
        Assert.True(r.Accept("{\"name\": \"f\", \"parameters\": {\"x\": 2}}"u8));
        Assert.True(r.IsComplete);
    }

    [Fact]
    public void CopyFrom_TriesBytesWithoutChangingTheOriginal()
    {
        var schema = Schema(Weather);
        var a = new JsonGrammarRecognizer(schema);
        var b = new JsonGrammarRecognizer(schema);
        Assert.True(a.Accept("{\"city\": "u8));
        b.CopyFrom(a);
        Assert.False(b.Accept("5"u8));
        Assert.True(a.Accept("\"x\", \"days\": 1}"u8));
        Assert.True(a.IsComplete);
    }

    [Fact]
    public void Compile_BadSchema_NamesTheKeyword()
    {
        var e = Assert.Throws<ArgumentException>(() => Schema("""{"type":"object","properties":{"a":{"type":"strin"}}}"""));
        Assert.Contains("strin", e.Message);
        Assert.Contains("#/properties/a", e.Message);
        e = Assert.Throws<ArgumentException>(() => Schema("""{"type":"object","properties":{},"required":["zz"]}"""));
        Assert.Contains("zz", e.Message);
    }
}

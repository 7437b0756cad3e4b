using System.Text;
using System.Text.Json;
using Spark.Server.Tools;
using Spark.Testing;

namespace Spark.Server.Tests.Tools;

/// <summary>Golden model outputs split at every boundary (and into single chars) parse the same way every time.</summary>
public class ToolCallParserTests
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private sealed class Recorder : IToolCallListener
    {
        public readonly List<string> Events = [];
        private readonly StringBuilder _text = new();

        private readonly StringBuilder _arguments = new();
        private string? _started;

        public void OnText(ReadOnlySpan<char> text)
        {
            Assert.Null(_started); // no text inside a call
            _text.Append(text);
        }

        public void OnToolCallStart(string name)
        {
            Assert.Null(_started);
            _started = name;
            _arguments.Clear();
        }

        public void OnToolCallArguments(ReadOnlySpan<char> delta)
        {
            Assert.NotNull(_started);
            _arguments.Append(delta);
        }

        public void OnToolCall(string name, string arguments)
        {
            Assert.Equal(_started, name);
            Assert.Equal(_arguments.ToString(), arguments); // the deltas add up to the arguments
            _started = null;
            FlushText();
            Events.Add($"call {name} {JsonSerializer.Serialize(JsonDocument.Parse(arguments).RootElement, Relaxed)}");
        }

        public void FlushText()
        {
            if (_text.Length > 0) Events.Add("text " + _text);
            _text.Clear();
        }
    }

    private static readonly HashSet<string> Tools = ["get_weather", "noop"];

    private static List<string> Parse(params string[] pieces) => Parse(false, pieces);

    private static List<string> Parse(bool stream, params string[] pieces)
    {
        var parser = new ToolCallParser(Tools.Contains, stream);
        var recorder = new Recorder();
        foreach (var p in pieces) parser.Feed(p, recorder);
        parser.Finish(recorder);
        recorder.FlushText();
        return recorder.Events;
    }

    public static TheoryData<string, string[]> Golden => new()
    {
        // Qwen2.5 / Hermes, with text before
        { "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>",
          ["text Let me check.\n", "call get_weather {\"city\":\"Paris\"}"] },
        // two parallel Hermes calls
        { "<tool_call>\n{\"name\": \"noop\", \"arguments\": {}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"a<b\"}}\n</tool_call>",
          ["call noop {}", "call get_weather {\"city\":\"a<b\"}"] },
        // Llama 3.x JSON call at the start, "parameters"
        { "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Rome\", \"days\": 2}}",
          ["call get_weather {\"city\":\"Rome\",\"days\":2}"] },
        // Llama 3.1 python_tag
        { "<|python_tag|>{\"name\": \"noop\", \"parameters\": {}}", ["call noop {}"] },
        // arguments as a JSON string
        { "<tool_call>{\"name\": \"noop\", \"arguments\": \"{\\\"x\\\": 1}\"}</tool_call>", ["call noop {\"x\":1}"] },
        // malformed: bad JSON, unknown tool, unterminated call, JSON that is not a call, tag-like text
        { "<tool_call>\n{\"name\": \"noop\", \"arguments\": {\n</tool_call>",
          ["text <tool_call>\n{\"name\": \"noop\", \"arguments\": {\n</tool_call>"] },
        { "<tool_call>{\"name\": \"rm_rf\", \"arguments\": {}}</tool_call>", ["text <tool_call>{\"name\": \"rm_rf\", \"arguments\": {}}</tool_call>"] },
        { "Sure <tool_call>{\"name\": \"noop\"", ["text Sure <tool_call>{\"name\": \"noop\""] },
        { "{\"answer\": 42} is the JSON", ["text {\"answer\": 42} is the JSON"] },
        { "a <b> and <tool and <|python and 1 < 2", ["text a <b> and <tool and <|python and 1 < 2"] },
        { "  plain text, no calls", ["text   plain text, no calls"] },
        { "<tool_cal", ["text <tool_cal"] },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void Parse_WholeAndSplitAtEveryBoundary_GivesTheSameResult(string output, string[] expected)
    {
        Assert.Equal(expected, Parse(output));
        for (int cut = 1; cut < output.Length; cut++)
            Assert.Equal(expected, Parse(output[..cut], output[cut..]));
        Assert.Equal(expected, Parse(output.Select(c => c.ToString()).ToArray()));
    }

    [Theory]
    [MemberData(nameof(Golden))]
    public void Parse_StreamingArguments_WellFormedCallsGiveTheSameResultAtEveryBoundary(string output, string[] expected)
    {
        if (expected.Any(e => e.StartsWith("text <", StringComparison.Ordinal) || e.StartsWith("text Sure", StringComparison.Ordinal))) return; // malformed calls: see below
        Assert.Equal(expected, Parse(true, output));
        for (int cut = 1; cut < output.Length; cut++)
            Assert.Equal(expected, Parse(true, output[..cut], output[cut..]));
        Assert.Equal(expected, Parse(true, output.Select(c => c.ToString()).ToArray()));
    }

    [Fact]
    public void Parse_StreamingArguments_ReportsArgumentsBeforeTheCallEnds()
    {
        var parser = new ToolCallParser(Tools.Contains, streamArguments: true);
        var recorder = new Recorder();
        parser.Feed("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Par", recorder);
        parser.Feed("is\"}}\n</tool_call>", recorder);
        parser.Finish(recorder);
        Assert.Equal(["call get_weather {\"city\":\"Paris\"}"], recorder.Events);

        var live = new LiveRecorder();
        parser = new ToolCallParser(Tools.Contains, streamArguments: true);
        parser.Feed("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Par", live);
        Assert.Equal("get_weather", live.Started);
        Assert.Equal("{\"city\": \"Par", live.Arguments.ToString());
        parser.Feed("is\"", live);
        parser.Finish(live); // cut off by a token limit: the call still ends, with what was written
        Assert.Equal("{\"city\": \"Paris\"", live.Ended);
    }

    private sealed class LiveRecorder : IToolCallListener
    {
        public string? Started, Ended;
        public readonly StringBuilder Arguments = new();
        public void OnText(ReadOnlySpan<char> text) { }
        public void OnToolCallStart(string name) => Started = name;
        public void OnToolCallArguments(ReadOnlySpan<char> delta) => Arguments.Append(delta);
        public void OnToolCall(string name, string arguments) => Ended = arguments;
    }

    [Fact]
    public void Parse_RandomSplits_GiveTheSameResult()
    {
        var rng = new Random(7);
        foreach (var row in Golden)
        {
            string output = (string)row[0];
            var expected = (string[])row[1];
            for (int trial = 0; trial < 20; trial++)
            {
                var pieces = new List<string>();
                for (int i = 0; i < output.Length;)
                {
                    int n = Math.Min(rng.Next(1, 6), output.Length - i);
                    pieces.Add(output.Substring(i, n));
                    i += n;
                }
                Assert.Equal(expected, Parse([.. pieces]));
            }
        }
    }

    [Fact]
    public void Parse_PlainText_AllocatesNothing()
    {
        var parser = new ToolCallParser(Tools.Contains);
        var recorder = new NullListener();
        parser.Feed("Hello", recorder);
        Assert.Equal(0, SteadyStateAllocations.Measure(() =>
        {
            for (int i = 0; i < 1000; i++) parser.Feed(" token", recorder);
        }));
    }

    private sealed class NullListener : IToolCallListener
    {
        public void OnText(ReadOnlySpan<char> text) { }
        public void OnToolCallStart(string name) { }
        public void OnToolCallArguments(ReadOnlySpan<char> delta) { }
        public void OnToolCall(string name, string arguments) { }
    }
}

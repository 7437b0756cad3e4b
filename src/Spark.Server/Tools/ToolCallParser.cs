using System.Text;
using System.Text.Json;

namespace Spark.Server.Tools;

/// <summary>What a <see cref="ToolCallParser"/> found in the model's output.</summary>
internal interface IToolCallListener
{
    /// <summary>Plain text, in order; the span is only valid during the call.</summary>
    void OnText(ReadOnlySpan<char> text);

    /// <summary>A call of <paramref name="name"/> begins; its arguments follow.</summary>
    void OnToolCallStart(string name);

    /// <summary>More of the current call's arguments (JSON text); the span is only valid during the call.</summary>
    void OnToolCallArguments(ReadOnlySpan<char> delta);

    /// <summary>The current call is complete: its name and whole arguments, a JSON object text.</summary>
    void OnToolCall(string name, string arguments);
}

/// <summary>
/// Finds tool calls in streamed model output, whatever the token boundaries: Qwen2.5/Hermes
/// <c>&lt;tool_call&gt;{"name": …, "arguments": …}&lt;/tool_call&gt;</c> anywhere, Llama 3.x JSON calls
/// (<c>{"name": …, "parameters"|"arguments": …}</c>) at the start of the message or after a call, and
/// <c>&lt;|python_tag|&gt;</c> followed by such JSON. Text around calls passes through at once except a possible
/// tag start, which is held until it is decided. A call that does not parse, or names a tool that was not offered,
/// comes out as the text it was; so a call is reported (start, arguments, end) once it is complete — except with
/// <c>streamArguments</c>, used when decoding is constrained to a valid call: then the call starts as soon as its
/// name is known and its arguments are reported as they arrive. Plain text allocates nothing.
/// </summary>
internal sealed class ToolCallParser(Func<string, bool> isTool, bool streamArguments = false)
{
    private static readonly System.Text.RegularExpressions.Regex Header = new(
        """\G\s*\{\s*"name"\s*:\s*"([^"\\]+)"\s*,\s*"(?:arguments|parameters)"\s*:\s*(?=\{)""",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    // a streamed call: its name, where its arguments start in _held, how far they were reported, where they end
    private string? _streamName;
    private int _argsStart, _argsSent, _argsEnd = -1, _argsDepth;
    private bool _argsInString, _argsEscaped;
    private char[] _argsBuffer = new char[256];
    private const string CallOpen = "<tool_call>";
    private const string CallClose = "</tool_call>";
    private const string PythonTag = "<|python_tag|>";

    private enum Mode { Start, Text, TaggedCall, JsonCall, PythonCall }

    private readonly StringBuilder _held = new();
    private readonly StringBuilder _blank = new(); // whitespace before a possible call: dropped if one follows
    private Mode _mode = Mode.Start;
    private int _depth;      // JsonCall: brace depth outside strings
    private bool _inString;
    private bool _escaped;

    /// <summary>How many calls were found so far.</summary>
    public int Calls { get; private set; }

    public void Feed(ReadOnlySpan<char> text, IToolCallListener listener)
    {
        while (!text.IsEmpty)
        {
            switch (_mode)
            {
                case Mode.Start:
                    text = FeedStart(text, listener);
                    break;
                case Mode.Text:
                    text = FeedText(text, listener);
                    break;
                case Mode.TaggedCall:
                    text = FeedTagged(text, listener);
                    break;
                case Mode.JsonCall:
                    text = FeedJson(text, listener);
                    break;
                case Mode.PythonCall:
                    _held.Append(text);
                    text = default;
                    break;
            }
        }
    }

    /// <summary>The output ended: a call still open is text.</summary>
    public void Finish(IToolCallListener listener)
    {
        if (_streamName is not null)
        {
            // the output stopped inside a streamed call (a token limit): end it with what was written
            string name = _streamName;
            string arguments = _held.ToString(_argsStart, _argsSent - _argsStart);
            ResetStream();
            _held.Clear();
            _mode = Mode.Text;
            listener.OnToolCall(name, arguments);
            return;
        }
        FlushBlank(listener);
        if (_mode == Mode.TaggedCall) listener.OnText(CallOpen); // an unterminated call is text, tag and all
        if (_mode == Mode.PythonCall)
        {
            string body = _held.ToString(PythonTag.Length, _held.Length - PythonTag.Length);
            if (!TryEmit(body, listener)) Flush(listener);
            _held.Clear();
        }
        else Flush(listener);
        _mode = Mode.Text;
    }

    // before anything but whitespace: whitespace is held (dropped if a call follows), '{' may open a JSON call
    private ReadOnlySpan<char> FeedStart(ReadOnlySpan<char> text, IToolCallListener listener)
    {
        int i = 0;
        while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
        _blank.Append(text[..i]);
        if (i == text.Length) return default;
        if (text[i] == '{')
        {
            _blank.Clear(); // whitespace before a call is not text
            _mode = Mode.JsonCall;
            _depth = 0;
            _inString = _escaped = false;
            return text[i..];
        }
        _mode = Mode.Text;
        if (text[i] != '<') FlushBlank(listener); // else kept until the tag is decided
        return text[i..];
    }

    private ReadOnlySpan<char> FeedText(ReadOnlySpan<char> text, IToolCallListener listener)
    {
        if (_held.Length > 0)
        {
            // a possible tag start is held: extend it one char at a time until decided
            _held.Append(text[0]);
            var verdict = MatchTag();
            if (verdict == TagMatch.Partial) return text[1..];
            if (verdict == TagMatch.Done) _blank.Clear();
            if (verdict == TagMatch.None)
            {
                // the held '<' was text; what follows it may start a tag again
                FlushBlank(listener);
                string held = _held.ToString();
                _held.Clear();
                listener.OnText(held.AsSpan(0, 1));
                Feed(held.AsSpan(1), listener);
                return text[1..];
            }
            return text[1..];
        }
        int lt = text.IndexOf('<');
        if (lt < 0)
        {
            listener.OnText(text);
            return default;
        }
        if (lt > 0) listener.OnText(text[..lt]);
        _held.Append('<');
        return text[(lt + 1)..];
    }

    private enum TagMatch { None, Partial, Done }

    private TagMatch MatchTag()
    {
        foreach (string tag in (ReadOnlySpan<string>)[CallOpen, PythonTag])
        {
            int n = Math.Min(tag.Length, _held.Length);
            bool prefix = true;
            for (int i = 0; i < n && prefix; i++) prefix = _held[i] == tag[i];
            if (!prefix) continue;
            if (_held.Length < tag.Length) return TagMatch.Partial;
            _mode = tag == CallOpen ? Mode.TaggedCall : Mode.PythonCall;
            if (tag == CallOpen) _held.Clear(); // the python tag stays: Finish reads past it
            return TagMatch.Done;
        }
        return TagMatch.None;
    }

    private ReadOnlySpan<char> FeedTagged(ReadOnlySpan<char> text, IToolCallListener listener)
    {
        int before = _held.Length;
        _held.Append(text);
        int close = IndexOf(_held, CallClose, Math.Max(0, before - CallClose.Length + 1));
        StreamArguments(close < 0 ? _held.Length : close, listener);
        if (close < 0) return default;
        string body = _held.ToString(0, close);
        int consumed = close + CallClose.Length - before; // chars of this text up to the end of the close tag
        _held.Clear();
        if (EndStreamed(body, listener)) { }
        else if (!TryEmit(body, listener))
        {
            listener.OnText(CallOpen);
            listener.OnText(body);
            listener.OnText(CallClose);
        }
        _mode = Mode.Start;
        return text[consumed..];
    }

    private ReadOnlySpan<char> FeedJson(ReadOnlySpan<char> text, IToolCallListener listener)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (_inString)
            {
                if (_escaped) _escaped = false;
                else if (c == '\\') _escaped = true;
                else if (c == '"') _inString = false;
                continue;
            }
            if (c == '"') _inString = true;
            else if (c == '{') _depth++;
            else if (c == '}' && --_depth == 0)
            {
                _held.Append(text[..(i + 1)]);
                StreamArguments(_held.Length, listener);
                string body = _held.ToString();
                _held.Clear();
                if (EndStreamed(body, listener) || TryEmit(body, listener)) _mode = Mode.Start;
                else
                {
                    listener.OnText(body);
                    _mode = Mode.Text;
                }
                return text[(i + 1)..];
            }
        }
        _held.Append(text);
        StreamArguments(_held.Length, listener);
        return default;
    }

    // {"name": "...", "arguments"|"parameters": {...} or "{...}"} naming an offered tool
    private bool TryEmit(string body, IToolCallListener listener)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
                || !isTool(name.GetString()!))
                return false;
            if (!root.TryGetProperty("arguments", out var args) && !root.TryGetProperty("parameters", out args)) return false;
            string? arguments = args.ValueKind switch
            {
                JsonValueKind.Object => args.GetRawText(),
                JsonValueKind.String => IsJsonObject(args.GetString()!) ? args.GetString() : null,
                _ => null,
            };
            if (arguments is null) return false;
            Calls++;
            listener.OnToolCallStart(name.GetString()!);
            listener.OnToolCallArguments(arguments);
            listener.OnToolCall(name.GetString()!, arguments);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // With streamArguments: once the header names an offered tool, the call starts and argument text up to
    // 'limit' (or to the end of the arguments object) is reported.
    private void StreamArguments(int limit, IToolCallListener listener)
    {
        if (!streamArguments) return;
        if (_streamName is null)
        {
            if (_held.Length > 512) return; // a header this long is not one: the call is reported when complete
            var match = Header.Match(_held.ToString());
            if (!match.Success || !isTool(match.Groups[1].Value)) return;
            _streamName = match.Groups[1].Value;
            _argsStart = _argsSent = match.Index + match.Length;
            _argsEnd = -1;
            _argsDepth = 0;
            _argsInString = _argsEscaped = false;
            listener.OnToolCallStart(_streamName);
        }
        if (_argsEnd >= 0) return;
        int from = _argsSent, i = from;
        for (; i < limit; i++)
        {
            char c = _held[i];
            if (_argsInString)
            {
                if (_argsEscaped) _argsEscaped = false;
                else if (c == '\\') _argsEscaped = true;
                else if (c == '"') _argsInString = false;
            }
            else if (c == '"') _argsInString = true;
            else if (c == '{') _argsDepth++;
            else if (c == '}' && --_argsDepth == 0)
            {
                _argsEnd = ++i;
                break;
            }
        }
        if (i > from)
        {
            int count = i - from;
            if (_argsBuffer.Length < count) _argsBuffer = new char[Math.Max(count, _argsBuffer.Length * 2)];
            _held.CopyTo(from, _argsBuffer, 0, count);
            listener.OnToolCallArguments(_argsBuffer.AsSpan(0, count));
            _argsSent = _argsEnd >= 0 ? _argsEnd : limit;
        }
    }

    // the end of a streamed call: report it whole (it was already started, so it is never turned into text)
    private bool EndStreamed(string body, IToolCallListener listener)
    {
        if (_streamName is null) return false;
        string name = _streamName;
        int end = _argsEnd >= 0 ? _argsEnd : _argsSent;
        string arguments = body.Substring(_argsStart, Math.Min(end, body.Length) - _argsStart);
        ResetStream();
        Calls++;
        listener.OnToolCall(name, arguments);
        return true;
    }

    private void ResetStream()
    {
        _streamName = null;
        _argsEnd = -1;
    }

    private void FlushBlank(IToolCallListener listener)
    {
        if (_blank.Length == 0) return;
        foreach (var chunk in _blank.GetChunks()) listener.OnText(chunk.Span);
        _blank.Clear();
    }

    private void Flush(IToolCallListener listener)
    {
        if (_held.Length == 0) return;
        foreach (var chunk in _held.GetChunks()) listener.OnText(chunk.Span);
        _held.Clear();
    }

    private static int IndexOf(StringBuilder sb, string value, int from)
    {
        for (int i = from; i <= sb.Length - value.Length; i++)
        {
            int j = 0;
            while (j < value.Length && sb[i + j] == value[j]) j++;
            if (j == value.Length) return i;
        }
        return -1;
    }
}

namespace Spark.Engine.Inference.Constraints;

/// <summary>
/// A byte-level pushdown recognizer for a <see cref="ToolCallGrammar"/> (one tool call) or for one JSON value of a
/// <see cref="SchemaNode"/>. <see cref="Accept(byte)"/> says whether a byte can continue the text so far;
/// <see cref="IsComplete"/> whether the text is a whole sentence. The state is a fixed array of frames, so feeding
/// bytes and <see cref="CopyFrom"/> (how a token is tried without committing it) allocate nothing.
/// The JSON accepted is compact, with at most one space after each <c>:</c> and <c>,</c>.
/// </summary>
public sealed class JsonGrammarRecognizer
{
    private const int MaxFrames = 40;
    private const int AnyDepthLimit = 8; // free-form values nest no deeper, so a wandering model still closes them
    private const int MaxNumberLength = 24;
    private const int MaxIntegerLength = 16; // at most 16 chars: always within an int64
    private const int MaxKeyLength = 128;

    private readonly Frame[] _stack = new Frame[MaxFrames];
    private readonly ToolCallGrammar? _grammar;
    private readonly SchemaNode? _value;
    private int _depth;
    private bool _dead;

    /// <summary>A recognizer of one tool call of <paramref name="grammar"/>.</summary>
    public JsonGrammarRecognizer(ToolCallGrammar grammar)
    {
        _grammar = grammar ?? throw new ArgumentNullException(nameof(grammar));
        Reset();
    }

    /// <summary>A recognizer of one JSON value matching <paramref name="schema"/>.</summary>
    public JsonGrammarRecognizer(SchemaNode schema)
    {
        _value = schema ?? throw new ArgumentNullException(nameof(schema));
        Reset();
    }

    /// <summary>Back to the empty text.</summary>
    public void Reset()
    {
        _depth = 0;
        _dead = false;
        if (_grammar is not null) Push(new Frame { Kind = FrameKind.Envelope });
        else Push(new Frame { Kind = FrameKind.Value, Node = _value });
    }

    /// <summary>True when the bytes so far form a whole call (or value) — nothing more is needed.</summary>
    public bool IsComplete
    {
        get
        {
            if (_dead) return false;
            if (_grammar is not null) return _depth == 1 && _stack[0].State == EnvelopeDone;
            if (_depth == 0) return true;
            if (_depth != 1) return false;
            ref var top = ref _stack[0];
            return top.Kind switch
            {
                FrameKind.Number => NumberAccepting(top.State),
                FrameKind.Enum => CompleteLiteral(ref top) >= 0,
                _ => false,
            };
        }
    }

    /// <summary>After a complete tool call: the index of the tool it names in <see cref="ToolCallGrammar.Tools"/>; else -1.</summary>
    public int ChosenTool => _grammar is not null && _depth >= 1 && _stack[0].State >= 3 ? _stack[0].Pos : -1;

    /// <summary>Makes this recognizer's state a copy of <paramref name="other"/>'s (same grammar).</summary>
    public void CopyFrom(JsonGrammarRecognizer other)
    {
        other._stack.AsSpan(0, other._depth).CopyTo(_stack);
        _depth = other._depth;
        _dead = other._dead;
    }

    /// <summary>Feeds bytes; false (and the recognizer is then dead) when one of them cannot continue the text.</summary>
    public bool Accept(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
            if (!Accept(b)) return false;
        return true;
    }

    /// <summary>Feeds one byte; false (and the recognizer is then dead) when it cannot continue the text.</summary>
    public bool Accept(byte b)
    {
        if (_dead) return false;
        while (true)
        {
            if (_depth == 0) return Fail();
            var result = Step(ref _stack[_depth - 1], b);
            if (result == Result.Consumed) return true;
            if (result == Result.Rejected) return Fail();
        }
    }

    private bool Fail()
    {
        _dead = true;
        return false;
    }

    private enum Result : byte { Consumed, Rejected, Again }

    private const int EnvelopeDone = 6;

    private Result Step(ref Frame f, byte b) => f.Kind switch
    {
        FrameKind.Envelope => StepEnvelope(ref f, b),
        FrameKind.Literal => StepLiteral(ref f, b),
        FrameKind.Value => StepValue(ref f, b),
        FrameKind.Object => StepObject(ref f, b),
        FrameKind.Array => StepArray(ref f, b),
        FrameKind.String => StepString(ref f, b),
        FrameKind.Number => StepNumber(ref f, b),
        FrameKind.Enum => StepEnum(ref f, b),
        _ => Result.Rejected,
    };

    private Result StepEnvelope(ref Frame f, byte b)
    {
        if (f.State != 0) return Result.Rejected; // done, or a child is missing
        if ((b == ' ' || b == '\n') && f.Count < 2)
        {
            f.Count++;
            return Result.Consumed;
        }
        f.State = 1;
        return Push(new Frame { Kind = FrameKind.Literal, Bytes = _grammar!.Prefix }) ? Result.Again : Result.Rejected;
    }

    private Result StepLiteral(ref Frame f, byte b)
    {
        if (f.Bytes![f.Pos] != b) return Result.Rejected;
        f.Pos++;
        if (f.Pos == f.Bytes.Length) Pop(0);
        return Result.Consumed;
    }

    private Result StepValue(ref Frame f, byte b)
    {
        var node = f.Node!;
        switch (node.Kind)
        {
            case SchemaKind.Object: return b == '{' ? Become(ref f, FrameKind.Object, node, 1) : Result.Rejected;
            case SchemaKind.Array: return b == '[' ? Become(ref f, FrameKind.Array, node, 1) : Result.Rejected;
            case SchemaKind.String: return b == '"' ? Become(ref f, FrameKind.String, node, 1) : Result.Rejected;
            case SchemaKind.Number or SchemaKind.Integer:
                if (b != '-' && !IsDigit(b)) return Result.Rejected;
                Become(ref f, FrameKind.Number, node, 0);
                return Result.Again;
            case SchemaKind.Enum:
                Become(ref f, FrameKind.Enum, node, 0);
                f.Mask = node.Literals.Length == 64 ? ulong.MaxValue : (1UL << node.Literals.Length) - 1;
                return Result.Again;
            default: // any JSON value
                bool nest = _depth < AnyDepthLimit;
                if (b == '{' && nest) return Become(ref f, FrameKind.Object, SchemaNode.AnyObject, 1);
                if (b == '[' && nest) return Become(ref f, FrameKind.Array, SchemaNode.AnyArray, 1);
                if (b == '"') return Become(ref f, FrameKind.String, SchemaNode.AnyString, 1);
                if (b == '-' || IsDigit(b))
                {
                    Become(ref f, FrameKind.Number, SchemaNode.AnyNumber, 0);
                    return Result.Again;
                }
                if (b is (byte)'t' or (byte)'f' or (byte)'n')
                {
                    Become(ref f, FrameKind.Enum, SchemaNode.Keywords, 0);
                    f.Mask = 0b111;
                    return Result.Again;
                }
                return Result.Rejected;
        }
    }

    private static Result Become(ref Frame f, FrameKind kind, SchemaNode node, int state)
    {
        f = new Frame { Kind = kind, Node = node, State = state };
        return Result.Consumed;
    }

    // Object states: 1 after '{', 10 in a key, 11 after a key, 12 after ':', 13 after ': ', 14 in a value,
    // 15 after a value, 16 after ',', 17 after ', '
    private Result StepObject(ref Frame f, byte b)
    {
        var node = f.Node!;
        switch (f.State)
        {
            case 1:
                if (b == '}') return CloseObject(ref f);
                return b == '"' ? StartKey(ref f) : Result.Rejected;
            case 11:
                if (b != ':') return Result.Rejected;
                f.State = 12;
                return Result.Consumed;
            case 12 or 13:
                if (b == ' ' && f.State == 12)
                {
                    f.State = 13;
                    return Result.Consumed;
                }
                var valueNode = f.Pos >= 0 ? node.PropertyValues[f.Pos] : SchemaNode.AnyValue;
                f.State = 14;
                return Push(new Frame { Kind = FrameKind.Value, Node = valueNode }) ? Result.Again : Result.Rejected;
            case 15:
                if (b == '}') return CloseObject(ref f);
                if (b != ',' || !CanAddKey(ref f)) return Result.Rejected;
                f.State = 16;
                return Result.Consumed;
            case 16 or 17:
                if (b == ' ' && f.State == 16)
                {
                    f.State = 17;
                    return Result.Consumed;
                }
                return b == '"' ? StartKey(ref f) : Result.Rejected;
            default:
                return Result.Rejected;
        }
    }

    private Result CloseObject(ref Frame f)
    {
        if ((f.Seen & f.Node!.RequiredMask) != f.Node.RequiredMask) return Result.Rejected;
        Pop(0);
        return Result.Consumed;
    }

    private static ulong Unseen(ref Frame f)
    {
        int n = f.Node!.PropertyKeys.Length;
        ulong all = n == 64 ? ulong.MaxValue : (1UL << n) - 1;
        return all & ~f.Seen;
    }

    // A free (undeclared) key may come only while room remains for the required properties still missing.
    private static bool FreeKeyAllowed(ref Frame f)
    {
        var node = f.Node!;
        if (!node.AdditionalProperties) return false;
        int missing = System.Numerics.BitOperations.PopCount(node.RequiredMask & ~f.Seen);
        return f.Count + missing < node.MaxProperties;
    }

    private static bool CanAddKey(ref Frame f) =>
        f.Count < f.Node!.MaxProperties && (Unseen(ref f) != 0 || FreeKeyAllowed(ref f));

    private Result StartKey(ref Frame f)
    {
        if (!CanAddKey(ref f)) return Result.Rejected;
        bool free = FreeKeyAllowed(ref f);
        f.State = 10;
        return Push(new Frame { Kind = FrameKind.String, Node = f.Node, Key = free ? KeyMode.Free : KeyMode.Declared, Mask = Unseen(ref f) })
            ? Result.Again : Result.Rejected;
    }

    // Array states: 1 after '[', 2 in an item, 3 after an item, 4 after ',', 5 after ', '
    private Result StepArray(ref Frame f, byte b)
    {
        var node = f.Node!;
        switch (f.State)
        {
            case 1:
                if (b == ']')
                {
                    if (node.MinCount > 0) return Result.Rejected;
                    Pop(0);
                    return Result.Consumed;
                }
                if (node.MaxCount == 0) return Result.Rejected;
                f.State = 2;
                return Push(new Frame { Kind = FrameKind.Value, Node = node.Items }) ? Result.Again : Result.Rejected;
            case 3:
                if (b == ']')
                {
                    if (f.Count < node.MinCount) return Result.Rejected;
                    Pop(0);
                    return Result.Consumed;
                }
                if (b != ',' || f.Count >= node.MaxCount) return Result.Rejected;
                f.State = 4;
                return Result.Consumed;
            case 4 or 5:
                if (b == ' ' && f.State == 4)
                {
                    f.State = 5;
                    return Result.Consumed;
                }
                f.State = 2;
                return Push(new Frame { Kind = FrameKind.Value, Node = node.Items }) ? Result.Again : Result.Rejected;
            default:
                return Result.Rejected;
        }
    }

    // String states: 0 before '"' (keys), 1 inside, 2 after '\', 3..6 in the hex digits of \uXXXX
    private Result StepString(ref Frame f, byte b)
    {
        bool key = f.Key != KeyMode.None;
        int max = key ? MaxKeyLength : f.Node!.MaxCount;
        if (key && !TrackKey(ref f, b)) return Result.Rejected;
        switch (f.State)
        {
            case 0:
                if (b != '"') return Result.Rejected;
                f.State = 1;
                return Result.Consumed;
            case 1:
                if (b == '"' && f.Continuation == 0)
                {
                    if (!key)
                    {
                        if (f.Count < f.Node!.MinCount) return Result.Rejected;
                        Pop(0);
                        return Result.Consumed;
                    }
                    int declared = MatchedKey(ref f);
                    if (declared < 0 && f.Key != KeyMode.Free) return Result.Rejected;
                    Pop(declared);
                    return Result.Consumed;
                }
                // UTF-8 is checked so a model cannot wander through stray bytes that never form (or count as) characters
                if (f.Continuation > 0)
                {
                    if ((b & 0xC0) != 0x80) return Result.Rejected;
                    f.Continuation--;
                    return Result.Consumed;
                }
                if (b < 0x20 || (b & 0xC0) == 0x80 || b is 0xC0 or 0xC1 || b >= 0xF5) return Result.Rejected;
                if (f.Count >= max) return Result.Rejected;
                f.Count++;
                if (b >= 0x80) f.Continuation = (byte)(b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : 1);
                if (b == '\\') f.State = 2;
                return Result.Consumed;
            case 2:
                if (b == 'u')
                {
                    f.State = 3;
                    return Result.Consumed;
                }
                if (b is (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t')
                {
                    f.State = 1;
                    return Result.Consumed;
                }
                return Result.Rejected;
            default:
                if (!IsHex(b)) return Result.Rejected;
                f.State = f.State == 6 ? 1 : f.State + 1;
                return Result.Consumed;
        }
    }

    // narrows a key's candidate declared properties by the byte at Pos; a declared-only key must keep one candidate
    private static bool TrackKey(ref Frame f, byte b)
    {
        var keys = f.Node!.PropertyKeys;
        ulong mask = f.Mask, next = 0;
        while (mask != 0)
        {
            int i = System.Numerics.BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            if (keys[i].Length > f.Pos && keys[i][f.Pos] == b) next |= 1UL << i;
        }
        f.Mask = next;
        f.Pos++;
        return next != 0 || f.Key == KeyMode.Free;
    }

    // after the closing quote: the declared property whose whole key was written, or -1
    private static int MatchedKey(ref Frame f)
    {
        var keys = f.Node!.PropertyKeys;
        ulong mask = f.Mask;
        while (mask != 0)
        {
            int i = System.Numerics.BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            if (keys[i].Length == f.Pos) return i;
        }
        return -1;
    }

    // Number states: 0 start, 1 after '-', 2 integer digits, 3 after a leading 0, 4 after '.', 5 fraction digits,
    // 6 after 'e', 7 after the exponent sign, 8 exponent digits
    private Result StepNumber(ref Frame f, byte b)
    {
        bool integer = f.Node!.Kind == SchemaKind.Integer;
        int next = -1;
        bool digit = IsDigit(b);
        switch (f.State)
        {
            case 0: next = b == '-' ? 1 : b == '0' ? 3 : digit ? 2 : -1; break;
            case 1: next = b == '0' ? 3 : digit ? 2 : -1; break;
            case 2: next = digit ? 2 : b == '.' && !integer ? 4 : (b == 'e' || b == 'E') && !integer ? 6 : -1; break;
            case 3: next = b == '.' && !integer ? 4 : (b == 'e' || b == 'E') && !integer ? 6 : -1; break;
            case 4: next = digit ? 5 : -1; break;
            case 5: next = digit ? 5 : b == 'e' || b == 'E' ? 6 : -1; break;
            case 6: next = b == '+' || b == '-' ? 7 : digit ? 8 : -1; break;
            case 7: next = digit ? 8 : -1; break;
            case 8: next = digit ? 8 : -1; break;
        }
        if (next >= 0 && f.Count < (integer ? MaxIntegerLength : MaxNumberLength))
        {
            f.State = next;
            f.Count++;
            return Result.Consumed;
        }
        if (!NumberAccepting(f.State)) return Result.Rejected;
        Pop(0); // the number ended; the byte belongs to what follows it
        return Result.Again;
    }

    private static bool NumberAccepting(int state) => state is 2 or 3 or 5 or 8;

    private Result StepEnum(ref Frame f, byte b)
    {
        var literals = f.Node!.Literals;
        ulong mask = f.Mask, next = 0;
        while (mask != 0)
        {
            int i = System.Numerics.BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            if (literals[i].Length > f.Pos && literals[i][f.Pos] == b) next |= 1UL << i;
        }
        if (next == 0)
        {
            int complete = CompleteLiteral(ref f);
            if (complete < 0) return Result.Rejected;
            Pop(complete); // e.g. 1 of [1, 10], followed by what comes after the value
            return Result.Again;
        }
        f.Mask = next;
        f.Pos++;
        bool longer = false;
        int done = -1;
        mask = next;
        while (mask != 0)
        {
            int i = System.Numerics.BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            if (literals[i].Length == f.Pos) done = i;
            else longer = true;
        }
        if (done >= 0 && !longer) Pop(done);
        return Result.Consumed;
    }

    private static int CompleteLiteral(ref Frame f)
    {
        var literals = f.Node!.Literals;
        ulong mask = f.Mask;
        while (mask != 0)
        {
            int i = System.Numerics.BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            if (literals[i].Length == f.Pos) return i;
        }
        return -1;
    }

    private bool Push(Frame frame)
    {
        if (_depth == _stack.Length) return false;
        _stack[_depth++] = frame;
        return true;
    }

    // removes the top frame and tells its parent what it matched (a property or tool index, or -1)
    private void Pop(int result)
    {
        _depth--;
        if (_depth == 0) return;
        ref var parent = ref _stack[_depth - 1];
        switch (parent.Kind)
        {
            case FrameKind.Object:
                if (parent.State == 10)
                {
                    parent.Pos = result;
                    if (result >= 0) parent.Seen |= 1UL << result;
                    parent.Count++;
                    parent.State = 11;
                }
                else parent.State = 15;
                break;
            case FrameKind.Array:
                parent.Count++;
                parent.State = 3;
                break;
            case FrameKind.Envelope:
                ChildOfEnvelopeDone(ref parent, result);
                break;
        }
    }

    private void ChildOfEnvelopeDone(ref Frame envelope, int result)
    {
        var g = _grammar!;
        switch (envelope.State)
        {
            case 1:
                envelope.State = 2;
                Push(new Frame { Kind = FrameKind.Enum, Node = g.Names, Mask = g.Tools.Count == 64 ? ulong.MaxValue : (1UL << g.Tools.Count) - 1 });
                break;
            case 2:
                envelope.State = 3;
                envelope.Pos = result;
                Push(new Frame { Kind = FrameKind.Literal, Bytes = g.Middle });
                break;
            case 3:
                envelope.State = 4;
                Push(new Frame { Kind = FrameKind.Value, Node = g.Tools[envelope.Pos].Arguments });
                break;
            case 4:
                envelope.State = 5;
                Push(new Frame { Kind = FrameKind.Literal, Bytes = g.Suffix });
                break;
            case 5:
                envelope.State = EnvelopeDone;
                break;
        }
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static bool IsHex(byte b) => IsDigit(b) || (uint)((b | 0x20) - 'a') <= 5;

    private enum FrameKind : byte { Envelope, Literal, Value, Object, Array, String, Number, Enum }

    private enum KeyMode : byte { None, Declared, Free }

    private struct Frame
    {
        public FrameKind Kind;
        public KeyMode Key;
        public byte Continuation; // UTF-8 continuation bytes a string still expects
        public int State;
        public int Pos;    // literal/enum/key position; an object's current property; the envelope's chosen tool
        public int Count;  // chars, digits, items or properties so far
        public ulong Mask; // enum literals or declared keys still possible
        public ulong Seen; // an object's declared properties already written
        public SchemaNode? Node;
        public byte[]? Bytes;
    }
}

using System.Text.Json;

namespace Spark.Engine.Inference.Constraints;

/// <summary>What a <see cref="SchemaNode"/> accepts.</summary>
public enum SchemaKind
{
    /// <summary>Any JSON value (no schema, or keywords Spark does not constrain).</summary>
    Any,
    /// <summary>An object with known and/or free properties.</summary>
    Object,
    /// <summary>An array of one item schema.</summary>
    Array,
    /// <summary>A string.</summary>
    String,
    /// <summary>A number.</summary>
    Number,
    /// <summary>An integer (no fraction or exponent).</summary>
    Integer,
    /// <summary>One of a fixed list of JSON values (<c>enum</c>, <c>const</c>, <c>boolean</c>, <c>null</c>).</summary>
    Enum,
}

/// <summary>
/// A JSON Schema compiled into what <see cref="JsonGrammarRecognizer"/> checks: objects (properties, required,
/// <c>additionalProperties</c>), arrays (items, min/maxItems), strings (min/maxLength), numbers, integers, booleans,
/// null, enum and const. Keywords that combine or reference schemas (<c>anyOf</c>, <c>oneOf</c>, <c>allOf</c>,
/// <c>$ref</c>, <c>not</c>, a list of types) make that subtree "any JSON value"; <c>pattern</c> and <c>format</c>
/// are not checked. Unbounded sizes get generous caps so that even a model that never wants to stop ends its call.
/// </summary>
public sealed class SchemaNode
{
    /// <summary>Longest string when the schema sets no <c>maxLength</c>.</summary>
    public const int DefaultMaxLength = 2048;
    /// <summary>Most array items when the schema sets no <c>maxItems</c>.</summary>
    public const int DefaultMaxItems = 64;
    /// <summary>Most properties of an object with free-form properties.</summary>
    public const int DefaultMaxProperties = 16;
    /// <summary>Most properties a schema may declare (the recognizer tracks them in a 64-bit mask).</summary>
    public const int MaxDeclaredProperties = 64;

    private SchemaNode(SchemaKind kind) => Kind = kind;

    /// <summary>What this node accepts.</summary>
    public SchemaKind Kind { get; private init; }

    /// <summary>Declared property names, JSON-encoded with their quotes (UTF-8).</summary>
    public byte[][] PropertyKeys { get; private init; } = [];
    /// <summary>Declared property names.</summary>
    public string[] PropertyNames { get; private init; } = [];
    /// <summary>The schema of each declared property.</summary>
    public SchemaNode[] PropertyValues { get; private init; } = [];
    /// <summary>Bit i set: property i is required.</summary>
    public ulong RequiredMask { get; private init; }
    /// <summary>Whether properties other than the declared ones may appear (their values: any JSON).</summary>
    public bool AdditionalProperties { get; private init; } = true;
    /// <summary>Most properties in all.</summary>
    public int MaxProperties { get; private init; } = DefaultMaxProperties;

    /// <summary>The item schema of an array.</summary>
    public SchemaNode? Items { get; private init; }
    /// <summary>Fewest array items / string chars.</summary>
    public int MinCount { get; private init; }
    /// <summary>Most array items / string chars.</summary>
    public int MaxCount { get; private init; } = int.MaxValue;

    /// <summary>The allowed values of an enum node, as compact JSON (UTF-8).</summary>
    public byte[][] Literals { get; private init; } = [];

    /// <summary>Any JSON value.</summary>
    public static SchemaNode AnyValue { get; } = new(SchemaKind.Any);
    // free-form values inside "any JSON" get tighter caps: nothing in the schema asks for large ones
    internal static SchemaNode AnyObject { get; } = new(SchemaKind.Object) { MaxProperties = 8 };
    internal static SchemaNode AnyArray { get; } = new(SchemaKind.Array) { Items = AnyValue, MaxCount = 8 };
    internal static SchemaNode AnyString { get; } = new(SchemaKind.String) { MaxCount = 512 };
    internal static SchemaNode AnyNumber { get; } = new(SchemaKind.Number);
    internal static SchemaNode Keywords { get; } = EnumOf("true"u8.ToArray(), "false"u8.ToArray(), "null"u8.ToArray());
    internal static SchemaNode KeyString { get; } = new(SchemaKind.String) { MaxCount = 128 };

    /// <summary>An enum of the given JSON literals.</summary>
    public static SchemaNode EnumOf(params byte[][] literals)
    {
        if (literals.Length is 0 or > 64) throw new ArgumentException($"an enum needs 1 to 64 values, not {literals.Length}", nameof(literals));
        return new SchemaNode(SchemaKind.Enum) { Literals = literals };
    }

    /// <summary>An object of exactly one required string property (how a custom tool's free-form input is offered).</summary>
    public static SchemaNode SingleStringProperty(string name, int maxLength) => new(SchemaKind.Object)
    {
        PropertyNames = [name],
        PropertyKeys = [Encode(name)],
        PropertyValues = [new SchemaNode(SchemaKind.String) { MaxCount = maxLength }],
        RequiredMask = 1,
        AdditionalProperties = false,
        MaxProperties = 1,
    };

    /// <summary>Compiles a JSON Schema; null or <c>true</c> is any value. Throws <see cref="ArgumentException"/> naming the bad keyword.</summary>
    public static SchemaNode Compile(JsonElement? schema) => schema is { } s ? Compile(s, "#") : AnyValue;

    private static SchemaNode Compile(JsonElement schema, string path)
    {
        if (schema.ValueKind is JsonValueKind.True or JsonValueKind.Undefined or JsonValueKind.Null) return AnyValue;
        if (schema.ValueKind != JsonValueKind.Object)
            throw new ArgumentException($"the JSON Schema at {path} must be an object or true, not {schema.ValueKind}");
        foreach (string combinator in (ReadOnlySpan<string>)["anyOf", "oneOf", "allOf", "$ref", "not", "if"])
            if (schema.TryGetProperty(combinator, out _)) return AnyValue;
        if (schema.TryGetProperty("const", out var constant)) return EnumOf(Compact(constant));
        if (schema.TryGetProperty("enum", out var values))
        {
            if (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() == 0)
                throw new ArgumentException($"'enum' at {path} must be a non-empty array");
            if (values.GetArrayLength() > 64) return AnyValue;
            var literals = new byte[values.GetArrayLength()][];
            int i = 0;
            foreach (var v in values.EnumerateArray()) literals[i++] = Compact(v);
            return EnumOf(literals);
        }

        string? type = null;
        if (schema.TryGetProperty("type", out var t))
        {
            if (t.ValueKind == JsonValueKind.String) type = t.GetString();
            else return AnyValue; // a list of types
        }
        else if (schema.TryGetProperty("properties", out _)) type = "object";
        else if (schema.TryGetProperty("items", out _)) type = "array";

        switch (type)
        {
            case "object": return CompileObject(schema, path);
            case "array":
                return new SchemaNode(SchemaKind.Array)
                {
                    Items = schema.TryGetProperty("items", out var items) ? Compile(items, path + "/items") : AnyValue,
                    MinCount = Count(schema, "minItems", 0, path),
                    MaxCount = Count(schema, "maxItems", DefaultMaxItems, path),
                };
            case "string":
                return new SchemaNode(SchemaKind.String)
                {
                    MinCount = Count(schema, "minLength", 0, path),
                    MaxCount = Count(schema, "maxLength", DefaultMaxLength, path),
                };
            case "number": return AnyNumber;
            case "integer": return new SchemaNode(SchemaKind.Integer);
            case "boolean": return EnumOf("true"u8.ToArray(), "false"u8.ToArray());
            case "null": return EnumOf("null"u8.ToArray());
            case null: return AnyValue;
            default: throw new ArgumentException($"unknown JSON Schema type '{type}' at {path}; expected object, array, string, number, integer, boolean or null");
        }
    }

    private static SchemaNode CompileObject(JsonElement schema, string path)
    {
        var names = new List<string>();
        var nodes = new List<SchemaNode>();
        if (schema.TryGetProperty("properties", out var properties))
        {
            if (properties.ValueKind != JsonValueKind.Object) throw new ArgumentException($"'properties' at {path} must be an object");
            foreach (var p in properties.EnumerateObject())
            {
                names.Add(p.Name);
                nodes.Add(Compile(p.Value, $"{path}/properties/{p.Name}"));
            }
        }
        if (names.Count > MaxDeclaredProperties) return AnyValue;
        ulong required = 0;
        if (schema.TryGetProperty("required", out var req) && req.ValueKind == JsonValueKind.Array)
        {
            foreach (var r in req.EnumerateArray())
            {
                int index = r.ValueKind == JsonValueKind.String ? names.IndexOf(r.GetString()!) : -1;
                if (index < 0) throw new ArgumentException($"'required' at {path} names '{r}', which is not in 'properties'");
                required |= 1UL << index;
            }
        }
        // Undeclared properties are generated only when the schema asks for them (or declares none): a valid call
        // never needs them, and a wandering model would otherwise fill the object with them.
        bool additional = schema.TryGetProperty("additionalProperties", out var ap)
            ? ap.ValueKind != JsonValueKind.False
            : names.Count == 0;
        return new SchemaNode(SchemaKind.Object)
        {
            PropertyNames = [.. names],
            PropertyKeys = names.ConvertAll(Encode).ToArray(),
            PropertyValues = [.. nodes],
            RequiredMask = required,
            AdditionalProperties = additional,
            MaxProperties = additional ? Math.Max(names.Count, DefaultMaxProperties) : names.Count,
        };
    }

    private static int Count(JsonElement schema, string keyword, int fallback, string path)
    {
        if (!schema.TryGetProperty(keyword, out var v)) return fallback;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int n) || n < 0)
            throw new ArgumentException($"'{keyword}' at {path} must be a non-negative integer");
        return n;
    }

    // relaxed escaping: the literal a model is held to should be the one it would naturally write
    private static readonly JsonWriterOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A string as a compact JSON literal with its quotes (UTF-8).</summary>
    public static byte[] Encode(string text)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Relaxed)) writer.WriteStringValue(text);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Compact(JsonElement value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Relaxed)) value.WriteTo(writer);
        return buffer.WrittenSpan.ToArray();
    }
}

using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Spark.Engine.Gguf;

/// <summary>
/// The key/value metadata of a GGUF file, in file order, with typed getters that accept any integer width
/// (writers differ in which they use) and report a missing or mistyped required key clearly.
/// </summary>
public sealed class GgufMetadata : IReadOnlyDictionary<string, GgufValue>
{
    private readonly Dictionary<string, GgufValue> _values;
    private readonly List<string> _order;

    internal GgufMetadata(Dictionary<string, GgufValue> values, List<string> order)
    {
        _values = values;
        _order = order;
    }

    /// <summary>The keys in the order they appear in the file.</summary>
    public IEnumerable<string> Keys => _order;

    /// <inheritdoc />
    public IEnumerable<GgufValue> Values => _order.Select(k => _values[k]);

    /// <inheritdoc />
    public int Count => _values.Count;

    /// <inheritdoc />
    public GgufValue this[string key] => _values[key];

    /// <inheritdoc />
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out GgufValue value) => _values.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, GgufValue>> GetEnumerator()
    {
        foreach (string k in _order) yield return new(k, _values[k]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A string value, or null when absent; throws when present with another type.</summary>
    public string? GetString(string key) => Get<string>(key, "a string");

    /// <summary>An integer value of any width, or null when absent; throws when present with another type.</summary>
    public long? GetInteger(string key)
    {
        if (!_values.TryGetValue(key, out var v)) return null;
        return v.AsInteger() ?? throw Mistyped(key, v, "an integer");
    }

    /// <summary>A number (float or integer), or null when absent; throws when present with another type.</summary>
    public double? GetNumber(string key)
    {
        if (!_values.TryGetValue(key, out var v)) return null;
        return v.AsDouble() ?? throw Mistyped(key, v, "a number");
    }

    /// <summary>A boolean, or null when absent; throws when present with another type.</summary>
    public bool? GetBool(string key)
    {
        if (!_values.TryGetValue(key, out var v)) return null;
        return v.Value is bool b ? b : throw Mistyped(key, v, "a bool");
    }

    /// <summary>An array of strings, or null when absent; throws when present with another type.</summary>
    public string[]? GetStringArray(string key) => Get<string[]>(key, "an array of strings");

    /// <summary>An array of numbers as F32, or null when absent; throws when present with another type.</summary>
    public float[]? GetFloat32Array(string key)
    {
        if (!_values.TryGetValue(key, out var v)) return null;
        switch (v.Value)
        {
            case float[] f: return f;
            case double[] d: return Array.ConvertAll(d, x => (float)x);
            case Array a when v.Type == GgufValueType.Array && IsIntegerType(v.ElementType):
                var ints = GetInt64Array(key)!;
                return Array.ConvertAll(ints, x => (float)x);
            default: throw Mistyped(key, v, "an array of numbers");
        }
    }

    /// <summary>An array of integers of any width as Int32, or null when absent; throws when present with another type or out of range.</summary>
    public int[]? GetInt32Array(string key)
    {
        var longs = GetInt64Array(key);
        if (longs is null) return null;
        var result = new int[longs.Length];
        for (int i = 0; i < longs.Length; i++)
        {
            if (longs[i] is < int.MinValue or > int.MaxValue)
                throw new GgufFormatException(-1, $"metadata key '{key}' element {i} is {longs[i]}, out of the 32-bit range");
            result[i] = (int)longs[i];
        }
        return result;
    }

    /// <summary>An array of integers of any width as Int64, or null when absent; throws when present with another type.</summary>
    public long[]? GetInt64Array(string key)
    {
        if (!_values.TryGetValue(key, out var v)) return null;
        return v.Value switch
        {
            long[] a => a,
            int[] a => Array.ConvertAll(a, x => (long)x),
            uint[] a => Array.ConvertAll(a, x => (long)x),
            short[] a => Array.ConvertAll(a, x => (long)x),
            ushort[] a => Array.ConvertAll(a, x => (long)x),
            sbyte[] a => Array.ConvertAll(a, x => (long)x),
            byte[] a => Array.ConvertAll(a, x => (long)x),
            ulong[] a => Array.ConvertAll(a, x => x <= long.MaxValue ? (long)x : throw Mistyped(key, v, "an array of integers that fit 64 signed bits")),
            _ => throw Mistyped(key, v, "an array of integers"),
        };
    }

    /// <summary>A required string; throws naming the key when it is absent.</summary>
    public string RequireString(string key) => GetString(key) ?? throw Missing(key);

    /// <summary>A required integer; throws naming the key when it is absent.</summary>
    public long RequireInteger(string key) => GetInteger(key) ?? throw Missing(key);

    private T? Get<T>(string key, string expected) where T : class
    {
        if (!_values.TryGetValue(key, out var v)) return null;
        return v.Value as T ?? throw Mistyped(key, v, expected);
    }

    private static bool IsIntegerType(GgufValueType t) => t is GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.UInt16
        or GgufValueType.Int16 or GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.UInt64 or GgufValueType.Int64;

    private static GgufFormatException Missing(string key) =>
        new(-1, $"required metadata key '{key}' is missing");

    private static GgufFormatException Mistyped(string key, GgufValue v, string expected) =>
        new(-1, $"metadata key '{key}' should be {expected} but is {(v.Type == GgufValueType.Array ? $"an array of {v.ElementType}" : v.Type.ToString())}");
}

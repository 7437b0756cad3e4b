namespace Spark.Engine.Gguf;

/// <summary>
/// One GGUF metadata value. Scalars are boxed CLR values (string, bool, byte, sbyte, ushort, short, uint, int,
/// float, ulong, long, double); arrays are typed CLR arrays of the element type, or <see cref="GgufValue"/>[]
/// for arrays of arrays.
/// </summary>
public sealed class GgufValue
{
    /// <summary>Creates a value; <paramref name="elementType"/> matters only for arrays.</summary>
    public GgufValue(GgufValueType type, object value, GgufValueType elementType = default)
    {
        Type = type;
        Value = value;
        ElementType = elementType;
    }

    /// <summary>The value's type tag.</summary>
    public GgufValueType Type { get; }

    /// <summary>For arrays, the element type tag.</summary>
    public GgufValueType ElementType { get; }

    /// <summary>The value itself.</summary>
    public object Value { get; }

    /// <summary>True for integer scalars of any width.</summary>
    public bool IsInteger => Type is GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.UInt16 or GgufValueType.Int16
        or GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.UInt64 or GgufValueType.Int64;

    /// <summary>The number of elements of an array value (0 for scalars).</summary>
    public int ArrayLength => Value is Array a ? a.Length : 0;

    /// <summary>The value as a 64-bit integer, or null when it is not an integer (or a UInt64 beyond Int64).</summary>
    public long? AsInteger() => Value switch
    {
        byte v => v,
        sbyte v => v,
        ushort v => v,
        short v => v,
        uint v => v,
        int v => v,
        long v => v,
        ulong v when v <= long.MaxValue => (long)v,
        _ => null,
    };

    /// <summary>The value as a double when it is any number.</summary>
    public double? AsDouble() => Value switch
    {
        float v => v,
        double v => v,
        _ => AsInteger(),
    };

    /// <summary>A short human-readable rendering (arrays are summarised).</summary>
    public override string ToString() => Value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        Array a => $"[{ElementType} × {a.Length}]",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => Value.ToString() ?? "",
    };
}

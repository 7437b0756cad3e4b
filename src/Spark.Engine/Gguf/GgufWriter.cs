using System.Buffers.Binary;
using System.Text;
using Spark.Engine.Tensors;

namespace Spark.Engine.Gguf;

/// <summary>
/// Writes GGUF files with llama.cpp's layout: header, metadata, tensor infos, then tensor data starting at an
/// aligned offset with every tensor aligned. Used by tests and by the synthetic-model generator.
/// </summary>
public sealed class GgufWriter
{
    private readonly List<(string Key, GgufValue Value)> _metadata = [];
    private readonly List<(string Name, GgmlType Type, long[] Dims, long Size, Func<ReadOnlyMemory<byte>> Data)> _tensors = [];
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _tensorNames = new(StringComparer.Ordinal);

    /// <summary>Creates a writer for GGUF <paramref name="version"/> (2 or 3) with the given data alignment.</summary>
    public GgufWriter(uint version = 3, int alignment = GgufReader.DefaultAlignment)
    {
        if (version is not (2 or 3)) throw new ArgumentOutOfRangeException(nameof(version), version, "GGUF version must be 2 or 3");
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "alignment must be a power of two");
        Version = version;
        Alignment = alignment;
        if (alignment != GgufReader.DefaultAlignment) Set("general.alignment", (uint)alignment);
    }

    /// <summary>The GGUF version written.</summary>
    public uint Version { get; }

    /// <summary>The data alignment.</summary>
    public int Alignment { get; }

    /// <summary>Adds a string value.</summary>
    public GgufWriter Set(string key, string value) => Add(key, new GgufValue(GgufValueType.String, value));

    /// <summary>Adds a UInt32 value.</summary>
    public GgufWriter Set(string key, uint value) => Add(key, new GgufValue(GgufValueType.UInt32, value));

    /// <summary>Adds an Int32 value.</summary>
    public GgufWriter Set(string key, int value) => Add(key, new GgufValue(GgufValueType.Int32, value));

    /// <summary>Adds a UInt64 value.</summary>
    public GgufWriter Set(string key, ulong value) => Add(key, new GgufValue(GgufValueType.UInt64, value));

    /// <summary>Adds an Int64 value.</summary>
    public GgufWriter Set(string key, long value) => Add(key, new GgufValue(GgufValueType.Int64, value));

    /// <summary>Adds a Float32 value.</summary>
    public GgufWriter Set(string key, float value) => Add(key, new GgufValue(GgufValueType.Float32, value));

    /// <summary>Adds a Float64 value.</summary>
    public GgufWriter Set(string key, double value) => Add(key, new GgufValue(GgufValueType.Float64, value));

    /// <summary>Adds a Bool value.</summary>
    public GgufWriter Set(string key, bool value) => Add(key, new GgufValue(GgufValueType.Bool, value));

    /// <summary>Adds an array of strings.</summary>
    public GgufWriter Set(string key, string[] values) => Add(key, new GgufValue(GgufValueType.Array, values, GgufValueType.String));

    /// <summary>Adds an array of Float32.</summary>
    public GgufWriter Set(string key, float[] values) => Add(key, new GgufValue(GgufValueType.Array, values, GgufValueType.Float32));

    /// <summary>Adds an array of Int32.</summary>
    public GgufWriter Set(string key, int[] values) => Add(key, new GgufValue(GgufValueType.Array, values, GgufValueType.Int32));

    /// <summary>Adds any value as built (any scalar type, or an array of any element type including nested arrays).</summary>
    public GgufWriter Add(string key, GgufValue value)
    {
        if (!_keys.Add(key)) throw new ArgumentException($"metadata key '{key}' was already added", nameof(key));
        _metadata.Add((key, value));
        return this;
    }

    /// <summary>
    /// Adds a tensor. <paramref name="dims"/> are in ggml order (row length first); <paramref name="data"/> must be
    /// exactly the tensor's size in <paramref name="type"/>.
    /// </summary>
    public GgufWriter AddTensor(string name, GgmlType type, long[] dims, ReadOnlyMemory<byte> data)
    {
        long expected = CheckTensor(name, dims, type);
        if (data.Length != expected)
            throw new ArgumentException($"tensor '{name}' ({type} [{string.Join(", ", dims)}]) needs {expected} bytes but {data.Length} were given", nameof(data));
        _tensors.Add((name, type, (long[])dims.Clone(), expected, () => data));
        return this;
    }

    /// <summary>
    /// Adds a tensor whose bytes are produced only when the file is written, one tensor at a time and in the order
    /// added, so large models never hold every tensor in memory at once.
    /// </summary>
    internal GgufWriter AddTensor(string name, GgmlType type, long[] dims, Func<ReadOnlyMemory<byte>> produce)
    {
        long expected = CheckTensor(name, dims, type);
        _tensors.Add((name, type, (long[])dims.Clone(), expected, produce));
        return this;
    }

    private long CheckTensor(string name, long[] dims, GgmlType type)
    {
        if (_tensorNames.Contains(name)) throw new ArgumentException($"tensor '{name}' was already added", nameof(name));
        if (dims.Length is 0 or > 4) throw new ArgumentException($"tensor '{name}' must have 1 to 4 dimensions", nameof(dims));
        long elements = 1;
        foreach (long d in dims) elements *= d > 0 ? d : throw new ArgumentException($"tensor '{name}' has a dimension of {d}", nameof(dims));
        long size = GgmlTypeInfo.RowBytes(type, dims[0]) * (elements / dims[0]);
        _tensorNames.Add(name);
        return size;
    }

    /// <summary>Writes the file to <paramref name="path"/> (through a temporary file, so a failure leaves no partial file).</summary>
    public void WriteFile(string path)
    {
        string temp = path + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
                WriteTo(stream);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Writes the file to a stream.</summary>
    public void WriteTo(Stream stream)
    {
        var header = new MemoryStream();
        WriteU32(header, GgufReader.Magic);
        WriteU32(header, Version);
        WriteU64(header, (ulong)_tensors.Count);
        WriteU64(header, (ulong)_metadata.Count);
        foreach (var (key, value) in _metadata)
        {
            WriteString(header, key);
            WriteU32(header, (uint)value.Type);
            WriteValue(header, value);
        }
        long offset = 0;
        var offsets = new long[_tensors.Count];
        for (int i = 0; i < _tensors.Count; i++)
        {
            var t = _tensors[i];
            WriteString(header, t.Name);
            WriteU32(header, (uint)t.Dims.Length);
            foreach (long d in t.Dims) WriteU64(header, (ulong)d);
            WriteU32(header, (uint)t.Type);
            WriteU64(header, (ulong)offset);
            offsets[i] = offset;
            offset = GgufReader.AlignUp(offset + t.Size, Alignment);
        }
        header.Position = 0;
        header.CopyTo(stream);
        long written = header.Length;
        if (_tensors.Count == 0) return;
        written = Pad(stream, written);
        for (int i = 0; i < _tensors.Count; i++)
        {
            var t = _tensors[i];
            ReadOnlyMemory<byte> data = t.Data();
            if (data.Length != t.Size)
                throw new InvalidOperationException($"tensor '{t.Name}' ({t.Type} [{string.Join(", ", t.Dims)}]) needs {t.Size} bytes but its producer gave {data.Length}");
            stream.Write(data.Span);
            written += data.Length;
            written = Pad(stream, written);
        }
    }

    private long Pad(Stream stream, long written)
    {
        long aligned = GgufReader.AlignUp(written, Alignment);
        for (long i = written; i < aligned; i++) stream.WriteByte(0);
        return aligned;
    }

    private static void WriteValue(Stream s, GgufValue v)
    {
        switch (v.Type)
        {
            case GgufValueType.Array:
                WriteU32(s, (uint)v.ElementType);
                var array = (Array)v.Value;
                WriteU64(s, (ulong)array.Length);
                foreach (object? element in array)
                    WriteValue(s, element as GgufValue ?? new GgufValue(v.ElementType, element!));
                break;
            case GgufValueType.String: WriteString(s, (string)v.Value); break;
            default: WriteScalar(s, v.Type, v.Value); break;
        }
    }

    private static void WriteScalar(Stream s, GgufValueType type, object value)
    {
        Span<byte> b = stackalloc byte[8];
        int n;
        switch (type)
        {
            case GgufValueType.UInt8: b[0] = Convert.ToByte(value); n = 1; break;
            case GgufValueType.Int8: b[0] = (byte)Convert.ToSByte(value); n = 1; break;
            case GgufValueType.Bool: b[0] = (bool)value ? (byte)1 : (byte)0; n = 1; break;
            case GgufValueType.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(b, Convert.ToUInt16(value)); n = 2; break;
            case GgufValueType.Int16: BinaryPrimitives.WriteInt16LittleEndian(b, Convert.ToInt16(value)); n = 2; break;
            case GgufValueType.UInt32: BinaryPrimitives.WriteUInt32LittleEndian(b, Convert.ToUInt32(value)); n = 4; break;
            case GgufValueType.Int32: BinaryPrimitives.WriteInt32LittleEndian(b, Convert.ToInt32(value)); n = 4; break;
            case GgufValueType.Float32: BinaryPrimitives.WriteSingleLittleEndian(b, Convert.ToSingle(value)); n = 4; break;
            case GgufValueType.UInt64: BinaryPrimitives.WriteUInt64LittleEndian(b, Convert.ToUInt64(value)); n = 8; break;
            case GgufValueType.Int64: BinaryPrimitives.WriteInt64LittleEndian(b, Convert.ToInt64(value)); n = 8; break;
            case GgufValueType.Float64: BinaryPrimitives.WriteDoubleLittleEndian(b, Convert.ToDouble(value)); n = 8; break;
            default: throw new ArgumentException($"cannot write a scalar of type {type}");
        }
        s.Write(b[..n]);
    }

    private static void WriteString(Stream s, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        WriteU64(s, (ulong)bytes.Length);
        s.Write(bytes);
    }

    private static void WriteU32(Stream s, uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        s.Write(b);
    }

    private static void WriteU64(Stream s, ulong v)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        s.Write(b);
    }
}

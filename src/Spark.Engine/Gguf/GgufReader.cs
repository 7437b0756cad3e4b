using System.Buffers.Binary;
using System.Text;
using Spark.Engine.Tensors;

namespace Spark.Engine.Gguf;

/// <summary>
/// Parses a GGUF header (metadata and tensor infos) from memory. Every count, length and offset is checked
/// against the bytes that remain before it is used, so a bad file fails with a <see cref="GgufFormatException"/>
/// naming the byte offset — never an out-of-range read, a huge allocation or a hang.
/// </summary>
internal unsafe ref struct GgufReader
{
    internal const uint Magic = 0x46554747; // "GGUF" read little-endian
    internal const int DefaultAlignment = 32;
    private const int MaxDimensions = 4;

    private readonly byte* _base;
    private readonly long _length;
    private long _pos;

    public GgufReader(byte* data, long length)
    {
        _base = data;
        _length = length;
        _pos = 0;
    }

    public long Position => _pos;

    /// <summary>Reads the whole header; <paramref name="dataOffset"/> is the aligned start of tensor data.</summary>
    public void ReadHeader(out uint version, out GgufMetadata metadata, out List<GgufTensorInfo> tensors, out int alignment, out long dataOffset)
    {
        if (_length < 4) throw new GgufFormatException(0, $"the file is {_length} bytes, too short to be GGUF");
        uint magic = ReadU32();
        if (magic != Magic)
            throw new GgufFormatException(0, $"not a GGUF file: the first four bytes are {Hex(magic)}, expected 'GGUF'");
        version = ReadU32();
        if (version == 1)
            throw new GgufFormatException(4, "GGUF version 1 is not supported (versions 2 and 3 are); convert the model again with a current llama.cpp");
        if (version is 0 or > 3)
        {
            if (version > 0xFFFF && BinaryPrimitives.ReverseEndianness(version) is 2 or 3)
                throw new GgufFormatException(4, "this GGUF file is big-endian; Spark reads little-endian GGUF only");
            throw new GgufFormatException(4, $"unknown GGUF version {version} (Spark reads versions 2 and 3)");
        }

        long tensorCount = ReadCount("tensor count", 8 + 4 + 8 + 4 + 8);
        long kvCount = ReadCount("metadata key count", 8 + 4);

        var values = new Dictionary<string, GgufValue>((int)Math.Min(kvCount, 1 << 16), StringComparer.Ordinal);
        var order = new List<string>((int)Math.Min(kvCount, 1 << 16));
        for (long i = 0; i < kvCount; i++)
        {
            long keyAt = _pos;
            string key = ReadString("metadata key");
            uint typeTag = BinaryPrimitives.ReadUInt32LittleEndian(Need(4, $"the value type of '{key}'"));
            var value = ReadValue((GgufValueType)typeTag, _pos - 4, key, depth: 0);
            if (!values.TryAdd(key, value))
                throw new GgufFormatException(keyAt, $"metadata key '{key}' appears twice");
            order.Add(key);
        }
        metadata = new GgufMetadata(values, order);

        alignment = DefaultAlignment;
        if (values.TryGetValue("general.alignment", out var alignValue))
        {
            long? a = alignValue.AsInteger();
            if (a is null or <= 0 or > 1 << 20 || (a & (a - 1)) != 0)
                throw new GgufFormatException(-1, $"general.alignment is {alignValue}, expected a power of two (usually 32)");
            alignment = (int)a;
        }

        tensors = new List<GgufTensorInfo>((int)Math.Min(tensorCount, 1 << 16));
        var relativeOffsets = new List<(long at, long offset)>(tensors.Capacity);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (long i = 0; i < tensorCount; i++)
        {
            long infoAt = _pos;
            string name = ReadString("tensor name");
            if (!names.Add(name)) throw new GgufFormatException(infoAt, $"tensor '{name}' appears twice");
            long dimsAt = _pos;
            uint nDims = ReadU32();
            if (nDims is 0 or > MaxDimensions)
                throw new GgufFormatException(dimsAt, $"tensor '{name}' has {nDims} dimensions (1 to {MaxDimensions} allowed)");
            var dims = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++)
            {
                long dimAt = _pos;
                ulong dim = ReadU64();
                if (dim == 0 || dim > long.MaxValue)
                    throw new GgufFormatException(dimAt, $"tensor '{name}' dimension {d} is {dim}");
                dims[d] = (long)dim;
                if (elements > long.MaxValue / dims[d])
                    throw new GgufFormatException(dimAt, $"tensor '{name}' has more elements than fit in 64 bits");
                elements *= dims[d];
            }
            long typeAt = _pos;
            uint typeValue = ReadU32();
            if (!GgmlTypeInfo.IsKnown(typeValue))
                throw new GgufFormatException(typeAt, $"tensor '{name}' has unknown type id {typeValue}");
            var type = (GgmlType)typeValue;
            int blockSize = GgmlTypeInfo.BlockSize(type);
            if (dims[0] % blockSize != 0)
                throw new GgufFormatException(dimsAt, $"tensor '{name}' of type {type} has rows of {dims[0]} elements, not a multiple of the block size {blockSize}");
            int blockBytes = GgmlTypeInfo.BlockBytes(type);
            if (elements / blockSize > long.MaxValue / blockBytes)
                throw new GgufFormatException(dimsAt, $"tensor '{name}' is larger than 2^63 bytes");
            long byteSize = elements / blockSize * blockBytes;
            long offsetAt = _pos;
            ulong offset = ReadU64();
            if (offset > long.MaxValue || (long)offset % alignment != 0)
                throw new GgufFormatException(offsetAt, $"tensor '{name}' data offset {offset} is not a multiple of the alignment {alignment}");
            relativeOffsets.Add((offsetAt, (long)offset));
            tensors.Add(new GgufTensorInfo(name, type, dims, (long)offset, byteSize));
        }

        dataOffset = AlignUp(_pos, alignment);
        if (tensorCount > 0 && dataOffset > _length)
            throw new GgufFormatException(_pos, $"the tensor data should start at byte {dataOffset:N0} but the file has {_length:N0} bytes");

        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            long start = dataOffset + t.FileOffset;
            if (start < dataOffset || start > _length || t.ByteSize > _length - start)
                throw new GgufFormatException(relativeOffsets[i].at,
                    $"tensor '{t.Name}' ends at byte {dataOffset + t.FileOffset + t.ByteSize:N0} but the file has {_length:N0} bytes");
            tensors[i] = new GgufTensorInfo(t.Name, t.Type, (long[])t.Dimensions, start, t.ByteSize);
        }
    }

    private GgufValue ReadValue(GgufValueType type, long tagAt, string key, int depth)
    {
        switch (type)
        {
            case GgufValueType.UInt8: return new(type, Need(1, key)[0]);
            case GgufValueType.Int8: return new(type, (sbyte)Need(1, key)[0]);
            case GgufValueType.UInt16: return new(type, BinaryPrimitives.ReadUInt16LittleEndian(Need(2, key)));
            case GgufValueType.Int16: return new(type, BinaryPrimitives.ReadInt16LittleEndian(Need(2, key)));
            case GgufValueType.UInt32: return new(type, BinaryPrimitives.ReadUInt32LittleEndian(Need(4, key)));
            case GgufValueType.Int32: return new(type, BinaryPrimitives.ReadInt32LittleEndian(Need(4, key)));
            case GgufValueType.Float32: return new(type, BinaryPrimitives.ReadSingleLittleEndian(Need(4, key)));
            case GgufValueType.UInt64: return new(type, BinaryPrimitives.ReadUInt64LittleEndian(Need(8, key)));
            case GgufValueType.Int64: return new(type, BinaryPrimitives.ReadInt64LittleEndian(Need(8, key)));
            case GgufValueType.Float64: return new(type, BinaryPrimitives.ReadDoubleLittleEndian(Need(8, key)));
            case GgufValueType.Bool:
                long boolAt = _pos;
                byte b = Need(1, key)[0];
                if (b > 1) throw new GgufFormatException(boolAt, $"metadata key '{key}' is a bool with byte value {b} (expected 0 or 1)");
                return new(type, b == 1);
            case GgufValueType.String: return new(type, ReadString($"value of '{key}'"));
            case GgufValueType.Array: return ReadArray(key, depth);
            default:
                throw new GgufFormatException(tagAt, $"metadata key '{key}' has unknown value type {(uint)type}");
        }
    }

    private GgufValue ReadArray(string key, int depth)
    {
        if (depth > 8) throw new GgufFormatException(_pos, $"metadata key '{key}' nests arrays more than 8 deep");
        long tagAt = _pos;
        var elementType = (GgufValueType)BinaryPrimitives.ReadUInt32LittleEndian(Need(4, $"the element type of '{key}'"));
        int minElement = elementType switch
        {
            GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
            GgufValueType.UInt16 or GgufValueType.Int16 => 2,
            GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
            GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 or GgufValueType.String => 8,
            GgufValueType.Array => 12,
            _ => throw new GgufFormatException(tagAt, $"metadata key '{key}' is an array of unknown value type {(uint)elementType}"),
        };
        long countAt = _pos;
        ulong count = BinaryPrimitives.ReadUInt64LittleEndian(Need(8, $"the element count of '{key}'"));
        if (count > (ulong)(Remaining / minElement) || count > int.MaxValue)
            throw new GgufFormatException(countAt, $"metadata key '{key}' claims {count:N0} elements but only {Remaining:N0} bytes remain");
        int n = (int)count;
        object array = elementType switch
        {
            GgufValueType.UInt8 => Need(n, key).ToArray(),
            GgufValueType.Int8 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(Need(n, key)).ToArray(),
            GgufValueType.UInt16 => Fill<ushort>(n, 2, key, s => BinaryPrimitives.ReadUInt16LittleEndian(s)),
            GgufValueType.Int16 => Fill<short>(n, 2, key, s => BinaryPrimitives.ReadInt16LittleEndian(s)),
            GgufValueType.UInt32 => Fill<uint>(n, 4, key, s => BinaryPrimitives.ReadUInt32LittleEndian(s)),
            GgufValueType.Int32 => Fill<int>(n, 4, key, s => BinaryPrimitives.ReadInt32LittleEndian(s)),
            GgufValueType.Float32 => Fill<float>(n, 4, key, s => BinaryPrimitives.ReadSingleLittleEndian(s)),
            GgufValueType.UInt64 => Fill<ulong>(n, 8, key, s => BinaryPrimitives.ReadUInt64LittleEndian(s)),
            GgufValueType.Int64 => Fill<long>(n, 8, key, s => BinaryPrimitives.ReadInt64LittleEndian(s)),
            GgufValueType.Float64 => Fill<double>(n, 8, key, s => BinaryPrimitives.ReadDoubleLittleEndian(s)),
            GgufValueType.Bool => ReadBools(n, key),
            GgufValueType.String => ReadStrings(n, key),
            _ => ReadNested(n, key, depth),
        };
        return new GgufValue(GgufValueType.Array, array, elementType);
    }

    private delegate T ElementReader<T>(ReadOnlySpan<byte> bytes);

    private T[] Fill<T>(int n, int size, string key, ElementReader<T> read)
    {
        var bytes = Need((long)n * size, key);
        var result = new T[n];
        for (int i = 0; i < n; i++) result[i] = read(bytes.Slice(i * size, size));
        return result;
    }

    private bool[] ReadBools(int n, string key)
    {
        var bytes = Need(n, key);
        var result = new bool[n];
        for (int i = 0; i < n; i++) result[i] = bytes[i] != 0;
        return result;
    }

    private string[] ReadStrings(int n, string key)
    {
        var result = new string[n];
        for (int i = 0; i < n; i++) result[i] = ReadString($"element {i} of '{key}'");
        return result;
    }

    private GgufValue[] ReadNested(int n, string key, int depth)
    {
        var result = new GgufValue[n];
        for (int i = 0; i < n; i++) result[i] = ReadArray(key, depth + 1);
        return result;
    }

    private string ReadString(string what)
    {
        long at = _pos;
        ulong len = BinaryPrimitives.ReadUInt64LittleEndian(Need(8, $"the length of {what}"));
        if (len > (ulong)Remaining)
            throw new GgufFormatException(at, $"{what} claims {len:N0} bytes but only {Remaining:N0} remain");
        if (len > int.MaxValue)
            throw new GgufFormatException(at, $"{what} is {len:N0} bytes, longer than Spark accepts");
        return Encoding.UTF8.GetString(Need((long)len, what));
    }

    private long ReadCount(string what, int minBytesEach)
    {
        long at = _pos;
        ulong n = ReadU64();
        if (n > (ulong)(Remaining / minBytesEach))
            throw new GgufFormatException(at, $"{what} is {n:N0}, impossible in the {_length:N0} bytes of this file");
        return (long)n;
    }

    private long Remaining => _length - _pos;

    private uint ReadU32() => BinaryPrimitives.ReadUInt32LittleEndian(Need(4, "a 32-bit field"));

    private ulong ReadU64() => BinaryPrimitives.ReadUInt64LittleEndian(Need(8, "a 64-bit field"));

    private ReadOnlySpan<byte> Need(long count, string what)
    {
        if (count > int.MaxValue)
            throw new GgufFormatException(_pos, $"{what} is {count:N0} bytes, more than Spark reads in one piece");
        if (count < 0 || count > Remaining)
            throw new GgufFormatException(_pos, $"the file ends in the middle of {what}: {count:N0} bytes needed, {Remaining:N0} remain");
        var span = new ReadOnlySpan<byte>(_base + _pos, (int)count);
        _pos += count;
        return span;
    }

    internal static long AlignUp(long value, int alignment) => (value + alignment - 1) / alignment * alignment;

    private static string Hex(uint v) => $"{v & 0xFF:X2} {(v >> 8) & 0xFF:X2} {(v >> 16) & 0xFF:X2} {v >> 24:X2}";
}

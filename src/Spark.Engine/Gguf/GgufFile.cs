using System.IO.MemoryMappedFiles;

namespace Spark.Engine.Gguf;

/// <summary>
/// A GGUF model file opened for reading: metadata and tensor infos parsed and validated up front, tensor data
/// memory-mapped (never copied into managed memory). Dispose to unmap.
/// </summary>
public sealed unsafe class GgufFile : IDisposable
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly Dictionary<string, GgufTensorInfo> _byName;
    private byte* _base;

    private GgufFile(string path, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* data, long length)
    {
        Path = path;
        _map = map;
        _view = view;
        _base = data;
        Length = length;
        var reader = new GgufReader(data, length);
        reader.ReadHeader(out uint version, out var metadata, out var tensors, out int alignment, out long dataOffset);
        Version = version;
        Metadata = metadata;
        Tensors = tensors;
        Alignment = alignment;
        DataOffset = dataOffset;
        _byName = new Dictionary<string, GgufTensorInfo>(tensors.Count, StringComparer.Ordinal);
        foreach (var t in tensors) _byName[t.Name] = t;
    }

    /// <summary>
    /// Opens and validates a GGUF file. Throws <see cref="GgufFormatException"/> (naming the file and byte offset)
    /// when it is not valid GGUF, and <see cref="FileNotFoundException"/> when it does not exist.
    /// </summary>
    public static GgufFile Open(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{path}: no such file", path);
        long length = info.Length;
        if (length < 24)
            throw new GgufFormatException(path, new GgufFormatException(0, $"the file is {length} bytes, too short to be GGUF"));
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        bool acquired = false;
        try
        {
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* p = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            acquired = true;
            return new GgufFile(path, map, view, p + view.PointerOffset, length);
        }
        catch (GgufFormatException e)
        {
            Release(map, view, acquired);
            throw new GgufFormatException(path, e);
        }
        catch
        {
            Release(map, view, acquired);
            throw;
        }
    }

    /// <summary>The path the file was opened from.</summary>
    public string Path { get; }

    /// <summary>The GGUF version (2 or 3).</summary>
    public uint Version { get; }

    /// <summary>The file size in bytes.</summary>
    public long Length { get; }

    /// <summary>The alignment of tensor data (general.alignment, default 32).</summary>
    public int Alignment { get; }

    /// <summary>The absolute offset where tensor data begins.</summary>
    public long DataOffset { get; }

    /// <summary>The metadata key/value pairs.</summary>
    public GgufMetadata Metadata { get; }

    /// <summary>The tensors, in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>The named tensor, or null when the file has none of that name.</summary>
    public GgufTensorInfo? FindTensor(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The bytes of a tensor's data (which must be under 2 GiB; use <see cref="GetTensorPointer"/> otherwise).</summary>
    public ReadOnlySpan<byte> GetTensorData(GgufTensorInfo tensor)
    {
        if (tensor.ByteSize > int.MaxValue)
            throw new NotSupportedException($"tensor '{tensor.Name}' is {tensor.ByteSize:N0} bytes, more than a span holds; read it through GetTensorPointer");
        return new ReadOnlySpan<byte>(GetTensorPointer(tensor), (int)tensor.ByteSize);
    }

    /// <summary>A pointer to a tensor's data in the mapping; valid until the file is disposed.</summary>
    internal byte* GetTensorPointer(GgufTensorInfo tensor)
    {
        ObjectDisposedException.ThrowIf(_base == null, this);
        return _base + tensor.FileOffset;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_base == null) return;
        _base = null;
        Release(_map, _view, acquired: _view != null);
    }

    private static void Release(MemoryMappedFile? map, MemoryMappedViewAccessor? view, bool acquired)
    {
        if (acquired) view!.SafeMemoryMappedViewHandle.ReleasePointer();
        view?.Dispose();
        map?.Dispose();
    }
}

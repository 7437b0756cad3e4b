namespace Spark.Engine.Inference;

/// <summary>
/// The keys and values of every layer for positions [0, <see cref="Length"/>), sized to the context when created.
/// Values are kept at F16 precision, as llama.cpp's default F16 cache keeps them (stored in F32 arrays for now).
/// Truncating keeps a prefix, so a prompt that shares it can continue from there.
/// </summary>
internal sealed class KvCache
{
    private readonly float[][] _keys;
    private readonly float[][] _values;

    private readonly bool _roundToHalf;

    public KvCache(int layers, int capacity, int keyWidth, int valueWidth, bool roundToHalf = true)
    {
        _roundToHalf = roundToHalf;
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "the context must hold at least one position");
        Capacity = capacity;
        KeyWidth = keyWidth;
        ValueWidth = valueWidth;
        _keys = new float[layers][];
        _values = new float[layers][];
        for (int l = 0; l < layers; l++)
        {
            _keys[l] = new float[checked(capacity * keyWidth)];
            _values[l] = new float[checked(capacity * valueWidth)];
        }
    }

    /// <summary>Positions the cache can hold.</summary>
    public int Capacity { get; }
    /// <summary>Floats per position in a layer's keys.</summary>
    public int KeyWidth { get; }
    /// <summary>Floats per position in a layer's values.</summary>
    public int ValueWidth { get; }
    /// <summary>Positions filled so far.</summary>
    public int Length { get; private set; }

    /// <summary>Layer <paramref name="layer"/>'s keys, position-major.</summary>
    public float[] Keys(int layer) => _keys[layer];
    /// <summary>Layer <paramref name="layer"/>'s values, position-major.</summary>
    public float[] Values(int layer) => _values[layer];

    /// <summary>Stores one layer's key and value at <paramref name="position"/>.</summary>
    public void Store(int layer, int position, ReadOnlySpan<float> key, ReadOnlySpan<float> value)
    {
        RoundToHalf(key[..KeyWidth], _keys[layer].AsSpan(position * KeyWidth, KeyWidth));
        RoundToHalf(value[..ValueWidth], _values[layer].AsSpan(position * ValueWidth, ValueWidth));
    }

    private void RoundToHalf(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (!_roundToHalf)
        {
            source.CopyTo(destination);
            return;
        }
        for (int i = 0; i < source.Length; i++) destination[i] = Kernels.HalfRounding.Round(source[i]);
    }

    /// <summary>Marks one more position as filled (after every layer stored it).</summary>
    public void Advance()
    {
        if (Length >= Capacity) throw new InvalidOperationException($"the KV cache is full ({Capacity} positions)");
        Length++;
    }

    /// <summary>Keeps positions [0, <paramref name="length"/>) and forgets the rest.</summary>
    public void TruncateTo(int length)
    {
        if (length < 0 || length > Length)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"can only truncate to a length in [0, {Length}]");
        Length = length;
    }
}

using Spark.Engine.Kernels;

namespace Spark.Engine.Inference;

/// <summary>
/// The keys and values of every layer for positions [0, <see cref="Length"/>), sized to the context when created,
/// in F16 (default, as llama.cpp) or F32 (<see cref="KvCacheType"/>). Each layer and KV head owns one contiguous run
/// so attention streams through it: values position-major (row t = v_t), keys in blocks of
/// <see cref="BlockPositions"/> positions stored dimension-major (row d of a block = dimension d of its 16 keys), so
/// one SIMD vector holds one dimension of 16 keys and a query's scores for 16 positions need no horizontal sums.
/// Truncating keeps a prefix, so a prompt that shares it can continue from there.
/// </summary>
internal sealed class KvCache
{
    /// <summary>Positions per key block (the Vector512 width in floats).</summary>
    public const int BlockPositions = 16;

    private readonly ushort[][]? _halfKeys, _halfValues;
    private readonly float[][]? _keys, _values;

    public KvCache(int layers, int capacity, int kvHeads, int keyLength, int valueLength, KvCacheType type)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "the context must hold at least one position");
        Capacity = capacity;
        KvHeads = kvHeads;
        KeyLength = keyLength;
        ValueLength = valueLength;
        Type = type;
        // Rounded up to whole blocks so kernels may read a full last block (its tail is never used).
        HeadPositions = checked((capacity + BlockPositions - 1) / BlockPositions * BlockPositions);
        long keyFloats = (long)kvHeads * HeadPositions * keyLength, valueFloats = (long)kvHeads * HeadPositions * valueLength;
        if (Math.Max(keyFloats, valueFloats) > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "the context is too long for one layer's KV cache; load with a smaller ContextLength");
        if (type == KvCacheType.F16)
        {
            _halfKeys = new ushort[layers][];
            _halfValues = new ushort[layers][];
            for (int l = 0; l < layers; l++)
            {
                _halfKeys[l] = new ushort[keyFloats];
                _halfValues[l] = new ushort[valueFloats];
            }
        }
        else
        {
            _keys = new float[layers][];
            _values = new float[layers][];
            for (int l = 0; l < layers; l++)
            {
                _keys[l] = new float[keyFloats];
                _values[l] = new float[valueFloats];
            }
        }
    }

    /// <summary>Positions the cache can hold.</summary>
    public int Capacity { get; }
    /// <summary>Positions reserved per layer and KV head (<see cref="Capacity"/> rounded up to whole key blocks).</summary>
    public int HeadPositions { get; }
    public int KvHeads { get; }
    public int KeyLength { get; }
    public int ValueLength { get; }
    public KvCacheType Type { get; }
    /// <summary>Layers the cache holds.</summary>
    public int Layers => _keys?.Length ?? _halfKeys!.Length;
    /// <summary>Positions filled so far.</summary>
    public int Length { get; private set; }

    /// <summary>Layer <paramref name="layer"/>, KV head <paramref name="kvHead"/>: its F16 keys (blocked, see the class summary).</summary>
    public ReadOnlySpan<ushort> HalfKeys(int layer, int kvHead) => _halfKeys![layer].AsSpan(kvHead * HeadPositions * KeyLength, HeadPositions * KeyLength);
    /// <summary>Layer <paramref name="layer"/>, KV head <paramref name="kvHead"/>: its F16 values, position-major.</summary>
    public ReadOnlySpan<ushort> HalfValues(int layer, int kvHead) => _halfValues![layer].AsSpan(kvHead * HeadPositions * ValueLength, HeadPositions * ValueLength);
    /// <summary>The F32 twin of <see cref="HalfKeys"/>.</summary>
    public ReadOnlySpan<float> Keys(int layer, int kvHead) => _keys![layer].AsSpan(kvHead * HeadPositions * KeyLength, HeadPositions * KeyLength);
    /// <summary>The F32 twin of <see cref="HalfValues"/>.</summary>
    public ReadOnlySpan<float> Values(int layer, int kvHead) => _values![layer].AsSpan(kvHead * HeadPositions * ValueLength, HeadPositions * ValueLength);

    /// <summary>Stores one layer's key and value (all KV heads, head-major) at <paramref name="position"/>.</summary>
    public void Store(int layer, int position, ReadOnlySpan<float> key, ReadOnlySpan<float> value)
    {
        if ((uint)position >= (uint)Capacity) throw new ArgumentOutOfRangeException(nameof(position), position, $"the cache holds {Capacity} positions");
        int dk = KeyLength, dv = ValueLength;
        if (key.Length < KvHeads * dk || value.Length < KvHeads * dv) throw new ArgumentException("key or value is shorter than the KV heads");
        int block = position / BlockPositions, lane = position % BlockPositions;
        for (int h = 0; h < KvHeads; h++)
        {
            var k = key.Slice(h * dk, dk);
            var v = value.Slice(h * dv, dv);
            int keyBase = (h * HeadPositions + block * BlockPositions) * dk + lane;
            int valueBase = (h * HeadPositions + position) * dv;
            if (_halfKeys != null)
            {
                var keys = _halfKeys[layer];
                for (int d = 0; d < dk; d++) keys[keyBase + d * BlockPositions] = HalfVector.FromSingle(k[d]);
                var values = _halfValues![layer].AsSpan(valueBase, dv);
                for (int d = 0; d < dv; d++) values[d] = HalfVector.FromSingle(v[d]);
            }
            else
            {
                var keys = _keys![layer];
                for (int d = 0; d < dk; d++) keys[keyBase + d * BlockPositions] = k[d];
                v.CopyTo(_values![layer].AsSpan(valueBase, dv));
            }
        }
    }

    /// <summary>The key of <paramref name="kvHead"/> at <paramref name="position"/> as stored (tests and diagnostics).</summary>
    public void ReadKey(int layer, int kvHead, int position, Span<float> destination)
    {
        int baseIndex = (position / BlockPositions * BlockPositions) * KeyLength + position % BlockPositions;
        for (int d = 0; d < KeyLength; d++)
        {
            int i = baseIndex + d * BlockPositions;
            destination[d] = _halfKeys != null ? HalfVector.ToSingle(HalfKeys(layer, kvHead)[i]) : Keys(layer, kvHead)[i];
        }
    }

    /// <summary>The value of <paramref name="kvHead"/> at <paramref name="position"/> as stored (tests and diagnostics).</summary>
    public void ReadValue(int layer, int kvHead, int position, Span<float> destination)
    {
        for (int d = 0; d < ValueLength; d++)
        {
            int i = position * ValueLength + d;
            destination[d] = _halfValues != null ? HalfVector.ToSingle(HalfValues(layer, kvHead)[i]) : Values(layer, kvHead)[i];
        }
    }

    /// <summary>Marks <paramref name="count"/> more positions as filled (after every layer stored them).</summary>
    public void Advance(int count = 1)
    {
        if (count > Capacity - Length) throw new InvalidOperationException($"the KV cache is full ({Capacity} positions)");
        Length += count;
    }

    /// <summary>
    /// Replaces this cache's contents with the first <paramref name="length"/> positions of <paramref name="source"/>
    /// (a cache of the same model): a prompt that shares only a prefix with another sequence's cache starts from a copy
    /// of that prefix instead of computing it again, and the other sequence keeps its whole cache.
    /// </summary>
    public void CopyPrefixFrom(KvCache source, int length)
    {
        if (source.KvHeads != KvHeads || source.KeyLength != KeyLength || source.ValueLength != ValueLength || source.Type != Type || source.Layers != Layers)
            throw new ArgumentException("the source cache has a different shape", nameof(source));
        if (length < 0 || length > source.Length || length > Capacity)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"can copy at most {Math.Min(source.Length, Capacity)} positions");
        // keys: whole blocks of BlockPositions positions per head (lanes past length are never read); values: length rows per head
        int keyCount = (length + BlockPositions - 1) / BlockPositions * BlockPositions * KeyLength, valueCount = length * ValueLength;
        for (int l = 0; l < Layers; l++)
        {
            for (int h = 0; h < KvHeads; h++)
            {
                int sourceKeys = h * source.HeadPositions * KeyLength, keys = h * HeadPositions * KeyLength;
                int sourceValues = h * source.HeadPositions * ValueLength, values = h * HeadPositions * ValueLength;
                if (_halfKeys != null)
                {
                    Array.Copy(source._halfKeys![l], sourceKeys, _halfKeys[l], keys, keyCount);
                    Array.Copy(source._halfValues![l], sourceValues, _halfValues![l], values, valueCount);
                }
                else
                {
                    Array.Copy(source._keys![l], sourceKeys, _keys![l], keys, keyCount);
                    Array.Copy(source._values![l], sourceValues, _values![l], values, valueCount);
                }
            }
        }
        Length = length;
    }

    /// <summary>Keeps positions [0, <paramref name="length"/>) and forgets the rest.</summary>
    public void TruncateTo(int length)
    {
        if (length < 0 || length > Length)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"can only truncate to a length in [0, {Length}]");
        Length = length;
    }
}

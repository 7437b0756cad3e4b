using System.Runtime.InteropServices;

namespace Spark.Bench.Memory;

/// <summary>
/// A page-aligned native array of doubles, freed on dispose. Alignment keeps every vector load inside one cache line
/// (as STREAM's static arrays are), and freeing it at once returns the memory before the model is loaded.
/// </summary>
internal sealed unsafe class AlignedBuffer : IDisposable
{
    private const nuint Alignment = 4096;
    private double* _data;

    public AlignedBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        Length = length;
        _data = (double*)NativeMemory.AlignedAlloc((nuint)length * sizeof(double), Alignment);
    }

    public int Length { get; }

    public Span<double> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_data == null, this);
            return new Span<double>(_data, Length);
        }
    }

    public void Dispose()
    {
        if (_data == null) return;
        NativeMemory.AlignedFree(_data);
        _data = null;
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Spark.Engine.Threading;

namespace Spark.Bench.Memory;

/// <summary>
/// One STREAM loop over three equally long arrays, split into contiguous shares across the worker pool.
/// Plain (temporal) vector loads and stores, four vectors per iteration, as a compiled STREAM does.
/// </summary>
internal sealed class StreamJob : IParallelWork
{
    /// <summary>Elements per loop iteration; array lengths are a multiple of it.</summary>
    public static readonly int Block = 4 * Vector256<double>.Count;

    private const double Scalar = 3.0;

    private readonly AlignedBuffer _a, _b, _c;
    private readonly double[] _sums;

    public StreamJob(AlignedBuffer a, AlignedBuffer b, AlignedBuffer c, int workers)
    {
        if (a.Length != b.Length || a.Length != c.Length || a.Length % Block != 0)
            throw new ArgumentException($"the arrays must be equally long and a multiple of {Block} elements");
        _a = a;
        _b = b;
        _c = c;
        _sums = new double[workers];
    }

    /// <summary>What the next run does; <see langword="null"/> fills the arrays (first touch, on the workers that use them).</summary>
    public StreamKernel? Kernel { get; set; }

    /// <summary>
    /// The sum the last <see cref="StreamKernel.Read"/> run found over b: kept so the loop cannot be
    /// optimised away, and checked so a share that skipped elements cannot go unnoticed.
    /// </summary>
    public double LastSum
    {
        get
        {
            double total = 0;
            foreach (double s in _sums) total += s;
            return total;
        }
    }

    /// <summary>Bytes one run of <paramref name="kernel"/> moves, counted as STREAM counts them (no write-allocate traffic).</summary>
    public long BytesMoved(StreamKernel kernel)
    {
        long arrayBytes = (long)_a.Length * sizeof(double);
        return kernel switch
        {
            StreamKernel.Copy => 2 * arrayBytes,
            StreamKernel.Triad => 3 * arrayBytes,
            _ => arrayBytes,
        };
    }

    public void Execute(int worker, int workerCount)
    {
        var (start, end) = WorkerPool.Share(_a.Length / Block, worker, workerCount);
        int from = start * Block, count = (end - start) * Block;
        var a = _a.Span.Slice(from, count);
        var b = _b.Span.Slice(from, count);
        var c = _c.Span.Slice(from, count);
        switch (Kernel)
        {
            case null:
                Fill(a, b, c, from);
                break;
            case StreamKernel.Copy:
                Copy(a, c);
                break;
            case StreamKernel.Triad:
                Triad(a, b, c);
                break;
            case StreamKernel.Read:
                _sums[worker] = Sum(b); // b is never written: it keeps its fill
                break;
        }
    }

    /// <summary>
    /// Non-uniform contents, so no layer below (page deduplication, compressed memory) can serve the arrays from a
    /// few physical pages and inflate the figures; b[i] = i mod 7 makes the read loop's sum checkable.
    /// </summary>
    private static void Fill(Span<double> a, Span<double> b, Span<double> c, int offset)
    {
        for (int i = 0; i < a.Length; i++)
        {
            int index = offset + i;
            a[i] = index % 5;
            b[i] = index % 7;
            c[i] = index % 3 * 0.5;
        }
    }

    /// <summary>The sum of b after the fill: 0 + 1 + … + 6 per whole cycle of 7, plus the partial cycle.</summary>
    public static double ExpectedSum(int length)
    {
        long whole = length / 7, rest = length % 7;
        return whole * 21 + rest * (rest - 1) / 2;
    }

    private static void Copy(ReadOnlySpan<double> source, Span<double> destination)
    {
        ref double src = ref MemoryMarshal.GetReference(source);
        ref double dst = ref MemoryMarshal.GetReference(destination);
        nuint n = (nuint)source.Length, w = (nuint)Vector256<double>.Count;
        for (nuint i = 0; i < n; i += 4 * w)
        {
            Vector256.LoadUnsafe(ref src, i).StoreUnsafe(ref dst, i);
            Vector256.LoadUnsafe(ref src, i + w).StoreUnsafe(ref dst, i + w);
            Vector256.LoadUnsafe(ref src, i + 2 * w).StoreUnsafe(ref dst, i + 2 * w);
            Vector256.LoadUnsafe(ref src, i + 3 * w).StoreUnsafe(ref dst, i + 3 * w);
        }
    }

    private static void Triad(Span<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> c)
    {
        ref double pa = ref MemoryMarshal.GetReference(a);
        ref double pb = ref MemoryMarshal.GetReference(b);
        ref double pc = ref MemoryMarshal.GetReference(c);
        var s = Vector256.Create(Scalar);
        nuint n = (nuint)a.Length, w = (nuint)Vector256<double>.Count;
        for (nuint i = 0; i < n; i += 4 * w)
        {
            TriadAt(ref pa, ref pb, ref pc, s, i);
            TriadAt(ref pa, ref pb, ref pc, s, i + w);
            TriadAt(ref pa, ref pb, ref pc, s, i + 2 * w);
            TriadAt(ref pa, ref pb, ref pc, s, i + 3 * w);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TriadAt(ref double a, ref double b, ref double c, Vector256<double> s, nuint i) =>
        (Vector256.LoadUnsafe(ref b, i) + s * Vector256.LoadUnsafe(ref c, i)).StoreUnsafe(ref a, i);

    private static double Sum(ReadOnlySpan<double> a)
    {
        ref double p = ref MemoryMarshal.GetReference(a);
        var s0 = Vector256<double>.Zero;
        var s1 = Vector256<double>.Zero;
        var s2 = Vector256<double>.Zero;
        var s3 = Vector256<double>.Zero;
        nuint n = (nuint)a.Length, w = (nuint)Vector256<double>.Count;
        for (nuint i = 0; i < n; i += 4 * w)
        {
            s0 += Vector256.LoadUnsafe(ref p, i);
            s1 += Vector256.LoadUnsafe(ref p, i + w);
            s2 += Vector256.LoadUnsafe(ref p, i + 2 * w);
            s3 += Vector256.LoadUnsafe(ref p, i + 3 * w);
        }
        return Vector256.Sum(s0 + s1 + s2 + s3);
    }
}

using System.Runtime.Intrinsics;
using Spark.Engine.Kernels.Quantized;

namespace Spark.Engine.Tests.Kernels.Quantized;

public unsafe class BlockScalesTests
{
    // Normals, subnormals, zeros of both signs, the largest finite value, infinities and a NaN.
    private static readonly ushort[] Patterns = [0x3C00, 0xB800, 0x0001, 0x83FF, 0x0000, 0x8000, 0x7BFF, 0x7C00, 0xFC00, 0x7E01, 0x2E66, 0x1234];

    [Fact]
    public void Get_EightBlocks_WidensEachBlocksFieldLikeHalf()
    {
        Check<Q8_0Dot>(fields: [0]);
        Check<Q4_0Dot>(fields: [0]);
        Check<Q4_1Dot>(fields: [0, 2]);
        Check<Q5_0Dot>(fields: [0]);
        Check<Q5_1Dot>(fields: [0, 2]);
    }

    private static void Check<TBlock>(int[] fields) where TBlock : struct, IBlock32
    {
        var rng = new Random(TBlock.Bytes);
        var group = new byte[8 * TBlock.Bytes];
        for (int round = 0; round < 50; round++)
        {
            rng.NextBytes(group);
            var expected = new float[2, 8];
            foreach (int field in fields)
                for (int k = 0; k < 8; k++)
                {
                    ushort bits = round < Patterns.Length ? Patterns[(round + k) % Patterns.Length] : (ushort)rng.Next(65536);
                    BitConverter.TryWriteBytes(group.AsSpan(k * TBlock.Bytes + field, 2), bits);
                    expected[field / 2, k] = (float)BitConverter.UInt16BitsToHalf(bits);
                }
            fixed (byte* p = group)
                foreach (int field in fields)
                    for (int count = 1; count <= 8; count++)
                    {
                        AssertWidened<TBlock>(BlockScales<TBlock>.Get(p, field, count, afterGroup: false), expected, field, count);
                    }
        }
    }

    [Fact]
    public void Get_ShortLastGroupAfterAFullOne_WidensOnlyItsBlocks_ReadingNothingPastIt()
    {
        CheckTail<Q8_0Dot>(fields: [0]);
        CheckTail<Q4_0Dot>(fields: [0]);
        CheckTail<Q4_1Dot>(fields: [0, 2]);
        CheckTail<Q5_0Dot>(fields: [0]);
        CheckTail<Q5_1Dot>(fields: [0, 2]);
    }

    // A full group, then `count` blocks ending exactly at the end of a buffer whose next page is made unreadable when
    // the platform allows it (otherwise only the values are checked).
    private static void CheckTail<TBlock>(int[] fields) where TBlock : struct, IBlock32
    {
        var rng = new Random(7 * TBlock.Bytes);
        for (int count = 1; count < 8; count++)
        {
            int bytes = (8 + count) * TBlock.Bytes;
            using var buffer = new GuardedBuffer(bytes);
            var row = buffer.Span;
            for (int round = 0; round < 20; round++)
            {
                rng.NextBytes(row);
                var expected = new float[2, 8];
                foreach (int field in fields)
                    for (int k = 0; k < count; k++)
                    {
                        ushort bits = round < Patterns.Length ? Patterns[(round + k) % Patterns.Length] : (ushort)rng.Next(65536);
                        BitConverter.TryWriteBytes(row.Slice((8 + k) * TBlock.Bytes + field, 2), bits);
                        expected[field / 2, k] = (float)BitConverter.UInt16BitsToHalf(bits);
                    }
                foreach (int field in fields)
                {
                    AssertWidened<TBlock>(BlockScales<TBlock>.Get(buffer.Pointer + 8 * TBlock.Bytes, field, count, afterGroup: true), expected, field, count);
                }
            }
        }
    }

    /// <summary>Lanes below <paramref name="count"/> hold the expected F16 values (NaN for NaN), the rest 0.</summary>
    private static void AssertWidened<TBlock>(Vector256<float> got, float[,] expected, int field, int count) where TBlock : struct, IBlock32
    {
        for (int k = 0; k < 8; k++)
        {
            float want = k < count ? expected[field / 2, k] : 0f;
            Assert.True(BitConverter.SingleToInt32Bits(want) == BitConverter.SingleToInt32Bits(got[k]) || (float.IsNaN(want) && float.IsNaN(got[k])),
                $"{typeof(TBlock).Name} field {field} count {count} block {k}: {got[k]} vs {want} (permuted: {BlockScales<TBlock>.IsPermuted})");
        }
    }

    /// <summary>Bytes that end right before an inaccessible page (Linux), so a read past them faults.</summary>
    private sealed class GuardedBuffer : IDisposable
    {
        private readonly nint _base;
        private readonly nuint _length;
        private readonly byte[]? _managed;
        private readonly System.Runtime.InteropServices.GCHandle _pin;

        public GuardedBuffer(int bytes)
        {
            Length = bytes;
            if (OperatingSystem.IsLinux())
            {
                const int page = 4096;
                int pages = (bytes + page - 1) / page + 1;
                _length = (nuint)(pages * page);
                _base = mmap(0, _length, 3 /* read|write */, 0x22 /* private|anonymous */, -1, 0);
                if (_base == -1) throw new InvalidOperationException("mmap failed");
                Assert.Equal(0, mprotect(_base + (pages - 1) * page, page, 0 /* none */));
                Pointer = (byte*)(_base + (pages - 1) * page - bytes);
            }
            else
            {
                _managed = new byte[bytes];
                _pin = System.Runtime.InteropServices.GCHandle.Alloc(_managed, System.Runtime.InteropServices.GCHandleType.Pinned);
                Pointer = (byte*)_pin.AddrOfPinnedObject();
            }
        }

        public byte* Pointer { get; }
        public int Length { get; }
        public Span<byte> Span => new(Pointer, Length);

        public void Dispose()
        {
            if (_managed != null) _pin.Free();
            else munmap(_base, _length);
        }

        [System.Runtime.InteropServices.DllImport("libc")] private static extern nint mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);
        [System.Runtime.InteropServices.DllImport("libc")] private static extern int mprotect(nint addr, nint length, int prot);
        [System.Runtime.InteropServices.DllImport("libc")] private static extern int munmap(nint addr, nuint length);
    }
}

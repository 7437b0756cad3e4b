using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// The F16 scale (or min) of eight consecutive 32-element blocks of <typeparamref name="TBlock"/>, widened to F32, for
/// the 512-bit kernels. The fields lie one block (18 to 34 bytes) apart; a gather (vpgatherdd) of them cost more than
/// the integer dot of a Q4_0 block. With AVX-512 VBMI two byte permutes over the group's own bytes (cache lines the
/// dot reads anyway) collect them instead: at most two 128-byte windows, both inside the eight blocks, so nothing past
/// a row's end is read.
/// </summary>
internal static unsafe class BlockScales<TBlock> where TBlock : struct, IBlock32
{
    private const int GroupBytesMinimum = 128;

    /// <summary>Bytes of eight blocks.</summary>
    private static int GroupBytes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 8 * TBlock.Bytes;
    }

    /// <summary>Where the second 128-byte window starts: right after the first, or early enough to end with the group.</summary>
    private static int SecondWindow
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Math.Min(128, GroupBytes - 128);
    }

    /// <summary>True when the permute path can run: the CPU has VBMI and eight blocks span at least one window.</summary>
    public static bool IsPermuted
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Avx512Vbmi.IsSupported && GroupBytes >= GroupBytesMinimum;
    }

    /// <summary>
    /// The F16 at byte <paramref name="field"/> (0 or 2) of each of the first <paramref name="count"/> (1 to 8) blocks
    /// at <paramref name="group"/>, widened; lanes past <paramref name="count"/> are 0. <paramref name="afterGroup"/>
    /// says a full group of eight blocks of the same row lies right before <paramref name="group"/>: a short last group
    /// then permutes from windows that end with it (reaching back into the row) instead of gathering.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Get(byte* group, int field, int count, bool afterGroup)
    {
        if (count == 8 && IsPermuted) return Eight(group, field);
        if (afterGroup && IsPermuted && Tail(group, field, count, out var tail)) return tail;
        return Vector256QuantDot<MaddDot>.Halves(group + field, Vector256QuantDot<MaddDot>.Offsets8(TBlock.Bytes), count);
    }

    /// <summary>
    /// A last group of <paramref name="count"/> &lt; 8 blocks, read through the 128-byte windows that end where the
    /// group ends (W2) and the 128 bytes before them (W1, for the types whose blocks do not all fit in W2). A field's
    /// byte index is the same modulo 128 in both windows, so one index vector serves both permutes; each word is then
    /// taken from the window it lies in. False (use the gather) when a field straddles the two windows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Tail(byte* group, int field, int count, out Vector256<float> scales)
    {
        int end = count * TBlock.Bytes;
        // Word k: where block k's field starts, relative to W2's start (negative: in W1).
        var at = Positions(field) + Vector128.Create((short)(128 - end));
        var inFirst = Vector128.LessThan(at, Vector128<short>.Zero);
        if (Vector128.EqualsAny(at, Vector128.Create((short)-1)))
        {
            scales = default;
            return false; // the field's first byte is W1's last: its second byte is in W2
        }
        var low = at & Vector128.Create((short)0x7F);
        var index = (low | ((low + Vector128<short>.One) & Vector128.Create((short)0x7F)) << 8).AsByte();
        byte* w2 = group + end - 128;
        var words = Avx512Vbmi.PermuteVar64x8x2(Vector512.Load(w2), index.ToVector256Unsafe().ToVector512Unsafe(), Vector512.Load(w2 + 64))
            .GetLower().GetLower().AsInt16();
        // W1 only when block 0 lies before W2 (never for Q4_0); W1 then starts fewer than 128 bytes before the group,
        // inside the full group before it. Loading it otherwise could reach before the row.
        if (7 * TBlock.Bytes + field + 2 > 128 && end > 128 + field)
        {
            byte* w1 = w2 - 128;
            var first = Avx512Vbmi.PermuteVar64x8x2(Vector512.Load(w1), index.ToVector256Unsafe().ToVector512Unsafe(), Vector512.Load(w1 + 64))
                .GetLower().GetLower().AsInt16();
            words = Vector128.ConditionalSelect(inFirst, first, words);
        }
        words &= Vector128.LessThan(Vector128.Create((short)0, 1, 2, 3, 4, 5, 6, 7), Vector128.Create((short)count));
        scales = Vector256Dot.HalfToSingle(words);
        return true;
    }

    /// <summary>Where block k's field starts in its group, for k = 0..7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<short> Positions(int field) => Vector128.Create(
        (short)field, (short)(TBlock.Bytes + field), (short)(2 * TBlock.Bytes + field), (short)(3 * TBlock.Bytes + field),
        (short)(4 * TBlock.Bytes + field), (short)(5 * TBlock.Bytes + field), (short)(6 * TBlock.Bytes + field), (short)(7 * TBlock.Bytes + field));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Eight(byte* group, int field)
    {
        var first = Avx512Vbmi.PermuteVar64x8x2(Vector512.Load(group), Index(field, second: false).ToVector256Unsafe().ToVector512Unsafe(), Vector512.Load(group + 64));
        var words = first.GetLower().GetLower().AsInt16();
        if (!AllInFirstWindow(field))
        {
            byte* second = group + SecondWindow;
            var other = Avx512Vbmi.PermuteVar64x8x2(Vector512.Load(second), Index(field, second: true).ToVector256Unsafe().ToVector512Unsafe(), Vector512.Load(second + 64));
            words = Vector128.ConditionalSelect(FromSecond(field), other.GetLower().GetLower().AsInt16(), words);
        }
        return Vector256Dot.HalfToSingle(words);
    }

    /// <summary>True when all eight fields sit in the group's first 128 bytes (Q4_0: the last ends at byte 127).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AllInFirstWindow(int field) => 7 * TBlock.Bytes + field + 2 <= 128;

    /// <summary>
    /// Byte indices (into the first or the second window) that move each block's F16 to word k; blocks in the other
    /// window get index 0 and are replaced by <see cref="FromSecond"/>'s select. Literal constants per block size: a
    /// switch on the constant <c>TBlock.Bytes</c> folds to one of them, where computed or static-field vectors were
    /// not folded inside the large prefill kernels (whose stackalloc makes the JIT compile them before this class is
    /// initialized). The window rule they follow is <see cref="SecondWindow"/>; tests check every type.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Index(int field, bool second) => second
        ? (4 * TBlock.Bytes + field) switch
        {
            72 => Vector128.Create((byte)0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            80 => Vector128.Create((byte)0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 108, 109),
            82 => Vector128.Create((byte)0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 110, 111),
            88 => Vector128.Create((byte)0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 84, 85, 106, 107),
            96 => Vector128.Create((byte)0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 80, 81, 104, 105),
            98 => Vector128.Create((byte)0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 82, 83, 106, 107),
            136 => Vector128.Create((byte)0, 0, 0, 0, 0, 0, 0, 0, 8, 9, 42, 43, 76, 77, 110, 111),
            _ => throw new NotSupportedException($"no scale indices for {TBlock.Bytes}-byte blocks"),
        }
        : (4 * TBlock.Bytes + field) switch
        {
            72 => Vector128.Create((byte)0, 1, 18, 19, 36, 37, 54, 55, 72, 73, 90, 91, 108, 109, 126, 127), // 18-byte blocks, field 0
            80 => Vector128.Create((byte)0, 1, 20, 21, 40, 41, 60, 61, 80, 81, 100, 101, 120, 121, 0, 0), // 20-byte blocks, field 0
            82 => Vector128.Create((byte)2, 3, 22, 23, 42, 43, 62, 63, 82, 83, 102, 103, 122, 123, 0, 0), // 20-byte blocks, field 2
            88 => Vector128.Create((byte)0, 1, 22, 23, 44, 45, 66, 67, 88, 89, 110, 111, 0, 0, 0, 0), // 22-byte blocks, field 0
            96 => Vector128.Create((byte)0, 1, 24, 25, 48, 49, 72, 73, 96, 97, 120, 121, 0, 0, 0, 0), // 24-byte blocks, field 0
            98 => Vector128.Create((byte)2, 3, 26, 27, 50, 51, 74, 75, 98, 99, 122, 123, 0, 0, 0, 0), // 24-byte blocks, field 2
            136 => Vector128.Create((byte)0, 1, 34, 35, 68, 69, 102, 103, 0, 0, 0, 0, 0, 0, 0, 0), // 34-byte blocks, field 0
            _ => throw new NotSupportedException($"no scale indices for {TBlock.Bytes}-byte blocks"),
        };

    /// <summary>All ones in the words whose block lies in the second window.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<short> FromSecond(int field) => (4 * TBlock.Bytes + field) switch
    {
        72 => Vector128.Create((short)0, 0, 0, 0, 0, 0, 0, 0),
        80 => Vector128.Create((short)0, 0, 0, 0, 0, 0, 0, -1),
        82 => Vector128.Create((short)0, 0, 0, 0, 0, 0, 0, -1),
        88 => Vector128.Create((short)0, 0, 0, 0, 0, 0, -1, -1),
        96 => Vector128.Create((short)0, 0, 0, 0, 0, 0, -1, -1),
        98 => Vector128.Create((short)0, 0, 0, 0, 0, 0, -1, -1),
        136 => Vector128.Create((short)0, 0, 0, 0, -1, -1, -1, -1),
        _ => throw new NotSupportedException($"no scale indices for {TBlock.Bytes}-byte blocks"),
    };
}

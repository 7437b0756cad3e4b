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

    // Per field (byte 0: the scale d, byte 2: the min m): byte indices into the first and second window, and which of
    // the eight F16 words come from the second window.
    private static readonly Vector512<byte> s_first0 = Index(0, window: 0);
    private static readonly Vector512<byte> s_second0 = Index(0, window: 1);
    private static readonly Vector128<short> s_fromSecond0 = FromSecond(0);
    private static readonly Vector512<byte> s_first2 = Index(2, window: 0);
    private static readonly Vector512<byte> s_second2 = Index(2, window: 1);
    private static readonly Vector128<short> s_fromSecond2 = FromSecond(2);

    /// <summary>Bytes of eight blocks.</summary>
    private static int GroupBytes => 8 * TBlock.Bytes;

    /// <summary>Where the second 128-byte window starts: right after the first, or early enough to end with the group.</summary>
    private static int SecondWindow => Math.Min(128, GroupBytes - 128);

    /// <summary>True when the permute path can run: the CPU has VBMI and eight blocks span at least one window.</summary>
    public static bool IsPermuted => Avx512Vbmi.IsSupported && GroupBytes >= GroupBytesMinimum;

    /// <summary>
    /// The F16 at byte <paramref name="field"/> (0 or 2) of each of the first <paramref name="count"/> (1 to 8) blocks
    /// at <paramref name="group"/>, widened; lanes past <paramref name="count"/> are 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Get(byte* group, int field, int count)
    {
        if (count == 8 && IsPermuted) return Eight(group, field);
        return Vector256QuantDot<MaddDot>.Halves(group + field, Vector256QuantDot<MaddDot>.Offsets8(TBlock.Bytes), count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Eight(byte* group, int field)
    {
        var first = Avx512Vbmi.PermuteVar64x8x2(Vector512.Load(group), field == 0 ? s_first0 : s_first2, Vector512.Load(group + 64));
        var words = first.GetLower().GetLower().AsInt16();
        if (!AllInFirstWindow(field))
        {
            byte* second = group + SecondWindow;
            var other = Avx512Vbmi.PermuteVar64x8x2(Vector512.Load(second), field == 0 ? s_second0 : s_second2, Vector512.Load(second + 64));
            words = Vector128.ConditionalSelect(field == 0 ? s_fromSecond0 : s_fromSecond2, other.GetLower().GetLower().AsInt16(), words);
        }
        return Vector256Dot.HalfToSingle(Avx2.ConvertToVector256Int32(words.AsUInt16()).AsUInt32());
    }

    /// <summary>True when all eight fields sit in the group's first 128 bytes (Q4_0: the last ends at byte 127).</summary>
    private static bool AllInFirstWindow(int field) => 7 * TBlock.Bytes + field + 2 <= 128;

    private static bool InFirst(int block, int field) => block * TBlock.Bytes + field + 2 <= 128;

    private static Vector512<byte> Index(int field, int window)
    {
        var index = new byte[64];
        if (GroupBytes < GroupBytesMinimum) return Vector512<byte>.Zero;
        for (int k = 0; k < 8; k++)
        {
            int at = k * TBlock.Bytes + field;
            if (window == 0 ? !InFirst(k, field) : InFirst(k, field)) continue;
            int relative = window == 0 ? at : at - SecondWindow;
            if (relative < 0 || relative + 2 > 128)
                throw new InvalidOperationException($"block {k}'s F16 at byte {at} is in neither window of a {GroupBytes}-byte group");
            index[2 * k] = (byte)relative;
            index[2 * k + 1] = (byte)(relative + 1);
        }
        return Vector512.Create(index);
    }

    private static Vector128<short> FromSecond(int field)
    {
        var mask = new short[8];
        for (int k = 0; k < 8; k++) mask[k] = (short)(InFirst(k, field) ? 0 : -1);
        return Vector128.Create(mask);
    }
}

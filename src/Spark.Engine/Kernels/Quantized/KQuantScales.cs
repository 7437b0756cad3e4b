using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// The vector kernels' unpacking of a Q4_K/Q5_K super-block's 12 packed scale bytes into eight 6-bit scales and eight
/// 6-bit mins: four bytes at a time in 32-bit words (ggml's kmask trick), widened with one vector op per array. The
/// byte-by-byte reference (<see cref="ScalarQuantDot.ScalesMins"/>) cost as much as a super-block's whole dot.
/// </summary>
internal static unsafe class KQuantScales
{
    /// <summary>The eight mins of <see cref="Packed"/>'s result (bytes 8-15) widened to 16 bits, for <see cref="GgmlOrder.Mins"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<short> Mins(Vector128<byte> packed) =>
        Sse41.ConvertToVector128Int16(Sse2.ShiftRightLogical128BitLane(packed, 8));

    /// <summary>The eight scales (bytes 0-7) and eight mins (bytes 8-15), as get_scale_min_k4, kept in a register.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Packed(byte* s)
    {
        const uint Low6 = 0x3f3f3f3f, Low4 = 0x0f0f0f0f, Low2 = 0x03030303;
        uint u0 = Unsafe.ReadUnaligned<uint>(s), u1 = Unsafe.ReadUnaligned<uint>(s + 4), u2 = Unsafe.ReadUnaligned<uint>(s + 8);
        // Sub-blocks 0-3: the low 6 bits of bytes 0-3 (scales) and 4-7 (mins). Sub-blocks 4-7: a nibble of bytes 8-11
        // (low for scales, high for mins) under the top 2 bits of bytes 0-3 (scales) or 4-7 (mins).
        return Vector128.Create(
            u0 & Low6,
            (u2 & Low4) | (((u0 >> 6) & Low2) << 4),
            u1 & Low6,
            ((u2 >> 4) & Low4) | (((u1 >> 6) & Low2) << 4)).AsByte();
    }
}

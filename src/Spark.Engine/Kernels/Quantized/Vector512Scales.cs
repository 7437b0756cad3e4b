using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>The sixteen F16 block scales of an <see cref="InterleavedRows"/> group block, widened to F32 in one vector.</summary>
internal static class Vector512Scales
{
    /// <summary>
    /// Sixteen F16 scales to F32, exact: normals (the common case) by moving the fields and rescaling by 2^112, anything
    /// else through <see cref="Vector256Dot.HalfToSingle(Vector128{short})"/>, which never feeds a multiply an F32
    /// subnormal (a microcode assist on AMD Zen).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> HalfToSingle(Vector256<short> words)
    {
        var magnitude = words.AsUInt16() & Vector256.Create((ushort)0x7FFF);
        // One unsigned compare flags exponent 0 (zeros too, which the exact path also gets right) and exponent 31.
        if (Vector256.GreaterThanAny(magnitude - Vector256.Create((ushort)0x0400), Vector256.Create((ushort)0x77FF)))
            return Vector512.Create(Vector256Dot.HalfToSingle(words.GetLower()), Vector256Dot.HalfToSingle(words.GetUpper()));
        var fields = (Avx512F.ConvertToVector512Int32(words) << 13) & Vector512.Create(unchecked((int)0x8FFF_E000));
        return fields.AsSingle() * Vector512.Create(BitConverter.Int32BitsToSingle(0x77800000)); // × 2^112
    }
}

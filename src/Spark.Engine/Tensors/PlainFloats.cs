using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Spark.Engine.Tensors;

/// <summary>
/// The unblocked float types F32, F16 and BF16: little-endian elements, one after another.
/// </summary>
internal static class PlainFloats
{
    public static void DequantizeF32(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadSingleLittleEndian(src.Slice(4 * i));
    }

    public static void DequantizeF16(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src.Slice(2 * i));
    }

    public static void DequantizeBF16(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = BFloat16Bits.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src.Slice(2 * i)));
    }

    public static void QuantizeF32(ReadOnlySpan<float> src, Span<byte> dst)
    {
        if (BitConverter.IsLittleEndian) { MemoryMarshal.AsBytes(src).CopyTo(dst); return; }
        for (int i = 0; i < src.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(dst.Slice(4 * i), src[i]);
    }

    public static void QuantizeF16(ReadOnlySpan<float> src, Span<byte> dst)
    {
        for (int i = 0; i < src.Length; i++) BinaryPrimitives.WriteHalfLittleEndian(dst.Slice(2 * i), (Half)src[i]);
    }

    public static void QuantizeBF16(ReadOnlySpan<float> src, Span<byte> dst)
    {
        for (int i = 0; i < src.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(dst.Slice(2 * i), BFloat16Bits.FromSingle(src[i]));
    }
}

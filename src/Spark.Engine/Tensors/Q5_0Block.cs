using System.Buffers.Binary;

namespace Spark.Engine.Tensors;

/// <summary>
/// ggml block_q5_0: { half d; u8 qh[4]; u8 qs[16] }, 32 elements. Low four bits as in Q4_0; bit e of the
/// little-endian u32 qh is the fifth bit of element e; value = (q − 16)·d.
/// </summary>
internal static class Q5_0Block
{
    public const int Bytes = 22;
    public const int Elements = 32;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int b = 0; b < dst.Length / Elements; b++)
        {
            var block = src.Slice(b * Bytes, Bytes);
            var y = dst.Slice(b * Elements, Elements);
            float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
            uint qh = BinaryPrimitives.ReadUInt32LittleEndian(block[2..]);
            for (int j = 0; j < 16; j++)
            {
                byte q = block[6 + j];
                int x0 = ((q & 0x0F) | (int)(((qh >> j) << 4) & 0x10)) - 16;
                int x1 = ((q >> 4) | (int)((qh >> (j + 12)) & 0x10)) - 16;
                y[j] = x0 * d;
                y[j + 16] = x1 * d;
            }
        }
    }

    /// <summary>quantize_row_q5_0_ref: d = max/−16 where max is the element of largest magnitude.</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        for (int b = 0; b < src.Length / Elements; b++)
        {
            var x = src.Slice(b * Elements, Elements);
            var block = dst.Slice(b * Bytes, Bytes);
            float amax = 0, max = 0;
            for (int j = 0; j < Elements; j++)
            {
                if (amax < MathF.Abs(x[j])) { amax = MathF.Abs(x[j]); max = x[j]; }
            }
            float d = max / -16;
            float id = d != 0 ? 1.0f / d : 0.0f;
            BinaryPrimitives.WriteHalfLittleEndian(block, (Half)d);
            uint qh = 0;
            for (int j = 0; j < 16; j++)
            {
                int lo = Math.Min(31, (int)(x[j] * id + 16.5f));
                int hi = Math.Min(31, (int)(x[j + 16] * id + 16.5f));
                block[6 + j] = (byte)((lo & 0x0F) | ((hi & 0x0F) << 4));
                qh |= (uint)((lo & 0x10) >> 4) << j;
                qh |= (uint)((hi & 0x10) >> 4) << (j + 16);
            }
            BinaryPrimitives.WriteUInt32LittleEndian(block[2..], qh);
        }
    }
}

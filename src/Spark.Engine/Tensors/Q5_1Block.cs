using System.Buffers.Binary;

namespace Spark.Engine.Tensors;

/// <summary>
/// ggml block_q5_1: { half d; half m; u8 qh[4]; u8 qs[16] }, 32 elements, bits as in Q5_0; value = q·d + m.
/// </summary>
internal static class Q5_1Block
{
    public const int Bytes = 24;
    public const int Elements = 32;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int b = 0; b < dst.Length / Elements; b++)
        {
            var block = src.Slice(b * Bytes, Bytes);
            var y = dst.Slice(b * Elements, Elements);
            float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
            float m = (float)BinaryPrimitives.ReadHalfLittleEndian(block[2..]);
            uint qh = BinaryPrimitives.ReadUInt32LittleEndian(block[4..]);
            for (int j = 0; j < 16; j++)
            {
                byte q = block[8 + j];
                int x0 = (q & 0x0F) | (int)(((qh >> j) << 4) & 0x10);
                int x1 = (q >> 4) | (int)((qh >> (j + 12)) & 0x10);
                y[j] = x0 * d + m;
                y[j + 16] = x1 * d + m;
            }
        }
    }

    /// <summary>quantize_row_q5_1_ref: d = (max − min)/31, m = min.</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        for (int b = 0; b < src.Length / Elements; b++)
        {
            var x = src.Slice(b * Elements, Elements);
            var block = dst.Slice(b * Bytes, Bytes);
            float min = float.MaxValue, max = -float.MaxValue;
            for (int j = 0; j < Elements; j++)
            {
                if (x[j] < min) min = x[j];
                if (x[j] > max) max = x[j];
            }
            float d = (max - min) / 31;
            float id = d != 0 ? 1.0f / d : 0.0f;
            BinaryPrimitives.WriteHalfLittleEndian(block, (Half)d);
            BinaryPrimitives.WriteHalfLittleEndian(block[2..], (Half)min);
            uint qh = 0;
            for (int j = 0; j < 16; j++)
            {
                int lo = Math.Min(31, (int)((x[j] - min) * id + 0.5f));
                int hi = Math.Min(31, (int)((x[j + 16] - min) * id + 0.5f));
                block[8 + j] = (byte)((lo & 0x0F) | ((hi & 0x0F) << 4));
                qh |= (uint)((lo & 0x10) >> 4) << j;
                qh |= (uint)((hi & 0x10) >> 4) << (j + 16);
            }
            BinaryPrimitives.WriteUInt32LittleEndian(block[4..], qh);
        }
    }
}

using System.Buffers.Binary;

namespace Spark.Engine.Tensors;

/// <summary>
/// ggml block_q4_1: { half d; half m; u8 qs[16] }, 32 elements, nibbles as in Q4_0; value = q·d + m.
/// </summary>
internal static class Q4_1Block
{
    public const int Bytes = 20;
    public const int Elements = 32;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int b = 0; b < dst.Length / Elements; b++)
        {
            var block = src.Slice(b * Bytes, Bytes);
            var y = dst.Slice(b * Elements, Elements);
            float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
            float m = (float)BinaryPrimitives.ReadHalfLittleEndian(block[2..]);
            for (int j = 0; j < 16; j++)
            {
                byte q = block[4 + j];
                y[j] = (q & 0x0F) * d + m;
                y[j + 16] = (q >> 4) * d + m;
            }
        }
    }

    /// <summary>quantize_row_q4_1_ref: d = (max − min)/15, m = min.</summary>
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
            float d = (max - min) / 15;
            float id = d != 0 ? 1.0f / d : 0.0f;
            BinaryPrimitives.WriteHalfLittleEndian(block, (Half)d);
            BinaryPrimitives.WriteHalfLittleEndian(block[2..], (Half)min);
            for (int j = 0; j < 16; j++)
            {
                int lo = Math.Min(15, (int)((x[j] - min) * id + 0.5f));
                int hi = Math.Min(15, (int)((x[j + 16] - min) * id + 0.5f));
                block[4 + j] = (byte)(lo | (hi << 4));
            }
        }
    }
}

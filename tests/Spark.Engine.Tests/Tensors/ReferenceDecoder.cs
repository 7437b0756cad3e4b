using System.Buffers.Binary;
using Spark.Engine.Tensors;

namespace Spark.Engine.Tests.Tensors;

/// <summary>
/// Decodes one element of one block at a time, restating each ggml layout from the element's point of view
/// (which byte, which bits, which scale), independently of the block-at-a-time production decoders.
/// </summary>
internal static class ReferenceDecoder
{
    public static float Element(GgmlType type, byte[] block, int i)
    {
        float H(int offset) => (float)BinaryPrimitives.ReadHalfLittleEndian(block.AsSpan(offset));
        int Nibble(int qsOffset) => i < 16 ? block[qsOffset + i] & 0xF : block[qsOffset + i - 16] >> 4;
        int Bit(int qhOffset) => (int)((BinaryPrimitives.ReadUInt32LittleEndian(block.AsSpan(qhOffset)) >> i) & 1);
        switch (type)
        {
            case GgmlType.Q4_0: return (Nibble(2) - 8) * H(0);
            case GgmlType.Q4_1: return Nibble(4) * H(0) + H(2);
            case GgmlType.Q5_0: return ((Nibble(6) + 16 * Bit(2)) - 16) * H(0);
            case GgmlType.Q5_1: return (Nibble(8) + 16 * Bit(4)) * H(0) + H(2);
            case GgmlType.Q8_0: return (sbyte)block[2 + i] * H(0);
            case GgmlType.Q8_K: return BinaryPrimitives.ReadSingleLittleEndian(block) * (sbyte)block[4 + i];
            case GgmlType.Q4_K:
            case GgmlType.Q5_K:
            {
                int sub = i / 32, l = i % 32, pair = i / 64;
                int qs = type == GgmlType.Q4_K ? 16 : 48;
                int b = block[qs + 32 * pair + l];
                int q = sub % 2 == 0 ? b & 0xF : b >> 4;
                if (type == GgmlType.Q5_K) q += 16 * ((block[16 + l] >> sub) & 1);
                var s = block.AsSpan(4, 12);
                int sc = sub < 4 ? s[sub] & 63 : (s[sub + 4] & 0xF) | ((s[sub - 4] >> 6) << 4);
                int m = sub < 4 ? s[sub + 4] & 63 : (s[sub + 4] >> 4) | ((s[sub] >> 6) << 4);
                return H(0) * sc * q - H(2) * m;
            }
            case GgmlType.Q6_K:
            {
                int half = i / 128, r = i % 128, k = r / 32, l = r % 32;
                int b = block[64 * half + l + 32 * (k & 1)];
                int low = k < 2 ? b & 0xF : b >> 4;
                int high = (block[128 + 32 * half + l] >> (2 * k)) & 3;
                return H(208) * (sbyte)block[192 + i / 16] * ((low | (high << 4)) - 32);
            }
            default:
                throw new NotSupportedException(type.ToString());
        }
    }
}

using System.Buffers.Binary;
using Spark.Engine.Tensors;

namespace Spark.Engine.Kernels;

/// <summary>
/// Scalar dot product of one weight row (raw ggml blocks) with an F32 vector, decoding each block in place.
/// The reference twin of <see cref="Vector256Dot"/>; tests compare the two.
/// </summary>
internal static class ScalarDot
{
    /// <summary>Σ w[i]·x[i] over x.Length elements, where <paramref name="row"/> holds those elements as <paramref name="type"/>.</summary>
    public static float Row(GgmlType type, ReadOnlySpan<byte> row, ReadOnlySpan<float> x) => type switch
    {
        GgmlType.F32 => F32(row, x),
        GgmlType.F16 => F16(row, x),
        GgmlType.BF16 => BF16(row, x),
        GgmlType.Q4_0 => Q4_0(row, x),
        GgmlType.Q4_1 => Q4_1(row, x),
        GgmlType.Q5_0 => Q5_0(row, x),
        GgmlType.Q5_1 => Q5_1(row, x),
        GgmlType.Q8_0 => Q8_0(row, x),
        GgmlType.Q4_K => Q4K(row, x),
        GgmlType.Q5_K => Q5K(row, x),
        GgmlType.Q6_K => Q6K(row, x),
        GgmlType.Q8_K => Q8K(row, x),
        _ => throw new NotSupportedException($"no matvec for tensor type {type}; supported: {GgmlTypeInfo.SupportedList}"),
    };

    private static float F32(ReadOnlySpan<byte> row, ReadOnlySpan<float> x)
    {
        float sum = 0;
        for (int i = 0; i < x.Length; i++) sum += BinaryPrimitives.ReadSingleLittleEndian(row.Slice(4 * i)) * x[i];
        return sum;
    }

    private static float F16(ReadOnlySpan<byte> row, ReadOnlySpan<float> x)
    {
        float sum = 0;
        for (int i = 0; i < x.Length; i++) sum += (float)BinaryPrimitives.ReadHalfLittleEndian(row.Slice(2 * i)) * x[i];
        return sum;
    }

    private static float BF16(ReadOnlySpan<byte> row, ReadOnlySpan<float> x)
    {
        float sum = 0;
        for (int i = 0; i < x.Length; i++) sum += BFloat16Bits.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(row.Slice(2 * i))) * x[i];
        return sum;
    }

    private static float Q4_0(ReadOnlySpan<byte> row, ReadOnlySpan<float> x)
    {
        float sum = 0;
        for (int b = 0; b < x.Length / 32; b++)
        {
            var block = row.Slice(b * Q4_0Block.Bytes, Q4_0Block.Bytes);
            var xb = x.Slice(32 * b, 32);
            float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
            float s = 0;
            for (int j = 0; j < 16; j++)
                s += ((block[2 + j] & 0xF) - 8) * xb[j] + ((block[2 + j] >> 4) - 8) * xb[j + 16];
            sum += d * s;
        }
        return sum;
    }

    private static float Q4_1(ReadOnlySpan<byte> row, ReadOnlySpan<float> x)
    {
        float sum = 0;
        for (int b = 0; b < x.Length / 32; b++)
        {
            var block = row.Slice(b * Q4_1Block.Bytes, Q4_1Block.Bytes);
            var xb = x.Slice(32 * b, 32);
            float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
            float m = (float)BinaryPrimitives.ReadHalfLittleEndian(block[2..]);
            float s = 0, sx = 0;
            for (int j = 0; j < 16; j++)
            {
                s += (block[4 + j] & 0xF) * xb[j] + (block[4 + j] >> 4) * xb[j + 16];
                sx += xb[j] + xb[j + 16];
            }
            sum += d * s + m * sx;
        }
        return sum;
    }

    private static float Q5_0(ReadOnlySpan<byte> row, ReadOnlySpan<float> x)
    {
        float sum = 0;
        for (int b = 0; b < x.Length / 32; b++)
        {
            var block = row.Slice(b * Q5_0Block.Bytes, Q5_0Block.Bytes);
            var xb = x.Slice(32 * b, 32);
            float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
            uint qh = BinaryPrimitives.ReadUInt32LittleEndian(block[2..]);
            float s = 0;
            for (int j = 0; j < 16; j++)
            {
                int q0 = (block[6 + j] & 0xF) | (int)(((qh >> j) & 1) << 4);
                int q1 = (block[6 + j] >> 4) | (int)(((qh >> (j + 16)) & 1) << 4);
                s += (q0 - 16) * xb[j] + (q1 - 16) * xb[j + 16];
            }
            sum += d * s;
        }
        return sum;
    }

    private static float Q5_1(ReadOnlySpan<byte> row, ReadOnlySpan<float> x)
    {
        float sum = 0;
        for (int b = 0; b < x.Length / 32; b++)
        {
            var block = row.Slice(b * Q5_1Block.Bytes, Q5_1Block.Bytes);
            var xb = x.Slice(32 * b, 32);
            float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
            float m = (float)BinaryPrimitives.ReadHalfLittleEndian(block[2..]);
            uint qh = BinaryPrimitives.ReadUInt32LittleEndian(block[4..]);
            float s = 0, sx = 0;
            for (int j = 0; j < 16; j++)
            {
                int q0 = (block[8 + j] & 0xF) | (int)(((qh >> j) & 1) << 4);
                int q1 = (block[8 + j] >> 4) | (int)(((qh >> (j + 16)) & 1) << 4);
                s += q0 * xb[j] + q1 * xb[j + 16];
                sx += xb[j] + xb[j + 16];
            }
            sum += d * s + m * sx;
        }
        return sum;
    }

    private static float Q8_0(ReadOnlySpan<byte> row, ReadOnlySpan<float> x)
    {
        float sum = 0;
        for (int b = 0; b < x.Length / 32; b++)
        {
            var block = row.Slice(b * Q8_0Block.Bytes, Q8_0Block.Bytes);
            var xb = x.Slice(32 * b, 32);
            float s = 0;
            for (int j = 0; j < 32; j++) s += (sbyte)block[2 + j] * xb[j];
            sum += (float)BinaryPrimitives.ReadHalfLittleEndian(block) * s;
        }
        return sum;
    }

    private static float Q4K(ReadOnlySpan<byte> row, ReadOnlySpan<float> x)
    {
        float sum = 0;
        for (int b = 0; b < x.Length / 256; b++)
        {
            var block = row.Slice(b * Q4KBlock.Bytes, Q4KBlock.Bytes);
            float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
            float dmin = (float)BinaryPrimitives.ReadHalfLittleEndian(block[2..]);
            var scales = block.Slice(Q4KBlock.ScalesOffset, 12);
            for (int g = 0; g < 4; g++)
            {
                var q = block.Slice(Q4KBlock.QsOffset + 32 * g, 32);
                var xa = x.Slice(256 * b + 64 * g, 32);
                var xc = x.Slice(256 * b + 64 * g + 32, 32);
                KQuantSolver.ScaleMin(2 * g, scales, out int sc1, out int m1);
                KQuantSolver.ScaleMin(2 * g + 1, scales, out int sc2, out int m2);
                float qa = 0, sa = 0, qc = 0, sc = 0;
                for (int l = 0; l < 32; l++)
                {
                    qa += (q[l] & 0xF) * xa[l];
                    sa += xa[l];
                    qc += (q[l] >> 4) * xc[l];
                    sc += xc[l];
                }
                sum += d * (sc1 * qa + sc2 * qc) - dmin * (m1 * sa + m2 * sc);
            }
        }
        return sum;
    }

    private static float Q5K(ReadOnlySpan<byte> row, ReadOnlySpan<float> x)
    {
        float sum = 0;
        for (int b = 0; b < x.Length / 256; b++)
        {
            var block = row.Slice(b * Q5KBlock.Bytes, Q5KBlock.Bytes);
            float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
            float dmin = (float)BinaryPrimitives.ReadHalfLittleEndian(block[2..]);
            var scales = block.Slice(Q5KBlock.ScalesOffset, 12);
            var qh = block.Slice(Q5KBlock.QhOffset, 32);
            for (int g = 0; g < 4; g++)
            {
                var ql = block.Slice(Q5KBlock.QsOffset + 32 * g, 32);
                var xa = x.Slice(256 * b + 64 * g, 32);
                var xc = x.Slice(256 * b + 64 * g + 32, 32);
                KQuantSolver.ScaleMin(2 * g, scales, out int sc1, out int m1);
                KQuantSolver.ScaleMin(2 * g + 1, scales, out int sc2, out int m2);
                float qa = 0, sa = 0, qc = 0, sc = 0;
                for (int l = 0; l < 32; l++)
                {
                    int h = qh[l] >> (2 * g);
                    qa += ((ql[l] & 0xF) | ((h & 1) << 4)) * xa[l];
                    sa += xa[l];
                    qc += ((ql[l] >> 4) | ((h & 2) << 3)) * xc[l];
                    sc += xc[l];
                }
                sum += d * (sc1 * qa + sc2 * qc) - dmin * (m1 * sa + m2 * sc);
            }
        }
        return sum;
    }

    private static float Q6K(ReadOnlySpan<byte> row, ReadOnlySpan<float> x)
    {
        float sum = 0;
        for (int b = 0; b < x.Length / 256; b++)
        {
            var block = row.Slice(b * Q6KBlock.Bytes, Q6KBlock.Bytes);
            float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block[Q6KBlock.DOffset..]);
            for (int half = 0; half < 2; half++)
            {
                var ql = block.Slice(64 * half, 64);
                var qh = block.Slice(Q6KBlock.QhOffset + 32 * half, 32);
                var scales = block.Slice(Q6KBlock.ScalesOffset + 8 * half, 8);
                var xh = x.Slice(256 * b + 128 * half, 128);
                for (int s = 0; s < 2; s++)
                {
                    float s1 = 0, s2 = 0, s3 = 0, s4 = 0;
                    for (int l = 16 * s; l < 16 * s + 16; l++)
                    {
                        s1 += (((ql[l] & 0xF) | ((qh[l] & 3) << 4)) - 32) * xh[l];
                        s2 += (((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32) * xh[l + 32];
                        s3 += (((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32) * xh[l + 64];
                        s4 += (((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32) * xh[l + 96];
                    }
                    sum += d * ((sbyte)scales[s] * s1 + (sbyte)scales[s + 2] * s2 + (sbyte)scales[s + 4] * s3 + (sbyte)scales[s + 6] * s4);
                }
            }
        }
        return sum;
    }

    private static float Q8K(ReadOnlySpan<byte> row, ReadOnlySpan<float> x)
    {
        float sum = 0;
        for (int b = 0; b < x.Length / 256; b++)
        {
            var block = row.Slice(b * Q8KBlock.Bytes, Q8KBlock.Bytes);
            var xb = x.Slice(256 * b, 256);
            float s = 0;
            for (int j = 0; j < 256; j++) s += (sbyte)block[Q8KBlock.QsOffset + j] * xb[j];
            sum += BinaryPrimitives.ReadSingleLittleEndian(block) * s;
        }
        return sum;
    }
}

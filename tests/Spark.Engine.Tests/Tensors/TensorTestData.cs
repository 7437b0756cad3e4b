using System.Buffers.Binary;
using Spark.Engine.Tensors;

namespace Spark.Engine.Tests.Tensors;

/// <summary>Deterministic inputs for tensor and kernel tests.</summary>
internal static class TensorTestData
{
    public static readonly GgmlType[] SupportedTypes =
    [
        GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1,
        GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q8_K,
    ];

    public static TheoryData<GgmlType> AllTypes()
    {
        var data = new TheoryData<GgmlType>();
        foreach (var t in SupportedTypes) data.Add(t);
        return data;
    }

    /// <summary>Standard normal samples (Box–Muller) from a fixed seed.</summary>
    public static float[] Gaussian(int n, int seed, float scale = 1f)
    {
        var rng = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            v[i] = scale * (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return v;
    }

    /// <summary>
    /// Bell-shaped values built with integer arithmetic and power-of-two scaling only, so every platform produces
    /// the same floats bit for bit (golden-byte tests depend on that). Super-blocks vary on purpose: unit scale,
    /// tiny scale, all positive, all negative and offset, a lone outlier, and all zero.
    /// </summary>
    public static float[] Golden(int superBlocks)
    {
        var x = new float[superBlocks * 256];
        uint state = 2463534242;
        uint Next()
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            return state;
        }
        for (int i = 0; i < x.Length; i++)
        {
            int sum = 0;
            for (int k = 0; k < 4; k++) sum += (int)(Next() & 0xFFF);
            x[i] = (sum - 2 * 4095) / 2048f; // Irwin–Hall(4), roughly N(0, 1.15)
        }
        for (int b = 0; b < superBlocks; b++)
        {
            var s = x.AsSpan(256 * b, 256);
            switch (b % 6)
            {
                case 1: for (int i = 0; i < 256; i++) s[i] /= 128; break;
                case 2: for (int i = 0; i < 256; i++) s[i] = MathF.Abs(s[i]); break;
                case 3: for (int i = 0; i < 256; i++) s[i] = -MathF.Abs(s[i]) - 1; break;
                case 4: s[77] = 40; break;
                case 5: if (b == 5) s.Clear(); break;
            }
        }
        return x;
    }

    /// <summary>Random block bytes whose F16/F32 scale fields hold finite, modest values.</summary>
    public static byte[] RandomBlocks(GgmlType type, int blocks, int seed)
    {
        var rng = new Random(seed);
        int bytes = GgmlTypeInfo.BlockBytes(type);
        var data = new byte[blocks * bytes];
        rng.NextBytes(data);
        for (int b = 0; b < blocks; b++)
        {
            var block = data.AsSpan(b * bytes, bytes);
            Half RandomHalf() => (Half)((float)rng.NextDouble() * 0.02f + 0.001f);
            switch (type)
            {
                case GgmlType.Q4_0 or GgmlType.Q5_0 or GgmlType.Q8_0:
                    BinaryPrimitives.WriteHalfLittleEndian(block, RandomHalf());
                    break;
                case GgmlType.Q4_1 or GgmlType.Q5_1 or GgmlType.Q4_K or GgmlType.Q5_K:
                    BinaryPrimitives.WriteHalfLittleEndian(block, RandomHalf());
                    BinaryPrimitives.WriteHalfLittleEndian(block[2..], RandomHalf());
                    break;
                case GgmlType.Q6_K:
                    BinaryPrimitives.WriteHalfLittleEndian(block[208..], RandomHalf());
                    break;
                case GgmlType.Q8_K:
                    BinaryPrimitives.WriteSingleLittleEndian(block, (float)rng.NextDouble() * 0.02f);
                    break;
            }
        }
        return data;
    }
}

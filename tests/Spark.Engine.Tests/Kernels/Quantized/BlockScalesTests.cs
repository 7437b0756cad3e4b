using System.Runtime.Intrinsics;
using Spark.Engine.Kernels.Quantized;

namespace Spark.Engine.Tests.Kernels.Quantized;

public unsafe class BlockScalesTests
{
    // Normals, subnormals, zeros of both signs, the largest finite value, infinities and a NaN.
    private static readonly ushort[] Patterns = [0x3C00, 0xB800, 0x0001, 0x83FF, 0x0000, 0x8000, 0x7BFF, 0x7C00, 0xFC00, 0x7E01, 0x2E66, 0x1234];

    [Fact]
    public void Get_EightBlocks_WidensEachBlocksFieldLikeHalf()
    {
        Check<Q8_0Dot>(fields: [0]);
        Check<Q4_0Dot>(fields: [0]);
        Check<Q4_1Dot>(fields: [0, 2]);
        Check<Q5_0Dot>(fields: [0]);
        Check<Q5_1Dot>(fields: [0, 2]);
    }

    private static void Check<TBlock>(int[] fields) where TBlock : struct, IBlock32
    {
        var rng = new Random(TBlock.Bytes);
        var group = new byte[8 * TBlock.Bytes];
        for (int round = 0; round < 50; round++)
        {
            rng.NextBytes(group);
            var expected = new float[2, 8];
            foreach (int field in fields)
                for (int k = 0; k < 8; k++)
                {
                    ushort bits = round < Patterns.Length ? Patterns[(round + k) % Patterns.Length] : (ushort)rng.Next(65536);
                    BitConverter.TryWriteBytes(group.AsSpan(k * TBlock.Bytes + field, 2), bits);
                    expected[field / 2, k] = (float)BitConverter.UInt16BitsToHalf(bits);
                }
            fixed (byte* p = group)
                foreach (int field in fields)
                    for (int count = 1; count <= 8; count++)
                    {
                        Vector256<float> got = BlockScales<TBlock>.Get(p, field, count);
                        for (int k = 0; k < 8; k++)
                        {
                            float want = k < count ? expected[field / 2, k] : 0f;
                            Assert.True(want.Equals(got[k]) || (float.IsNaN(want) && float.IsNaN(got[k])),
                                $"{typeof(TBlock).Name} field {field} count {count} block {k}: {got[k]} vs {want} (permuted: {BlockScales<TBlock>.IsPermuted})");
                        }
                    }
        }
    }
}

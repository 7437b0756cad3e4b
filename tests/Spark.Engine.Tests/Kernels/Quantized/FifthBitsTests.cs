using System.Runtime.Intrinsics.X86;
using Spark.Engine.Kernels.Quantized;

namespace Spark.Engine.Tests.Kernels.Quantized;

public class FifthBitsTests
{
    [Fact]
    public void FifthBits_RandomAndEdgeWords_PutBitJInBit4OfByteJ()
    {
        if (!Avx512BW.IsSupported) return; // the 512-bit kernels that call it need AVX-512 BW
        var rng = new Random(5);
        var words = new List<ulong> { 0, ulong.MaxValue, 1, 1UL << 63, 0xAAAA_AAAA_AAAA_AAAA, 0x0123_4567_89AB_CDEF };
        for (int i = 0; i < 2000; i++) words.Add((ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 40));
        foreach (ulong bits in words)
        {
            var spread = Vector512QuantDot.FifthBits(bits);
            for (int j = 0; j < 64; j++)
            {
                byte expected = (byte)(((bits >> j) & 1) << 4);
                Assert.True(spread[j] == expected, $"word 0x{bits:X16}: byte {j} is 0x{spread[j]:X2}, expected 0x{expected:X2}");
            }
        }
    }
}

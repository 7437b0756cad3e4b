using System.Runtime.Intrinsics.X86;
using Spark.Engine.Kernels.Quantized;

namespace Spark.Engine.Tests.Kernels.Quantized;

public class KQuantScalesTests
{
    [Fact]
    public unsafe void Unpack_RandomAndExtremePackedBytes_EqualsTheByteByByteReference()
    {
        if (!Avx2.IsSupported) return; // the vector kernels that call it need AVX2; the scalar path keeps the reference
        var rng = new Random(3);
        var packed = new byte[12];
        int* sc = stackalloc int[8], m = stackalloc int[8], sc0 = stackalloc int[8], m0 = stackalloc int[8];
        for (int trial = 0; trial < 20_000; trial++)
        {
            if (trial == 0) Array.Fill(packed, (byte)0xFF);
            else if (trial == 1) Array.Fill(packed, (byte)0);
            else if (trial == 2) Array.Fill(packed, (byte)0xC0);
            else rng.NextBytes(packed);
            fixed (byte* s = packed)
            {
                ScalarQuantDot.ScalesMins(s, sc0, m0);
                KQuantScales.Unpack(s, sc, m);
            }
            for (int j = 0; j < 8; j++)
            {
                Assert.True(sc[j] == sc0[j], $"trial {trial}: scale {j} is {sc[j]}, reference {sc0[j]} ({Convert.ToHexString(packed)})");
                Assert.True(m[j] == m0[j], $"trial {trial}: min {j} is {m[j]}, reference {m0[j]} ({Convert.ToHexString(packed)})");
            }
        }
    }
}

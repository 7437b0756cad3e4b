using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Spark.Engine.Kernels.Quantized;

namespace Spark.Engine.Tests.Kernels.Quantized;

public class KQuantScalesTests
{
    [Fact]
    public unsafe void PackedAndMins_RandomAndExtremePackedBytes_EqualTheByteByByteReference()
    {
        if (!Avx2.IsSupported) return; // the vector kernels that call it need AVX2; the scalar path keeps the reference
        var rng = new Random(3);
        var packed = new byte[12];
        var unpacked = new byte[16];
        var mins = Vector128<short>.Zero;
        int* sc0 = stackalloc int[8], m0 = stackalloc int[8];
        for (int trial = 0; trial < 20_000; trial++)
        {
            if (trial == 0) Array.Fill(packed, (byte)0xFF);
            else if (trial == 1) Array.Fill(packed, (byte)0);
            else if (trial == 2) Array.Fill(packed, (byte)0xC0);
            else rng.NextBytes(packed);
            fixed (byte* s = packed)
            {
                ScalarQuantDot.ScalesMins(s, sc0, m0);
                var both = KQuantScales.Packed(s);
                mins = KQuantScales.Mins(both);
                both.CopyTo(unpacked);
            }
            for (int j = 0; j < 8; j++)
            {
                Assert.True(unpacked[j] == sc0[j], $"trial {trial}: scale {j} is {unpacked[j]}, reference {sc0[j]} ({Convert.ToHexString(packed)})");
                Assert.True(unpacked[8 + j] == m0[j] && mins[j] == m0[j], $"trial {trial}: min {j} is {unpacked[8 + j]} packed, {mins[j]} widened, reference {m0[j]} ({Convert.ToHexString(packed)})");
            }
        }
    }
}

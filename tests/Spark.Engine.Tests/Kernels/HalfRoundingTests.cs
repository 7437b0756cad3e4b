using Spark.Engine.Kernels;

namespace Spark.Engine.Tests.Kernels;

public class HalfRoundingTests
{
    [Fact]
    public void Round_MatchesHalfConversion_AcrossTheRange()
    {
        var rng = new Random(5);
        for (int i = 0; i < 200_000; i++)
        {
            // random bit patterns cover normals, subnormals, overflow, ties and specials
            float x = BitConverter.Int32BitsToSingle(rng.Next(int.MinValue, int.MaxValue));
            float expected = (float)(Half)x;
            float actual = HalfRounding.Round(x);
            Assert.True(expected.Equals(actual), $"{x:R}: expected {expected:R}, got {actual:R}");
        }
        foreach (float x in new[] { 0f, -0f, 1f, 65504f, 65519.99f, 65520f, 6.1035156e-5f, 6.1e-5f, 1.00048828125f, 1.000732421875f, float.NaN, float.PositiveInfinity })
            Assert.True(((float)(Half)x).Equals(HalfRounding.Round(x)), $"{x:R}");
    }
}

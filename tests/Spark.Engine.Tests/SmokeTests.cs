using Spark.Engine.Tensors;

namespace Spark.Engine.Tests;

public class SmokeTests
{
    [Fact]
    public void RowBytes_Q8_0_IsThirtyFourBytesPerBlock() => Assert.Equal(68, GgmlTypeInfo.RowBytes(GgmlType.Q8_0, 64));
}

using Spark.Engine.Kernels;
using Spark.Engine.Tensors;

namespace Spark.Engine.Tests.Tensors;

/// <summary>Every type GgmlTypeInfo calls supported has a decoder, a quantizer and a matvec; every other type is refused.</summary>
public class SupportedTypesTests
{
    public static TheoryData<GgmlType> EveryDefinedType()
    {
        var data = new TheoryData<GgmlType>();
        foreach (var t in Enum.GetValues<GgmlType>()) data.Add(t);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryDefinedType))]
    public void EntryPoints_AgreeWithIsSupported(GgmlType type)
    {
        int n = Math.Max(GgmlTypeInfo.BlockSize(type), 1) * 2;
        var values = TensorTestData.Gaussian(n, seed: (int)type);
        var bytes = new byte[Math.Max(GgmlTypeInfo.BlockBytes(type), 1) * n];
        var decoded = new float[n];
        var y = new float[1];
        if (GgmlTypeInfo.IsSupported(type))
        {
            TensorQuantizer.Row(type, values, bytes);
            TensorDequantizer.Row(type, bytes, decoded);
            MatVec.Multiply(type, bytes, n, values, y, 0, 1);
            Assert.All(decoded, v => Assert.True(float.IsFinite(v)));
            Assert.True(float.IsFinite(y[0]));
        }
        else
        {
            Assert.Contains(GgmlTypeInfo.SupportedList, Assert.Throws<NotSupportedException>(() => TensorQuantizer.Row(type, values, bytes)).Message);
            Assert.Contains(GgmlTypeInfo.SupportedList, Assert.Throws<NotSupportedException>(() => TensorDequantizer.Row(type, bytes, decoded)).Message);
            Assert.Contains(GgmlTypeInfo.SupportedList, Assert.Throws<NotSupportedException>(() => MatVec.Multiply(type, bytes, n, values, y, 0, 1)).Message);
        }
    }
}

using System.Security.Cryptography;
using Spark.Engine.Tensors;

namespace Spark.Engine.Tests.Tensors;

/// <summary>
/// Bit-exactness against ggml. The expected SHA-256 digests are of the bytes that ggml's reference quantizers
/// (quantize_row_*_ref with make_qkx2_quants / make_qx_quants / nearest_int, as in ggml-quants.c) produce for
/// <see cref="TensorTestData.Golden"/>(24), compiled as C with gcc -O2 -ffp-contract=off and F16 conversion by
/// round-to-nearest-even. Any change in layout, scale search, rounding or F16 conversion changes the digest.
/// </summary>
public class GgmlReferenceBytesTests
{
    public static TheoryData<GgmlType, string> Digests() => new()
    {
        { GgmlType.Q4_0, "8c6ffa53b6ebcaea6b9d4660cb100a14380229f6463bcdaf9c37ee274a20f40c" },
        { GgmlType.Q4_1, "bc1163677381b1141d8f2cdaeae264f5fb5df8705459ae2d13e162f0e0f66756" },
        { GgmlType.Q5_0, "5c3f6fbddf21378d79822bff9f4cd631b9a01c7872fb25f9dba397ccfda2b2e8" },
        { GgmlType.Q5_1, "f5c1aa563de92226d06c0237e00a849af6dc9b0f438f2113b504401d6182c93b" },
        { GgmlType.Q8_0, "7bb025879a063e77a28fe1f7426553b546fe2fb97ed6481bd49f9004015a27a5" },
        { GgmlType.Q4_K, "2f248fa1b4aac8b7f3df9ba975d3b3ebe97ee41961a9b176aa598055bfb2d262" },
        { GgmlType.Q5_K, "fdc5a2a41b170a2c6ca50eec5b0dce43477107580076e85c65cc4ed3c301a21f" },
        { GgmlType.Q6_K, "e5c9c80c2b076f7b9564139e2ec8a1546e5784747abf0d74db856393739dff51" },
        { GgmlType.Q8_K, "8bb38a899195491763ac890a5b4471260d451a4f3d8a6b9267a7574b55a73026" },
    };

    [Theory]
    [MemberData(nameof(Digests))]
    public void Row_GoldenInput_ProducesGgmlReferenceBytes(GgmlType type, string expectedSha256)
    {
        var x = TensorTestData.Golden(24);
        var q = new byte[GgmlTypeInfo.RowBytes(type, x.Length)];
        TensorQuantizer.Row(type, x, q);
        Assert.Equal(expectedSha256, Convert.ToHexStringLower(SHA256.HashData(q)));
    }

    [Fact]
    public void Golden_InputItself_IsStable()
    {
        // Guards the digests above: if the generator changed, they would fail for the wrong reason.
        var x = TensorTestData.Golden(24);
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.AsSpan()).ToArray();
        Assert.Equal(InputSha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    private const string InputSha256 = "8efd4d5e643c018d6c9626b2cc730832c04d9bb5094711a3a4249c5e102ec43c";
}

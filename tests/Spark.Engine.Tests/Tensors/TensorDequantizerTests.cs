using System.Buffers.Binary;
using Spark.Engine.Tensors;

namespace Spark.Engine.Tests.Tensors;

/// <summary>
/// Block layouts checked against values written out by hand and against element-at-a-time decoders that
/// restate each ggml layout independently of the block-at-a-time code under test.
/// </summary>
public class TensorDequantizerTests
{
    [Fact]
    public void Row_Q4_0HandBuiltBlock_LowNibblesFirstHalfHighNibblesSecond()
    {
        var block = new byte[18];
        BinaryPrimitives.WriteHalfLittleEndian(block, (Half)0.5f);
        for (int j = 0; j < 16; j++) block[2 + j] = (byte)(j | ((15 - j) << 4));
        var y = new float[32];
        TensorDequantizer.Row(GgmlType.Q4_0, block, y);
        Assert.Equal(-4f, y[0]);      // (0 - 8) * 0.5
        Assert.Equal(3.5f, y[15]);    // (15 - 8) * 0.5
        Assert.Equal(3.5f, y[16]);    // high nibble of byte 0 = 15
        Assert.Equal(-4f, y[31]);     // high nibble of byte 15 = 0
        for (int j = 0; j < 16; j++)
        {
            Assert.Equal((j - 8) * 0.5f, y[j]);
            Assert.Equal((7 - j) * 0.5f, y[16 + j]);
        }
    }

    [Fact]
    public void Row_Q4_1HandBuiltBlock_ScalesAndAddsMinimum()
    {
        var block = new byte[20];
        BinaryPrimitives.WriteHalfLittleEndian(block, (Half)0.25f);
        BinaryPrimitives.WriteHalfLittleEndian(block.AsSpan(2), (Half)(-1f));
        for (int j = 0; j < 16; j++) block[4 + j] = (byte)(j | ((15 - j) << 4));
        var y = new float[32];
        TensorDequantizer.Row(GgmlType.Q4_1, block, y);
        for (int j = 0; j < 16; j++)
        {
            Assert.Equal(j * 0.25f - 1f, y[j]);
            Assert.Equal((15 - j) * 0.25f - 1f, y[16 + j]);
        }
    }

    [Fact]
    public void Row_Q5_0HandBuiltBlock_FifthBitOfElementEIsBitEOfQh()
    {
        var block = new byte[22];
        BinaryPrimitives.WriteHalfLittleEndian(block, (Half)1f);
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(2), 0x8000_0001u); // elements 0 and 31 get +16
        for (int j = 0; j < 16; j++) block[6 + j] = 0xFF;
        var y = new float[32];
        TensorDequantizer.Row(GgmlType.Q5_0, block, y);
        Assert.Equal(15f, y[0]);   // 31 - 16
        Assert.Equal(-1f, y[1]);   // 15 - 16
        Assert.Equal(-1f, y[16]);
        Assert.Equal(15f, y[31]);
    }

    [Fact]
    public void Row_Q5_1HandBuiltBlock_FifthBitAndMinimum()
    {
        var block = new byte[24];
        BinaryPrimitives.WriteHalfLittleEndian(block, (Half)2f);
        BinaryPrimitives.WriteHalfLittleEndian(block.AsSpan(2), (Half)0.5f);
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(4), 0x0001_0002u); // elements 1 and 16
        block[8] = 0x31; // element 0 = 1, element 16 = 3
        block[9] = 0x02; // element 1 = 2, element 17 = 0
        var y = new float[32];
        TensorDequantizer.Row(GgmlType.Q5_1, block, y);
        Assert.Equal(2.5f, y[0]);             // 1*2 + 0.5
        Assert.Equal(18 * 2f + 0.5f, y[1]);   // (2 | 16)*2 + 0.5
        Assert.Equal(19 * 2f + 0.5f, y[16]);  // (3 | 16)*2 + 0.5
        Assert.Equal(0.5f, y[17]);
    }

    [Fact]
    public void Row_Q8_0HandBuiltBlock_SignedBytesTimesScale()
    {
        var block = new byte[34];
        BinaryPrimitives.WriteHalfLittleEndian(block, (Half)0.125f);
        for (int j = 0; j < 32; j++) block[2 + j] = (byte)(sbyte)(j - 16);
        block[2] = 0x80; // -128
        var y = new float[32];
        TensorDequantizer.Row(GgmlType.Q8_0, block, y);
        Assert.Equal(-16f, y[0]);
        for (int j = 1; j < 32; j++) Assert.Equal((j - 16) * 0.125f, y[j]);
    }

    [Fact]
    public void Row_Q4_KHandBuiltBlock_UsesSixBitScalesAndMins()
    {
        var block = new byte[144];
        BinaryPrimitives.WriteHalfLittleEndian(block, (Half)1f);
        BinaryPrimitives.WriteHalfLittleEndian(block.AsSpan(2), (Half)0.5f);
        block[4 + 0] = 0b01_000011;  // sub-block 0 scale 3; top bits 01 → scale of sub-block 4 gets 16
        block[4 + 4] = 0b10_000101;  // sub-block 0 min 5; top bits 10 → min of sub-block 4 gets 32
        block[4 + 8] = 0x72;         // sub-block 4: scale low 2, min low 7
        block[16] = 0x9A;            // element 0 = 0xA, element 32 = 0x9
        block[16 + 64] = 0x04;       // element 128 (sub-block 4) = 4
        var y = new float[256];
        TensorDequantizer.Row(GgmlType.Q4_K, block, y);
        Assert.Equal(3 * 10 - 0.5f * 5, y[0]);
        Assert.Equal(-0.5f * 5, y[1]);
        Assert.Equal(0f, y[32]);                        // sub-block 1: scale 0, min 0
        Assert.Equal(18 * 4 - 0.5f * 39, y[128]);       // scale 2|16, min 7|32
    }

    [Fact]
    public void Row_Q6_KHandBuiltBlock_CombinesLowNibbleAndTwoHighBits()
    {
        var block = new byte[210];
        BinaryPrimitives.WriteHalfLittleEndian(block.AsSpan(208), (Half)0.5f);
        for (int g = 0; g < 16; g++) block[192 + g] = (byte)(sbyte)(g - 8);
        block[0] = 0x5F;        // element 0 low = 0xF, element 64 low = 0x5
        block[128] = 0b11_10_01_11; // element 0 high 3, element 32 high 1, element 64 high 2, element 96 high 3
        var y = new float[256];
        TensorDequantizer.Row(GgmlType.Q6_K, block, y);
        Assert.Equal(0.5f * -8 * ((0xF | (3 << 4)) - 32), y[0]);
        Assert.Equal(0.5f * -6 * ((0x0 | (1 << 4)) - 32), y[32]);
        Assert.Equal(0.5f * -4 * ((0x5 | (2 << 4)) - 32), y[64]);
        Assert.Equal(0.5f * -2 * ((0x0 | (3 << 4)) - 32), y[96]);
        Assert.Equal(0.5f * 7 * -32, y[255]);
    }

    [Fact]
    public void Row_Q8_KHandBuiltBlock_FloatScaleTimesSignedBytes()
    {
        var block = new byte[292];
        BinaryPrimitives.WriteSingleLittleEndian(block, 0.1f);
        block[4] = 0x81;   // -127
        block[259] = 100;
        var y = new float[256];
        TensorDequantizer.Row(GgmlType.Q8_K, block, y);
        Assert.Equal(0.1f * -127, y[0]);
        Assert.Equal(0.1f * 100, y[255]);
        Assert.Equal(0f, y[1]);
    }

    [Fact]
    public void Row_PlainFloatTypes_DecodeLittleEndianElements()
    {
        var f32 = new byte[8];
        BinaryPrimitives.WriteSingleLittleEndian(f32, 1.5f);
        BinaryPrimitives.WriteSingleLittleEndian(f32.AsSpan(4), -2.25f);
        var f16 = new byte[] { 0x00, 0x3C, 0x00, 0xC0 };  // 1.0, -2.0
        var bf16 = new byte[] { 0x80, 0x3F, 0x49, 0x40 }; // 1.0, 3.140625
        var y = new float[2];
        TensorDequantizer.Row(GgmlType.F32, f32, y);
        Assert.Equal([1.5f, -2.25f], y);
        TensorDequantizer.Row(GgmlType.F16, f16, y);
        Assert.Equal([1f, -2f], y);
        TensorDequantizer.Row(GgmlType.BF16, bf16, y);
        Assert.Equal([1f, 3.140625f], y);
    }

    [Theory]
    [MemberData(nameof(BlockTypes))]
    public void Row_RandomBlocks_MatchesElementwiseReferenceDecoder(GgmlType type)
    {
        const int blocks = 3;
        var data = TensorTestData.RandomBlocks(type, blocks, seed: 1234 + (int)type);
        int n = blocks * GgmlTypeInfo.BlockSize(type);
        var y = new float[n];
        TensorDequantizer.Row(type, data, y);
        int bytes = GgmlTypeInfo.BlockBytes(type), bs = GgmlTypeInfo.BlockSize(type);
        for (int i = 0; i < n; i++)
        {
            float expected = ReferenceDecoder.Element(type, data.AsSpan(i / bs * bytes, bytes).ToArray(), i % bs);
            Assert.True(expected == y[i], $"{type} element {i}: expected {expected}, got {y[i]}");
        }
    }

    public static TheoryData<GgmlType> BlockTypes() =>
    [
        GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0,
        GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q8_K,
    ];

    [Fact]
    public void Row_UnsupportedType_ThrowsNotSupportedListingSupportedTypes()
    {
        var ex = Assert.Throws<NotSupportedException>(() => TensorDequantizer.Row(GgmlType.Q2_K, new byte[84], new float[256]));
        Assert.Contains("Q2_K", ex.Message);
        Assert.Contains(GgmlTypeInfo.SupportedList, ex.Message);
    }

    [Fact]
    public void Row_SourceTooShort_ThrowsWithByteCounts()
    {
        var ex = Assert.Throws<ArgumentException>(() => TensorDequantizer.Row(GgmlType.Q8_0, new byte[67], new float[64]));
        Assert.Contains("needs 68 bytes but the source has 67", ex.Message);
    }

    [Fact]
    public void Row_PartialBlock_ThrowsNotAWholeNumberOfBlocks()
    {
        var ex = Assert.Throws<ArgumentException>(() => TensorDequantizer.Row(GgmlType.Q4_K, new byte[144], new float[100]));
        Assert.Contains("not a whole number of Q4_K blocks", ex.Message);
    }
}

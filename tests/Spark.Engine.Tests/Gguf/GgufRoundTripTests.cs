using Spark.Engine.Gguf;
using Spark.Engine.Tensors;
using Spark.Testing;

namespace Spark.Engine.Tests.Gguf;

public class GgufRoundTripTests
{
    [Theory]
    [InlineData(2u)]
    [InlineData(3u)]
    public void WriteThenOpen_EveryValueType_ReadsBackTheSameValues(uint version)
    {
        using var dir = new TempDirectory();
        var w = new GgufWriter(version);
        w.Set("general.architecture", "llama")
         .Set("u32", 7u).Set("i32", -7).Set("u64", ulong.MaxValue).Set("i64", long.MinValue)
         .Set("f32", 1.5f).Set("f64", -2.25).Set("bool", true)
         .Add("u8", new GgufValue(GgufValueType.UInt8, (byte)200))
         .Add("i8", new GgufValue(GgufValueType.Int8, (sbyte)-100))
         .Add("u16", new GgufValue(GgufValueType.UInt16, (ushort)60000))
         .Add("i16", new GgufValue(GgufValueType.Int16, (short)-30000))
         .Set("strings", new[] { "a", "", "héllo ✓" })
         .Set("floats", new[] { 1f, -2f, 3.5f })
         .Set("ints", new[] { 1, -2, 3 })
         .Add("bools", new GgufValue(GgufValueType.Array, new[] { true, false }, GgufValueType.Bool))
         .Add("nested", new GgufValue(GgufValueType.Array,
             new[] { new GgufValue(GgufValueType.Array, new[] { 1u, 2u }, GgufValueType.UInt32) }, GgufValueType.Array));
        string path = dir.File("m.gguf");
        w.WriteFile(path);

        using var f = GgufFile.Open(path);
        Assert.Equal(version, f.Version);
        var m = f.Metadata;
        Assert.Equal("llama", m.GetString("general.architecture"));
        Assert.Equal(7, m.GetInteger("u32"));
        Assert.Equal(-7, m.GetInteger("i32"));
        Assert.Equal(ulong.MaxValue, (ulong)m["u64"].Value);
        Assert.Equal(long.MinValue, m.GetInteger("i64"));
        Assert.Equal(1.5, m.GetNumber("f32"));
        Assert.Equal(-2.25, m.GetNumber("f64"));
        Assert.True(m.GetBool("bool"));
        Assert.Equal(200, m.GetInteger("u8"));
        Assert.Equal(-100, m.GetInteger("i8"));
        Assert.Equal(60000, m.GetInteger("u16"));
        Assert.Equal(-30000, m.GetInteger("i16"));
        Assert.Equal(["a", "", "héllo ✓"], m.GetStringArray("strings")!);
        Assert.Equal([1f, -2f, 3.5f], m.GetFloat32Array("floats")!);
        Assert.Equal([1, -2, 3], m.GetInt32Array("ints")!);
        Assert.Equal([true, false], (bool[])m["bools"].Value);
        var nested = (GgufValue[])m["nested"].Value;
        Assert.Equal([1u, 2u], (uint[])nested[0].Value);
        Assert.Equal(["general.architecture", "u32", "i32"], m.Keys.Take(3));
    }

    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    public void WriteThenOpen_Tensors_AreAlignedAndReadBack(int alignment)
    {
        using var dir = new TempDirectory();
        var a = new float[] { 1, 2, 3 };
        var b = new float[64];
        for (int i = 0; i < b.Length; i++) b[i] = i * 0.5f;
        var w = new GgufWriter(alignment: alignment);
        w.AddTensor("a", GgmlType.F32, [3], Bytes(a));
        w.AddTensor("b", GgmlType.F32, [16, 4], Bytes(b));
        string path = dir.File("t.gguf");
        w.WriteFile(path);

        using var f = GgufFile.Open(path);
        Assert.Equal(alignment, f.Alignment);
        Assert.Equal(0, f.DataOffset % alignment);
        Assert.Equal(2, f.Tensors.Count);
        var tb = f.FindTensor("b")!;
        Assert.Equal([16L, 4L], tb.Dimensions);
        Assert.Equal(16, tb.Columns);
        Assert.Equal(4, tb.Rows);
        Assert.Equal(0, tb.FileOffset % alignment);
        Assert.Equal(b, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(f.GetTensorData(tb)).ToArray());
        Assert.Equal(a, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(f.GetTensorData(f.FindTensor("a")!)).ToArray());
        Assert.Null(f.FindTensor("missing"));
    }

    [Fact]
    public void AddTensor_WrongByteCount_ThrowsNamingTheTensor()
    {
        var w = new GgufWriter();
        var e = Assert.Throws<ArgumentException>(() => w.AddTensor("x", GgmlType.Q8_0, [64], new byte[10]));
        Assert.Contains("'x'", e.Message);
        Assert.Contains("68 bytes", e.Message);
    }

    [Fact]
    public void GetInteger_KeyOfAnotherType_ThrowsNamingKeyAndType()
    {
        using var dir = new TempDirectory();
        new GgufWriter().Set("k", "text").WriteFile(dir.File("m.gguf"));
        using var f = GgufFile.Open(dir.File("m.gguf"));
        var e = Assert.Throws<GgufFormatException>(() => f.Metadata.GetInteger("k"));
        Assert.Contains("'k'", e.Message);
        Assert.Contains("String", e.Message);
        Assert.Contains("required metadata key 'nope'", Assert.Throws<GgufFormatException>(() => f.Metadata.RequireString("nope")).Message);
    }

    internal static byte[] Bytes(float[] values) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}

namespace Spark.Engine.Tensors;

/// <summary>
/// A ggml tensor element type, numbered exactly as ggml numbers them in GGUF files.
/// </summary>
public enum GgmlType : uint
{
    /// <summary>32-bit IEEE float.</summary>
    F32 = 0,
    /// <summary>16-bit IEEE half float.</summary>
    F16 = 1,
    /// <summary>4-bit, blocks of 32 with an F16 scale.</summary>
    Q4_0 = 2,
    /// <summary>4-bit, blocks of 32 with F16 scale and minimum.</summary>
    Q4_1 = 3,
    /// <summary>5-bit, blocks of 32 with an F16 scale.</summary>
    Q5_0 = 6,
    /// <summary>5-bit, blocks of 32 with F16 scale and minimum.</summary>
    Q5_1 = 7,
    /// <summary>8-bit, blocks of 32 with an F16 scale.</summary>
    Q8_0 = 8,
    /// <summary>8-bit, blocks of 32 with F16 scale and sum (activations only).</summary>
    Q8_1 = 9,
    /// <summary>2-bit k-quant, super-blocks of 256.</summary>
    Q2_K = 10,
    /// <summary>3-bit k-quant, super-blocks of 256.</summary>
    Q3_K = 11,
    /// <summary>4-bit k-quant, super-blocks of 256.</summary>
    Q4_K = 12,
    /// <summary>5-bit k-quant, super-blocks of 256.</summary>
    Q5_K = 13,
    /// <summary>6-bit k-quant, super-blocks of 256.</summary>
    Q6_K = 14,
    /// <summary>8-bit k-quant with F32 scale and block sums, super-blocks of 256.</summary>
    Q8_K = 15,
    /// <summary>8-bit integer.</summary>
    I8 = 24,
    /// <summary>16-bit integer.</summary>
    I16 = 25,
    /// <summary>32-bit integer.</summary>
    I32 = 26,
    /// <summary>64-bit integer.</summary>
    I64 = 27,
    /// <summary>64-bit float.</summary>
    F64 = 28,
    /// <summary>bfloat16.</summary>
    BF16 = 30,
}

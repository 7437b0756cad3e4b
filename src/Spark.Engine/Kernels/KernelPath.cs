namespace Spark.Engine.Kernels;

/// <summary>
/// Which instruction set the matrix-vector kernels use. Chosen once when a model is loaded
/// (<see cref="Spark.Engine.Inference.ModelLoadOptions.Kernels"/>, <c>spark run --kernels</c>).
/// </summary>
public enum KernelPath
{
    /// <summary>The fastest path this CPU supports: AVX-512 (F, BW), else AVX2/FMA, else scalar.</summary>
    Auto,

    /// <summary>Portable scalar code: the reference the vector paths are tested against.</summary>
    Scalar,

    /// <summary>256-bit AVX2/FMA kernels (integer dot products with AVX-VNNI when the CPU has it).</summary>
    Avx2,

    /// <summary>512-bit AVX-512 F/BW kernels.</summary>
    Avx512,
}

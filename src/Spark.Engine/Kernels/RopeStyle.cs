namespace Spark.Engine.Kernels;

/// <summary>
/// Which pairs of a head's dimensions rotary position embedding rotates together (as llama.cpp's rope modes).
/// </summary>
public enum RopeStyle
{
    /// <summary>Adjacent pairs (x[2i], x[2i+1]) — llama.cpp's NORM mode, used by llama (whose Q/K the converter permutes).</summary>
    Norm,
    /// <summary>Halves (x[i], x[i + d/2]) — llama.cpp's NEOX mode, used by qwen2.</summary>
    Neox,
}

namespace Spark.Engine.Models.Synthetic;

/// <summary>
/// Llama 3 rope scaling (<c>rope_scaling.rope_type = "llama3"</c>), which llama.cpp's converter bakes into a
/// <c>rope_freqs.weight</c> tensor of per-dimension-pair frequency divisors.
/// </summary>
internal sealed record Llama3RopeScaling(float Factor, float LowFreqFactor, float HighFreqFactor, int OriginalContextLength)
{
    /// <summary>
    /// The head_dim/2 factors as convert_hf_to_gguf.py computes them: 1 for high frequencies, <see cref="Factor"/> for
    /// low ones, a smooth blend between (frequencies in F32 as torch computes them, the rest in double as Python does).
    /// </summary>
    public float[] Factors(float ropeBase, int headDim)
    {
        var factors = new float[headDim / 2];
        double lowFreqWavelen = OriginalContextLength / (double)LowFreqFactor;
        double highFreqWavelen = OriginalContextLength / (double)HighFreqFactor;
        for (int i = 0; i < factors.Length; i++)
        {
            float freq = 1.0f / MathF.Pow(ropeBase, (2 * i) / (float)headDim);
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < highFreqWavelen) factors[i] = 1f;
            else if (wavelen > lowFreqWavelen) factors[i] = Factor;
            else
            {
                double smooth = (OriginalContextLength / wavelen - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
                factors[i] = (float)(1 / ((1 - smooth) / Factor + smooth));
            }
        }
        return factors;
    }
}

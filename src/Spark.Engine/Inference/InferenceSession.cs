using Spark.Engine.Models;

namespace Spark.Engine.Inference;

/// <summary>
/// One sequence being decoded by a <see cref="SparkModel"/>: its KV cache and the buffers of a step.
/// Feed the prompt with <see cref="Prefill"/>, then call <see cref="Decode"/> with each chosen token.
/// Not thread-safe.
/// </summary>
public sealed class InferenceSession
{
    private readonly SparkModel _model;
    private readonly Transformer _transformer;
    private readonly ForwardState _state;

    internal InferenceSession(SparkModel model, Transformer transformer, ForwardState state)
    {
        _model = model;
        _transformer = transformer;
        _state = state;
    }

    /// <summary>Number of tokens in the KV cache; the next token goes at this position.</summary>
    public int Position => _state.Cache.Length;

    /// <summary>Positions the session can hold.</summary>
    public int ContextLength => _state.Cache.Capacity;

    /// <summary>
    /// Runs <paramref name="tokens"/> through the model in chunks of up to 32 positions (each chunk multiplies every
    /// weight matrix once for all its tokens), appending them to the KV cache; afterwards
    /// <see cref="Logits"/> holds the prediction after the last of them. Throws before running anything when
    /// the tokens do not fit in the context.
    /// </summary>
    public void Prefill(ReadOnlySpan<int> tokens)
    {
        CheckFits(tokens.Length);
        _model.ThrowIfDisposed();
        int chunk = _state.MaxBatch;
        for (int start = 0; start < tokens.Length; start += chunk)
        {
            int count = Math.Min(chunk, tokens.Length - start);
            _transformer.ForwardBatch(tokens.Slice(start, count), _state, computeLogits: start + count == tokens.Length);
        }
    }

    /// <summary>
    /// Runs one token at <see cref="Position"/> and returns the logits for the token after it. The span stays valid
    /// until the next call on this session. Allocates nothing.
    /// </summary>
    public ReadOnlySpan<float> Decode(int token)
    {
        CheckFits(1);
        Step(token, computeLogits: true);
        return _state.Logits;
    }

    /// <summary>The logits left by the last <see cref="Prefill"/> or <see cref="Decode"/>.</summary>
    public ReadOnlySpan<float> Logits => _state.Logits;

    /// <summary>Forgets every token.</summary>
    public void Reset() => _state.Cache.TruncateTo(0);

    /// <summary>
    /// Replaces this session's tokens with the first <paramref name="length"/> tokens of <paramref name="source"/> (a
    /// session of the same model), copying their keys and values instead of computing them; <paramref name="source"/>
    /// is unchanged. Decoding continues from there; <see cref="Logits"/> is not updated (run at least one token next).
    /// </summary>
    public void CopyPrefixFrom(InferenceSession source, int length)
    {
        if (source._model != _model) throw new ArgumentException("the source session belongs to another model", nameof(source));
        _state.Cache.CopyPrefixFrom(source._state.Cache, length);
    }

    /// <summary>Keeps the first <paramref name="position"/> tokens and forgets the rest, so decoding continues from there.</summary>
    public void TruncateTo(int position) => _state.Cache.TruncateTo(position);

    private void Step(int token, bool computeLogits)
    {
        _model.ThrowIfDisposed();
        _transformer.Forward(token, _state, computeLogits);
    }

    private void CheckFits(int count)
    {
        if (count > ContextLength - Position)
            throw new InvalidOperationException(
                $"context overflow: {Position} positions are in use and {count} more do not fit in the context of {ContextLength}; reset or truncate the session, or load with a larger ContextLength");
    }
}

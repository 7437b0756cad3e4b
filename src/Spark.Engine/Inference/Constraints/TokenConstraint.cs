using System.Runtime.CompilerServices;
using Spark.Engine.Tokenization;

namespace Spark.Engine.Inference.Constraints;

/// <summary>
/// Constrains generation to a <see cref="ToolCallGrammar"/>: <see cref="Mask"/> leaves finite only the logits of
/// tokens whose bytes continue the text so far, <see cref="Accept"/> commits the chosen token. The most likely
/// tokens are tried first and the whole vocabulary is scanned only when none of them fits. Token bytes are
/// computed once per tokenizer; masking allocates nothing after its first call.
/// </summary>
public sealed class TokenConstraint
{
    private const int Candidates = 32;
    private static readonly ConditionalWeakTable<Tokenizer, byte[][]> PiecesByTokenizer = new();

    private readonly Tokenizer _tokenizer;
    private readonly byte[][] _pieces;
    private readonly JsonGrammarRecognizer _state;
    private readonly JsonGrammarRecognizer _scratch;
    private readonly int[] _top = new int[Candidates];
    private float[]? _masked; // a vocabulary's worth of floats (600 KB for Qwen's): made by the first Mask, on the engine's thread, not the request's

    /// <summary>A constraint for generating with <paramref name="tokenizer"/>'s vocabulary.</summary>
    public TokenConstraint(Tokenizer tokenizer, ToolCallGrammar grammar)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        _tokenizer = tokenizer;
        _pieces = PiecesByTokenizer.GetValue(tokenizer, BuildPieces);
        _state = new JsonGrammarRecognizer(grammar);
        _scratch = new JsonGrammarRecognizer(grammar);
    }

    /// <summary>True once the tokens accepted form a whole call: generation should stop.</summary>
    public bool IsComplete => _state.IsComplete;

    /// <summary>The recognizer's view of what was accepted.</summary>
    public JsonGrammarRecognizer State => _state;

    /// <summary>Whether <paramref name="token"/> can come next.</summary>
    public bool Allows(int token)
    {
        if ((uint)token >= (uint)_pieces.Length) return false;
        var piece = _pieces[token];
        if (piece.Length == 0 || _tokenizer.IsEndOfGeneration(token)) return false;
        _scratch.CopyFrom(_state);
        return _scratch.Accept(piece);
    }

    /// <summary>
    /// Returns <paramref name="logits"/> with every token that cannot come next set to negative infinity (a buffer
    /// owned by the constraint, valid until the next call). Throws <see cref="InvalidOperationException"/> when no
    /// token of the vocabulary can continue the call.
    /// </summary>
    public ReadOnlySpan<float> Mask(ReadOnlySpan<float> logits)
    {
        if (logits.Length != _tokenizer.VocabSize) throw new ArgumentException($"expected {_tokenizer.VocabSize} logits, got {logits.Length}", nameof(logits));
        int count = SelectTop(logits);
        var masked = (_masked ??= new float[logits.Length]).AsSpan();
        masked.Fill(float.NegativeInfinity);
        bool any = false;
        for (int i = 0; i < count; i++)
        {
            int id = _top[i];
            if (!Allows(id)) continue;
            masked[id] = logits[id];
            any = true;
        }
        if (any) return masked;
        for (int id = 0; id < logits.Length; id++)
        {
            if (!Allows(id)) continue;
            masked[id] = logits[id];
            any = true;
        }
        if (!any) throw new InvalidOperationException("no token of the model's vocabulary can continue the constrained tool call");
        return masked;
    }

    /// <summary>Commits <paramref name="token"/>; throws when the grammar does not allow it.</summary>
    public void Accept(int token)
    {
        if (!Allows(token)) throw new InvalidOperationException($"token {token} does not continue the constrained tool call");
        _state.Accept(_pieces[token]);
    }

    // the indices of the largest logits, most likely first (insertion into a short sorted list)
    private int SelectTop(ReadOnlySpan<float> logits)
    {
        int count = 0;
        for (int id = 0; id < logits.Length; id++)
        {
            float v = logits[id];
            if (count == Candidates && v <= logits[_top[count - 1]]) continue;
            int at = count < Candidates ? count++ : Candidates - 1;
            while (at > 0 && logits[_top[at - 1]] < v)
            {
                _top[at] = _top[at - 1];
                at--;
            }
            _top[at] = id;
        }
        return count;
    }

    private static byte[][] BuildPieces(Tokenizer tokenizer)
    {
        var pieces = new byte[tokenizer.VocabSize][];
        for (int id = 0; id < pieces.Length; id++) pieces[id] = tokenizer.Piece(id, renderSpecial: false).ToArray();
        return pieces;
    }
}

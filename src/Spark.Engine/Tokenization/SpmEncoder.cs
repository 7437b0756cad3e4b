using System.Text;

namespace Spark.Engine.Tokenization;

/// <summary>
/// SentencePiece-style BPE as llama.cpp's llm_tokenizer_spm: start from one symbol per code point, repeatedly
/// merge the adjacent pair whose concatenation is the highest-scoring token (leftmost on ties), then emit each
/// remaining symbol as its token or, when it is not one, as byte tokens <c>&lt;0xXX&gt;</c>.
/// </summary>
internal sealed class SpmEncoder
{
    private readonly Vocabulary _vocab;
    private readonly int[] _byteTokens = new int[256];
    private readonly int _unknownId;

    public SpmEncoder(Vocabulary vocab, int? unknownId)
    {
        _vocab = vocab;
        _unknownId = unknownId ?? -1;
        for (int b = 0; b < 256; b++)
        {
            int id = vocab.Find($"<0x{b:X2}>");
            if (id < 0 && b < 0x80) id = vocab.Find(((char)b).ToString());
            _byteTokens[b] = id;
        }
    }

    private struct Symbol
    {
        public int Start, Length, Prev, Next;
    }

    private readonly record struct Bigram(int Left, int Right, float Score, int Size);

    private sealed class BigramOrder : IComparer<Bigram>
    {
        public static readonly BigramOrder Instance = new();

        // the queue pops the smallest: highest score first, then the leftmost
        public int Compare(Bigram x, Bigram y)
        {
            int c = y.Score.CompareTo(x.Score);
            return c != 0 ? c : x.Left.CompareTo(y.Left);
        }
    }

    /// <summary>Encodes text whose spaces are already escaped to U+2581.</summary>
    public void Encode(ReadOnlySpan<char> text, List<int> output)
    {
        if (text.IsEmpty) return;
        var symbols = new List<Symbol>(text.Length);
        for (int i = 0; i < text.Length;)
        {
            int len = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            int index = symbols.Count;
            symbols.Add(new Symbol { Start = i, Length = len, Prev = index - 1, Next = i + len == text.Length ? -1 : index + 1 });
            i += len;
        }

        var queue = new PriorityQueue<Bigram, Bigram>(BigramOrder.Instance);
        for (int i = 1; i < symbols.Count; i++) TryAddBigram(text, symbols, queue, i - 1, i);

        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(symbols);
        while (queue.TryDequeue(out var bigram, out _))
        {
            ref var left = ref span[bigram.Left];
            ref var right = ref span[bigram.Right];
            if (left.Length == 0 || right.Length == 0 || left.Length + right.Length != bigram.Size) continue;

            left.Length += right.Length;
            right.Length = 0;
            left.Next = right.Next;
            if (right.Next >= 0) span[right.Next].Prev = bigram.Left;

            TryAddBigram(text, symbols, queue, left.Prev, bigram.Left);
            TryAddBigram(text, symbols, queue, bigram.Left, left.Next);
        }

        for (int i = 0; i != -1; i = span[i].Next)
        {
            var s = span[i];
            var piece = text.Slice(s.Start, s.Length);
            int id = _vocab.Find(piece);
            if (id >= 0) output.Add(id);
            else EmitBytes(piece, output);
        }
    }

    private void EmitBytes(ReadOnlySpan<char> piece, List<int> output)
    {
        Span<byte> bytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(piece.Length)];
        int n = Encoding.UTF8.GetBytes(piece, bytes);
        for (int j = 0; j < n; j++)
        {
            int id = _byteTokens[bytes[j]];
            if (id >= 0) output.Add(id);
            else if (_unknownId >= 0) output.Add(_unknownId);
        }
    }

    private void TryAddBigram(ReadOnlySpan<char> text, List<Symbol> symbols, PriorityQueue<Bigram, Bigram> queue, int left, int right)
    {
        if (left == -1 || right == -1) return;
        var l = symbols[left];
        int size = l.Length + symbols[right].Length;
        int id = _vocab.Find(text.Slice(l.Start, size));
        if (id < 0) return;
        var bigram = new Bigram(left, right, _vocab.Score(id), size);
        queue.Enqueue(bigram, bigram);
    }
}

namespace Spark.Engine.Tokenization;

/// <summary>
/// Byte-level BPE as llama.cpp's llm_tokenizer_bpe_session: within one pre-tokenized word (already mapped through
/// <see cref="ByteLevel"/>), repeatedly merge the adjacent pair with the lowest merge rank (leftmost on ties).
/// </summary>
internal sealed class BpeEncoder
{
    private readonly Vocabulary _vocab;
    private readonly Dictionary<string, int> _ranks;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _rankLookup;
    private readonly bool _ignoreMerges;

    /// <param name="vocab">The tokens.</param>
    /// <param name="merges">Merge rules "left right", lowest rank first.</param>
    /// <param name="ignoreMerges">Emit a word that is itself a token directly.</param>
    public BpeEncoder(Vocabulary vocab, string[] merges, bool ignoreMerges)
    {
        _vocab = vocab;
        _ignoreMerges = ignoreMerges;
        _ranks = new Dictionary<string, int>(merges.Length, StringComparer.Ordinal);
        for (int i = 0; i < merges.Length; i++)
        {
            string m = merges[i];
            int space = m.Length > 1 ? m.IndexOf(' ', 1) : -1; // as llama.cpp: the separator is the first space after the first char
            if (space < 0) continue;
            _ranks.TryAdd(m, i);
        }
        _rankLookup = _ranks.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int MergeCount => _ranks.Count;

    private struct Symbol
    {
        public int Start, Length, Prev, Next;
    }

    private readonly record struct Bigram(int Left, int Right, int Rank, int Size);

    private sealed class BigramOrder : IComparer<Bigram>
    {
        public static readonly BigramOrder Instance = new();

        public int Compare(Bigram x, Bigram y)
        {
            int c = x.Rank.CompareTo(y.Rank);
            return c != 0 ? c : x.Left.CompareTo(y.Left);
        }
    }

    public void EncodeWord(ReadOnlySpan<char> word, List<int> output)
    {
        if (word.IsEmpty) return;
        if (_ignoreMerges)
        {
            int whole = _vocab.Find(word);
            if (whole >= 0)
            {
                output.Add(whole);
                return;
            }
        }

        var symbols = new Symbol[word.Length];
        int count = 0;
        for (int i = 0; i < word.Length;)
        {
            int len = char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1]) ? 2 : 1;
            symbols[count] = new Symbol { Start = i, Length = len, Prev = count - 1, Next = i + len == word.Length ? -1 : count + 1 };
            count++;
            i += len;
        }

        var queue = new PriorityQueue<Bigram, Bigram>(BigramOrder.Instance);
        for (int i = 1; i < count; i++) TryAddBigram(word, symbols, queue, i - 1, i);

        while (queue.TryDequeue(out var bigram, out _))
        {
            ref var left = ref symbols[bigram.Left];
            ref var right = ref symbols[bigram.Right];
            if (left.Length == 0 || right.Length == 0 || left.Length + right.Length != bigram.Size) continue;

            left.Length += right.Length;
            right.Length = 0;
            left.Next = right.Next;
            if (right.Next >= 0) symbols[right.Next].Prev = bigram.Left;

            TryAddBigram(word, symbols, queue, left.Prev, bigram.Left);
            TryAddBigram(word, symbols, queue, bigram.Left, left.Next);
        }

        for (int i = 0; i != -1; i = symbols[i].Next)
        {
            var piece = word.Slice(symbols[i].Start, symbols[i].Length);
            int id = _vocab.Find(piece);
            if (id >= 0)
            {
                output.Add(id);
                continue;
            }
            // llama.cpp looks each UTF-8 byte of the piece up as a one-byte token: only ASCII can match
            foreach (char c in piece)
            {
                if (c < 0x80 && (id = _vocab.Find(new ReadOnlySpan<char>(in c))) >= 0) output.Add(id);
            }
        }
    }

    private void TryAddBigram(ReadOnlySpan<char> word, Symbol[] symbols, PriorityQueue<Bigram, Bigram> queue, int left, int right)
    {
        if (left == -1 || right == -1) return;
        var l = symbols[left];
        var r = symbols[right];
        int keyLength = l.Length + 1 + r.Length;
        Span<char> key = keyLength <= 256 ? stackalloc char[keyLength] : new char[keyLength];
        word.Slice(l.Start, l.Length).CopyTo(key);
        key[l.Length] = ' ';
        word.Slice(r.Start, r.Length).CopyTo(key[(l.Length + 1)..]);
        if (!_rankLookup.TryGetValue(key, out int rank)) return;
        var bigram = new Bigram(left, right, rank, l.Length + r.Length);
        queue.Enqueue(bigram, bigram);
    }
}

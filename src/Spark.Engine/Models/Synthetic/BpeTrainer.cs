namespace Spark.Engine.Models.Synthetic;

/// <summary>
/// Learns BPE merges from word counts: repeatedly merges the most frequent adjacent pair (ties broken by the ordinal
/// order of the pair's strings, so the result is the same everywhere). Naive but with interned symbols: meant for a
/// few thousand merges over a few thousand distinct words.
/// </summary>
internal static class BpeTrainer
{
    /// <summary>The merges in the order learned; stops early when every word is a single symbol.</summary>
    public static List<(string Left, string Right)> Train(IReadOnlyDictionary<string, int> wordCounts, Func<string, IEnumerable<string>> split, int maxMerges)
    {
        var symbols = new List<string>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int Intern(string s)
        {
            if (!ids.TryGetValue(s, out int id)) { id = symbols.Count; symbols.Add(s); ids.Add(s, id); }
            return id;
        }
        var words = wordCounts.OrderBy(w => w.Key, StringComparer.Ordinal)
            .Select(w => (Symbols: split(w.Key).Select(Intern).ToList(), Count: w.Value)).ToList();
        var merges = new List<(string, string)>();
        var counts = new Dictionary<long, int>();
        while (merges.Count < maxMerges)
        {
            counts.Clear();
            foreach (var (word, count) in words)
                for (int i = 0; i + 1 < word.Count; i++)
                {
                    long pair = ((long)word[i] << 32) | (uint)word[i + 1];
                    counts[pair] = counts.GetValueOrDefault(pair) + count;
                }
            long best = -1;
            int bestCount = 0;
            foreach (var (pair, count) in counts)
                if (count > bestCount || (count == bestCount && Compare(pair, best, symbols) < 0))
                {
                    best = pair;
                    bestCount = count;
                }
            if (best < 0) break;
            int left = (int)(best >> 32), right = (int)(best & 0xFFFFFFFF);
            merges.Add((symbols[left], symbols[right]));
            int merged = Intern(symbols[left] + symbols[right]);
            foreach (var (word, _) in words)
                for (int i = 0; i + 1 < word.Count; i++)
                    if (word[i] == left && word[i + 1] == right)
                    {
                        word[i] = merged;
                        word.RemoveAt(i + 1);
                    }
        }
        return merges;
    }

    private static int Compare(long a, long b, List<string> symbols)
    {
        int c = string.CompareOrdinal(symbols[(int)(a >> 32)], symbols[(int)(b >> 32)]);
        return c != 0 ? c : string.CompareOrdinal(symbols[(int)(a & 0xFFFFFFFF)], symbols[(int)(b & 0xFFFFFFFF)]);
    }
}

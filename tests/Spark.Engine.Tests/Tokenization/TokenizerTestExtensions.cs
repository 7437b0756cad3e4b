using Spark.Engine.Tokenization;

namespace Spark.Engine.Tests.Tokenization;

internal static class TokenizerTestExtensions
{
    /// <summary>The id of the token whose vocabulary text is <paramref name="text"/> (test helper; linear search).</summary>
    public static int Id(this Tokenizer tokenizer, string text)
    {
        for (int id = 0; id < tokenizer.VocabSize; id++)
            if (tokenizer.TokenText(id) == text) return id;
        throw new ArgumentException($"no token '{text}'");
    }

    public static int[] Ids(this Tokenizer tokenizer, params string[] texts) => Array.ConvertAll(texts, tokenizer.Id);

    /// <summary>The vocabulary texts of the ids, for readable assertion failures.</summary>
    public static string[] Texts(this Tokenizer tokenizer, int[] ids) => Array.ConvertAll(ids, tokenizer.TokenText);
}

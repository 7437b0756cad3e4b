namespace Spark.Engine.Tokenization;

/// <summary>
/// llama.cpp's detokenize clean-up for models with clean_spaces (Hugging Face's clean_up_tokenization_spaces):
/// drop the space before <c>? ! . ,</c>, around a lone apostrophe, and before <c>'s 'm 're 've</c>.
/// </summary>
internal static class DecodeCleanup
{
    /// <summary>Cleans <paramref name="text"/> in place and returns its new length.</summary>
    public static int CleanSpaces(Span<byte> text)
    {
        int total = text.Length;
        if (total == 0) return 0;

        int n = total, w = 1;
        for (int i = 1; i < n; i++)
        {
            byte x = text[i];
            if (text[i - 1] == ' ' && x is (byte)'?' or (byte)'!' or (byte)'.' or (byte)',') w--;
            text[w++] = x;
        }

        n = w;
        w = 1;
        for (int i = 1; i < n; i++)
        {
            byte x = text[i];
            if (x == '\'' && i + 1 < n && text[i - 1] == ' ' && text[i + 1] == ' ')
            {
                w--;
                text[++i] = 0; // and skip the space after it, as llama.cpp
            }
            text[w++] = x;
        }

        n = w;
        w = 1;
        for (int i = 1; i < n; i++)
        {
            byte x = text[i];
            if (text[i - 1] == ' ' && x == '\'' && i + 1 < n)
            {
                byte x1 = text[i + 1];
                if (x1 is (byte)'s' or (byte)'m') w--;
                else if (i + 2 < n && ((x1 == 'r' && text[i + 2] == 'e') || (x1 == 'v' && text[i + 2] == 'e'))) w--;
            }
            text[w++] = x;
        }
        return w;
    }
}

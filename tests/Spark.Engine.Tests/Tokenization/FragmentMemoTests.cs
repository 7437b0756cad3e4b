using Spark.Engine.Tokenization;
using Spark.Testing;

namespace Spark.Engine.Tests.Tokenization;

public class FragmentMemoTests
{
    private static Tokenizer Chat() => Tokenizer.FromGguf(TinyVocab.Bpe("qwen2").AddByteLevelAlphabet()
        .Add("<|im_start|>", 0, TinyVocab.Control)
        .Add("<|im_end|>", 0, TinyVocab.Control)
        .Add("<|endoftext|>", 0, TinyVocab.Control)
        .Set("tokenizer.ggml.eos_token_id", 258)
        .Metadata());

    private static string Message(string role, string text) => $"<|im_start|>{role}\n{text}<|im_end|>\n";

    private const string Tools = "system\nYou can call run_command(command: \"make test\" | \"git status\") to run a command in the project.";
    private const string First = "The agent reads the file, then runs the tests and looks at the failing case before it edits the code.";
    private const string Second = "Turn 2: the command finished with exit code 0 and printed 12 lines; continue with the next step.";

    [Fact]
    public void Encode_GrowingConversation_ReusesEarlierFragments_AndMatchesAFreshTokenizer()
    {
        var warm = Chat();
        string turn1 = "<|im_start|>" + Tools + "<|im_end|>\n" + Message("user", First) + "<|im_start|>assistant\n";
        string turn2 = "<|im_start|>" + Tools + "<|im_end|>\n" + Message("user", First) + Message("assistant", "ok") + Message("user", Second) + "<|im_start|>assistant\n";
        // the whole texts (PromptPrefixMemoTests cover starting from the previous prompt's tokens)
        warm.EncodeCore(turn1, addSpecial: true, parseSpecial: true, reusePrompts: false);
        long before = warm.MemoHits;

        int[] again = warm.EncodeCore(turn2, addSpecial: true, parseSpecial: true, reusePrompts: false);

        Assert.Equal(2, warm.MemoHits - before); // the tools block and the first message; the new message is encoded
        Assert.Equal(Chat().Encode(turn2, addSpecial: true, parseSpecial: true), again); // exactly what a fresh tokenizer gives
    }

    [Fact]
    public void Encode_SameLongText_GivesTheSameTokensFromTheMemo()
    {
        var t = Chat();
        string text = "<|im_start|>" + First + "<|im_end|>" + First; // the same fragment twice in one text
        int[] first = t.EncodeCore(text, addSpecial: false, parseSpecial: true, reusePrompts: false);
        Assert.Equal(1, t.MemoHits); // its second occurrence
        Assert.Equal(first, t.EncodeCore(text, addSpecial: false, parseSpecial: true, reusePrompts: false));
        Assert.Equal(3, t.MemoHits);
        Assert.Equal(text, t.Decode(first, renderSpecial: true));
    }

    [Fact]
    public void Encode_ShortFragments_AreNotKept()
    {
        var t = Chat();
        t.Encode("<|im_start|>hi<|im_end|>", addSpecial: false, parseSpecial: true);
        t.Encode("<|im_start|>hi<|im_end|>", addSpecial: false, parseSpecial: true);
        Assert.Equal(0, t.MemoHits);
    }
}

using Spark.Engine.Tokenization;
using Spark.Testing;

namespace Spark.Engine.Tests.Tokenization;

public class PromptPrefixMemoTests
{
    private static TinyVocab ChatVocab() => TinyVocab.Bpe("qwen2").AddByteLevelAlphabet()
        .Add("<|im_start|>", 0, TinyVocab.Control)
        .Add("<|im_end|>", 0, TinyVocab.Control)
        .Add("<|endoftext|>", 0, TinyVocab.Control)
        .Set("tokenizer.ggml.eos_token_id", 258);

    private static Tokenizer Chat() => Tokenizer.FromGguf(ChatVocab().Metadata());

    private static string Message(string role, string text) => $"<|im_start|>{role}\n{text}<|im_end|>\n";

    private static readonly string[] Turns =
    [
        Message("system", "You are a coding agent."),
        Message("user", "Run the tests."),
        Message("assistant", "<tool_call>\n{\"name\": \"run\", \"arguments\": {\"command\": \"make test\"}}\n</tool_call>"),
        Message("user", "<tool_response>\nexit 0\n</tool_response>"),
        Message("assistant", "All 12 tests pass."),
        Message("user", "  Now rename the symbol.  "),
    ];

    [Fact]
    public void Encode_GrowingConversation_StartsFromThePreviousPrompt_AndMatchesTheWholeTextsTokens()
    {
        var t = Chat();
        string conversation = "";
        long hitsBefore = 0;
        for (int i = 0; i < Turns.Length; i++)
        {
            conversation += Turns[i];
            string prompt = conversation + "<|im_start|>assistant\n";
            int[] tokens = t.Encode(prompt, addSpecial: true, parseSpecial: true);
            Assert.Equal(t.EncodeCore(prompt, addSpecial: true, parseSpecial: true, reusePrompts: false), tokens);
            Assert.Equal(Chat().Encode(prompt, addSpecial: true, parseSpecial: true), tokens); // a fresh tokenizer agrees
            if (i > 0) Assert.True(t.PrefixHits > hitsBefore, $"turn {i} continues turn {i - 1}'s prompt");
            hitsBefore = t.PrefixHits;
        }
    }

    [Fact]
    public void Encode_TextThatDoesNotContinueARememberedPrompt_IsTokenizedWhole()
    {
        var t = Chat();
        t.Encode(Turns[0] + Turns[1], addSpecial: true, parseSpecial: true);
        string other = Message("system", "You are a different agent.") + Turns[1];
        Assert.Equal(Chat().Encode(other, addSpecial: true, parseSpecial: true), t.Encode(other, addSpecial: true, parseSpecial: true));
        Assert.Equal(0, t.PrefixHits);
        // and without addSpecial the remembered prompt (which starts with BOS when the model adds it) is not used
        t.Encode(Turns[0] + Turns[1] + Turns[2], addSpecial: false, parseSpecial: true);
        Assert.Equal(0, t.PrefixHits);
    }

    [Fact]
    public void Encode_SpecialTokenAcrossTheCut_IsTokenizedWhole()
    {
        // "a>bc" is longer than "<a>", so it is cut out first: in "x<a>bc" it takes the "a>" that "<a>" ends with
        var vocab = TinyVocab.Bpe("qwen2").AddByteLevelAlphabet().Add("<a>", 0, TinyVocab.Control).Add("a>bc", 0, TinyVocab.UserDefined);
        var t = Tokenizer.FromGguf(vocab.Metadata());
        t.Encode("x<a>", addSpecial: false, parseSpecial: true); // remembers "x<a>", cut after "<a>"
        int[] tokens = t.Encode("x<a>bc", addSpecial: false, parseSpecial: true);
        Assert.Equal(Tokenizer.FromGguf(vocab.Metadata()).Encode("x<a>bc", addSpecial: false, parseSpecial: true), tokens);
        Assert.Equal(0, t.PrefixHits);
        Assert.Equal("a>bc", t.TokenText(tokens[^1]));
    }

    [Fact]
    public void Encode_CutAfterATokenThatSwallowsTheSpaceAfterIt_IsNeverUsed()
    {
        // llama.cpp's Phi-3 rule: special tokens strip the whitespace after them, so "<|end|>" + " next" loses the space
        var vocab = TinyVocab.Spm().AddByteTokens().Add("<|user|>", 0, TinyVocab.Control).Add("<|end|>", 0, TinyVocab.Control)
            .Set("general.name", "Phi-3 mini");
        var t = Tokenizer.FromGguf(vocab.Metadata());
        string first = "<|user|>\nhi<|end|>";
        string second = first + "   next<|end|>";
        t.Encode(first, addSpecial: true, parseSpecial: true);
        Assert.Equal(Tokenizer.FromGguf(vocab.Metadata()).Encode(second, addSpecial: true, parseSpecial: true), t.Encode(second, addSpecial: true, parseSpecial: true));
        Assert.Equal(0, t.PrefixHits);
    }

    [Fact]
    public void Encode_SentencePiece_NewTextAfterTheCutGetsTheSpacePrefixAsInTheWholeText()
    {
        var vocab = TinyVocab.Spm().AddByteTokens().Add("\u2581", 0).Add("<|im_start|>", 0, TinyVocab.Control).Add("<|im_end|>", 0, TinyVocab.Control)
            .Set("tokenizer.ggml.add_space_prefix", true);
        var t = Tokenizer.FromGguf(vocab.Metadata());
        string first = "<|im_start|>user hello<|im_end|>";
        string second = first + "again<|im_start|>assistant";
        t.Encode(first, addSpecial: true, parseSpecial: true);
        int[] tokens = t.Encode(second, addSpecial: true, parseSpecial: true);
        Assert.Equal(1, t.PrefixHits);
        Assert.Equal(Tokenizer.FromGguf(vocab.Metadata()).Encode(second, addSpecial: true, parseSpecial: true), tokens);
    }
}

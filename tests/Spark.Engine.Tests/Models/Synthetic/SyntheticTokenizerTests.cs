using System.Text;
using Spark.Engine.Gguf;
using Spark.Engine.Models.Synthetic;
using Spark.Engine.Tensors;
using Spark.Engine.Tokenization;
using Spark.Testing;

namespace Spark.Engine.Tests.Models.Synthetic;

/// <summary>The synthesized vocabularies load in Spark's tokenizer and round-trip text.</summary>
public class SyntheticTokenizerTests
{
    private const string Text = "The quick brown fox jumps over the lazy dog.\n    public static void Main(string[] args) { return; }";

    [Theory]
    [InlineData("qwen2", "qwen2.5-0.5b", "<|im_start|>", 151644)]
    [InlineData("llama", "llama-3.2-1b", "<|eot_id|>", 128009)]
    [InlineData("llama", "tiny", "</s>", 2)]
    public void SynthesizedVocabulary_EncodesAndDecodesText(string arch, string shape, string special, int specialId)
    {
        using var dir = new TempDirectory();
        string path = dir.File("v.gguf");
        SyntheticModel.Write(new SyntheticModelSpec(arch, shape, GgmlType.Q8_0, 1), path, headerOnly: true);
        using var f = GgufFile.Open(path);
        var tokenizer = Tokenizer.FromGguf(f.Metadata);

        int[] ids = tokenizer.Encode(Text, addSpecial: false, parseSpecial: false);
        var bytes = new List<byte>();
        foreach (int id in ids) bytes.AddRange(tokenizer.TokenBytes(id));
        string decoded = Encoding.UTF8.GetString(bytes.ToArray());
        Assert.Equal(shape == "tiny" ? " " + Text : Text, decoded); // SentencePiece adds a space prefix
        Assert.True(ids.Length < Text.Length / 2, $"{ids.Length} tokens for {Text.Length} characters: merges are not used");
        Assert.Equal([specialId], tokenizer.Encode(special, addSpecial: false, parseSpecial: true));
    }
}

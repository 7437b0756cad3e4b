using System.Text;
using System.Text.Json.Nodes;
using Spark.Engine.Gguf;
using Spark.Engine.Models.Synthetic;
using Spark.Engine.Templates;
using Spark.Engine.Tokenization;
using Spark.Testing;
using Xunit.Abstractions;

namespace Spark.Conformance.Tests.Tokenization;

/// <summary>
/// A conversation's next prompt is tokenized from the previous prompt's tokens (<see cref="PromptPrefixMemo"/>): over
/// every real chat template in conformance/templates and Spark's own, rendered for a conversation growing turn by
/// turn and tokenized with llama.cpp's real vocabularies (Qwen2, Llama 3's BPE with its 256 reserved specials,
/// Llama's SentencePiece, Phi-3's whitespace-stripping specials), the tokens are exactly the whole text's.
/// </summary>
public class PromptPrefixConformanceTests(ITestOutputHelper output)
{
    private static readonly string[] Vocabularies = ["ggml-vocab-qwen2.gguf", "ggml-vocab-llama-bpe.gguf", "ggml-vocab-llama-spm.gguf", "ggml-vocab-phi-3.gguf"];
    private static readonly ChatTemplateOptions Clock = new() { Now = new DateTime(2026, 11, 24) };

    // a coding agent's conversation: instructions, a request, a tool call and its result as text turns, answers, a follow-up
    private static readonly (string Role, string Content)[] Conversation =
    [
        ("system", "You are Spark, a coding agent. Use the tools to inspect and change the project."),
        ("user", "Run the tests and tell me what fails."),
        ("assistant", "<tool_call>\n{\"name\": \"run_command\", \"arguments\": {\"command\": \"make test\"}}\n</tool_call>"),
        ("user", "<tool_response>\nexit 1\nFAILED tests/test_slug.py::test_unicode - AssertionError\n</tool_response>"),
        ("assistant", "One test fails: `test_unicode` expects accents to be stripped.  "),
        ("user", "  Fix it, then run the tests again.\n"),
        ("assistant", "Done: `slugify` now normalises to NFKD first. All 12 tests pass."),
        ("user", "Thanks! Now rename `slugify` to `make_slug` everywhere."),
    ];

    [ConformanceFact]
    public void Encode_GrowingConversations_OverRealTemplatesAndVocabularies_MatchTheWholeTextsTokens()
    {
        var templates = Directory.GetFiles(ConformanceData.PathOf("templates"), "*.jinja").Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileNameWithoutExtension(f), File.ReadAllText(f)))
            .Concat([("spark-chatml", ChatTemplates.ChatMl), ("spark-llama3", ChatTemplates.Llama3), ("spark-llama2", ChatTemplates.Llama2)])
            .ToList();
        var failures = new StringBuilder();
        int prompts = 0;
        foreach (string file in Vocabularies)
        {
            using var gguf = GgufFile.Open(ConformanceData.PathOf("tokenizer", file));
            var tokenizer = Tokenizer.FromGguf(gguf.Metadata);
            long hitsBefore = tokenizer.PrefixHits;
            int rendered = 0;
            foreach (var (name, source) in templates)
            {
                var formatter = new ChatPromptFormatter(source, Text(tokenizer, tokenizer.BosId), Text(tokenizer, tokenizer.EosId));
                if (formatter.UsesFallback) failures.AppendLine($"{name}: the template does not parse");
                var messages = new JsonArray();
                foreach (var (role, content) in Conversation)
                {
                    messages.Add(new JsonObject { ["role"] = role, ["content"] = content });
                    if (role == "assistant") continue; // each request ends with the user's message
                    string prompt;
                    try
                    {
                        prompt = formatter.Format(messages, addGenerationPrompt: true, options: Clock);
                    }
                    catch (ChatTemplateException)
                    {
                        continue; // a template that rejects this shape (a system message it does not take)
                    }
                    foreach (bool addSpecial in new[] { true, false })
                    {
                        int[] reused = tokenizer.Encode(prompt, addSpecial, parseSpecial: true);
                        int[] whole = tokenizer.EncodeCore(prompt, addSpecial, parseSpecial: true, reusePrompts: false);
                        prompts++;
                        if (!reused.AsSpan().SequenceEqual(whole))
                            failures.AppendLine($"{file} / {name} / {messages.Count} messages / addSpecial {addSpecial}: [{string.Join(' ', reused)}] vs the whole text's [{string.Join(' ', whole)}]");
                    }
                    rendered++;
                }
            }
            long hits = tokenizer.PrefixHits - hitsBefore;
            output.WriteLine($"{file}: {rendered} prompts, {hits} tokenized from the previous prompt's tokens");
            Assert.True(hits > 0, $"{file}: no prompt continued a remembered one, so nothing was tested");
        }
        Assert.True(failures.Length == 0, failures.ToString());
        Assert.True(prompts > 100, $"only {prompts} prompts were rendered");
    }

    private static string Text(Tokenizer tokenizer, int? id) => id is int i ? tokenizer.TokenText(i) : "";
}

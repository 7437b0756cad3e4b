using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Spark.Engine.Inference;
using Spark.Engine.Kernels;
using Spark.Engine.Models.Synthetic;

namespace Spark.Cli.Commands;

/// <summary>`spark run`: generate text from a prompt, streaming it to stdout.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "A GGUF model (default: Spark's built-in synthetic model, created on first use)." };
        var prompt = new Option<string>("--prompt", "-p") { Description = "The prompt.", Required = true };
        var count = new Option<int>("-n", "--n-predict") { Description = "Tokens to generate at most.", DefaultValueFactory = _ => 128 };
        var temp = new Option<float>("--temp") { Description = "Temperature; 0 is greedy.", DefaultValueFactory = _ => 0.8f };
        var topK = new Option<int>("--top-k") { Description = "Top-k (0 = off).", DefaultValueFactory = _ => 40 };
        var topP = new Option<float>("--top-p") { Description = "Top-p (1 = off).", DefaultValueFactory = _ => 0.95f };
        var minP = new Option<float>("--min-p") { Description = "Min-p (0 = off).", DefaultValueFactory = _ => 0.05f };
        var repeat = new Option<float>("--repeat-penalty") { Description = "Repetition penalty (1 = off).", DefaultValueFactory = _ => 1.0f };
        var seed = new Option<ulong?>("--seed") { Description = "Random seed (same seed, same output)." };
        var threads = new Option<int?>("--threads", "-t") { Description = "Worker threads (default: all cores)." };
        var kernels = KernelsOption.Create();
        var ctx = new Option<int?>("--ctx") { Description = "Context length in tokens (default: the model's, at most 4096)." };
        var chat = new Option<bool>("--chat") { Description = "Wrap the prompt as a user message with the model's chat template." };
        var printIds = new Option<bool>("--print-ids") { Description = "After the text, print the generated token ids on the last line." };
        var command = new Command("run", "Generate text from a prompt (streams to stdout; timings go to stderr).")
        {
            model, prompt, count, temp, topK, topP, minP, repeat, seed, threads, kernels, ctx, chat, printIds,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var sampling = new SamplerOptions
            {
                Temperature = parse.GetValue(temp),
                TopK = parse.GetValue(topK),
                TopP = parse.GetValue(topP),
                MinP = parse.GetValue(minP),
                RepetitionPenalty = parse.GetValue(repeat),
                Seed = parse.GetValue(seed),
            };
            sampling.Validate();
            int maxTokens = parse.GetValue(count);
            if (maxTokens < 0) throw new ArgumentException($"-n must be 0 or more, got {maxTokens}");
            if (parse.GetValue(threads) is < 1) throw new ArgumentException("--threads must be at least 1");

            string? path = parse.GetValue(model);
            if (path is null)
            {
                path = DefaultModel.EnsureCreated(message => Console.Error.WriteLine(message));
                Console.Error.WriteLine($"note: using Spark's built-in synthetic model ({path}). Its weights are random, so its text is gibberish;");
                Console.Error.WriteLine("      run a real GGUF with --model FILE.gguf (e.g. a Qwen2.5 or Llama 3.2 GGUF from Hugging Face).");
            }
            using var loaded = SparkModel.Load(path, new ModelLoadOptions
            {
                Threads = parse.GetValue(threads),
                ContextLength = parse.GetValue(ctx),
                Kernels = parse.GetValue(kernels),
            });
            return Generate(loaded, parse.GetValue(prompt)!, parse.GetValue(chat), maxTokens, sampling, parse.GetValue(printIds));
        }));
        return command;
    }

    private static int Generate(SparkModel model, string prompt, bool chat, int maxTokens, SamplerOptions sampling, bool printIds)
    {
        var tokenizer = model.Tokenizer;
        string text = chat
            ? model.FormatChat([new JsonObject { ["role"] = "user", ["content"] = prompt }], warn: message => Console.Error.WriteLine($"warning: {message}"))
            : prompt;
        int[] promptIds = tokenizer.Encode(text, addSpecial: true, parseSpecial: chat);
        if (chat && promptIds.Length >= 2 && promptIds[0] == tokenizer.BosId && promptIds[1] == tokenizer.BosId)
            promptIds = promptIds[1..]; // the template wrote BOS itself
        if (promptIds.Length == 0) throw new ArgumentException("the prompt tokenized to nothing; give a non-empty prompt");
        if (promptIds.Length + maxTokens > model.ContextLength)
            throw new ArgumentException($"the prompt is {promptIds.Length} tokens and -n is {maxTokens}, more than the context of {model.ContextLength} tokens; lower -n, shorten the prompt or raise --ctx");

        var session = model.CreateSession();
        var sampler = new Sampler(sampling, model.VocabSize);
        foreach (int id in promptIds) sampler.Accept(id);
        var decoder = new StreamingTextWriter(tokenizer, Console.Out);

        var clock = Stopwatch.StartNew();
        session.Prefill(promptIds.AsSpan(0, promptIds.Length - 1));
        var logits = session.Decode(promptIds[^1]);
        double prefillSeconds = clock.Elapsed.TotalSeconds;

        var generated = new List<int>(maxTokens);
        clock.Restart();
        while (generated.Count < maxTokens)
        {
            int token = sampler.Sample(logits);
            if (tokenizer.IsEndOfGeneration(token)) break;
            generated.Add(token);
            sampler.Accept(token);
            decoder.Write(token);
            if (generated.Count == maxTokens) break;
            logits = session.Decode(token);
        }
        double decodeSeconds = clock.Elapsed.TotalSeconds;
        decoder.Flush();

        var stdout = Console.Out;
        if (printIds)
        {
            if (decoder.WroteAnything && !decoder.EndsWithNewline) stdout.Write('\n');
            stdout.Write(string.Join(' ', generated));
        }
        stdout.Write('\n');
        stdout.Flush();
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"prompt: {promptIds.Length} tokens, prefill {Rate(promptIds.Length, prefillSeconds)} tok/s | generated: {generated.Count} tokens, decode {Rate(Math.Max(0, generated.Count - 1), decodeSeconds)} tok/s | {model.Threads} threads, {model.Kernels} kernels"));
        return CliErrors.Ok;
    }

    private static string Rate(int tokens, double seconds) =>
        seconds > 0 && tokens > 0 ? (tokens / seconds).ToString("F1", CultureInfo.InvariantCulture) : "-";
}

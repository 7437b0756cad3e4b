using System.IO.Pipelines;
using System.Text;
using Spark.Protocol.Chat;
using Spark.Protocol.Json;
using Spark.Protocol.Sse;
using Spark.Server.Backends;
using Spark.Server.Tools;

namespace Spark.Server.Chat;

/// <summary>
/// Drives one chat completion: either a stream of <c>chat.completion.chunk</c>s (role, a chunk per piece of text or
/// tool call, the finish reason, the usage chunk when asked for, <c>[DONE]</c>) or one <see cref="ChatCompletion"/>.
/// With tools offered, calls found by a <see cref="ToolCallParser"/> become <c>tool_calls</c> and the finish
/// reason <c>tool_calls</c>.
/// </summary>
internal sealed class ChatCompletionRunner(string id, long created, string model, IGeneration generation, TimeSpan heartbeatInterval = default, ToolOptions? tools = null)
{
    private readonly ToolCallParser? _parser = tools is { Active: true } t && !generation.ReportsToolCalls ? new ToolCallParser(name => t.Find(name) is not null, streamArguments: t.Constrained) : null;

    /// <summary>How the generation ended, once a run has returned.</summary>
    public GenerationOutcome? Outcome { get; private set; }

    public async Task StreamAsync(PipeWriter output, bool includeUsage, CancellationToken cancellationToken)
    {
        var sse = new SseWriter(output);
        var writer = new StreamingWriter(this, sse);
        sse.WriteData(Chunk(new ChatDelta("assistant", ""), null), ProtocolJsonContext.Default.ChatCompletionChunk);
        await output.FlushAsync(cancellationToken);
        var step = await Heartbeats.FirstStepAsync(generation, heartbeatInterval, async ct =>
        {
            sse.WriteComment("keep-alive"u8);
            await output.FlushAsync(ct);
        }, cancellationToken);
        while (step.Kind != GenerationStepKind.Finished)
        {
            GenerationSteps.Dispatch(step, _parser, writer);
            await output.FlushAsync(cancellationToken);
            step = await generation.NextAsync(cancellationToken);
        }
        var outcome = step.Outcome!;
        Outcome = outcome;
        _parser?.Finish(writer);
        if (outcome.Reason == FinishReason.Failed)
        {
            sse.WriteData(Errors.ApiErrors.Body(Errors.ApiErrors.From(outcome.Error!)), ProtocolJsonContext.Default.ErrorResponse);
        }
        else
        {
            sse.WriteData(Chunk(new ChatDelta(null, null), FinishReasonOf(outcome, writer.Calls)), ProtocolJsonContext.Default.ChatCompletionChunk);
            if (includeUsage)
                sse.WriteData(new ChatCompletionChunk(id, created, model, []) { Usage = Usage(outcome) }, ProtocolJsonContext.Default.ChatCompletionChunk);
        }
        sse.WriteDone();
        await output.FlushAsync(cancellationToken);
    }

    public async Task<ChatCompletion> CompleteAsync(CancellationToken cancellationToken)
    {
        var collector = new Collector();
        while (true)
        {
            var step = await generation.NextAsync(cancellationToken);
            if (step.Kind == GenerationStepKind.Finished)
            {
                var outcome = step.Outcome!;
                Outcome = outcome;
                if (outcome.Reason == FinishReason.Failed) throw outcome.Error!;
                _parser?.Finish(collector);
                string text = collector.Text.ToString();
                var message = new ChatMessage
                {
                    Role = "assistant",
                    Content = collector.Calls.Count > 0 && string.IsNullOrWhiteSpace(text) ? null : text,
                    ToolCalls = collector.Calls.Count > 0 ? collector.Calls : null,
                };
                return new ChatCompletion(id, created, model, [new ChatChoice(0, message, FinishReasonOf(outcome, collector.Calls.Count))], Usage(outcome));
            }
            GenerationSteps.Dispatch(step, _parser, collector);
        }
    }

    private void WriteContent(SseWriter sse, ReadOnlySpan<char> text)
    {
        ChatChunkJson.WriteContentDelta(sse.BeginEvent(ReadOnlySpan<byte>.Empty), id, created, model, text);
        sse.EndEvent();
    }

    private ChatCompletionChunk Chunk(ChatDelta delta, string? finishReason) =>
        new(id, created, model, [new ChatChunkChoice(0, delta, finishReason)]);

    private static string FinishReasonOf(GenerationOutcome outcome, int calls) =>
        outcome.Reason != FinishReason.Stop ? "length" : calls > 0 ? "tool_calls" : "stop";

    private static ChatUsage Usage(GenerationOutcome o) => ChatUsage.Of(o.PromptTokens, o.CachedTokens, o.OutputTokens);

    private static string NewCallId() => $"call_{Guid.NewGuid():N}"[..29];

    /// <summary>Writes text and calls as chunks while streaming.</summary>
    private sealed class StreamingWriter(ChatCompletionRunner runner, SseWriter sse) : IToolCallListener
    {
        public int Calls { get; private set; }

        public void OnText(ReadOnlySpan<char> text)
        {
            runner.WriteContent(sse, text);
        }

        // the first chunk of a call carries its id, type and name; later ones carry more arguments, as OpenAI streams them
        public void OnToolCallStart(string name)
        {
            var call = new ChatToolCallDelta(Calls, NewCallId(), "function", new ChatFunctionCallDelta(name, ""));
            sse.WriteData(runner.Chunk(new ChatDelta(null, null) { ToolCalls = [call] }, null), ProtocolJsonContext.Default.ChatCompletionChunk);
        }

        public void OnToolCallArguments(ReadOnlySpan<char> delta)
        {
            var call = new ChatToolCallDelta(Calls, null, null, new ChatFunctionCallDelta(null, delta.ToString()));
            sse.WriteData(runner.Chunk(new ChatDelta(null, null) { ToolCalls = [call] }, null), ProtocolJsonContext.Default.ChatCompletionChunk);
        }

        public void OnToolCall(string name, string arguments) => Calls++;
    }

    /// <summary>Gathers text and calls for one completion body.</summary>
    private sealed class Collector : IToolCallListener
    {
        public StringBuilder Text { get; } = new();
        public List<ChatToolCall> Calls { get; } = [];

        public void OnText(ReadOnlySpan<char> text) => Text.Append(text);

        public void OnToolCallStart(string name) { }

        public void OnToolCallArguments(ReadOnlySpan<char> delta) { }

        public void OnToolCall(string name, string arguments) =>
            Calls.Add(new ChatToolCall(NewCallId(), "function", new ChatFunctionCall(name, arguments)));
    }
}

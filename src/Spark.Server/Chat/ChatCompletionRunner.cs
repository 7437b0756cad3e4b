using System.IO.Pipelines;
using System.Text;
using Spark.Protocol.Chat;
using Spark.Protocol.Json;
using Spark.Protocol.Sse;
using Spark.Server.Backends;

namespace Spark.Server.Chat;

/// <summary>
/// Drives one chat completion: either a stream of <c>chat.completion.chunk</c>s (role, a chunk per piece of text,
/// the finish reason, the usage chunk when asked for, <c>[DONE]</c>) or one <see cref="ChatCompletion"/>.
/// </summary>
internal sealed class ChatCompletionRunner(string id, long created, string model, IGeneration generation, TimeSpan heartbeatInterval = default)
{
    /// <summary>How the generation ended, once a run has returned.</summary>
    public GenerationOutcome? Outcome { get; private set; }

    public async Task StreamAsync(PipeWriter output, bool includeUsage, CancellationToken cancellationToken)
    {
        var sse = new SseWriter(output);
        sse.WriteData(Chunk(new ChatDelta("assistant", ""), null), ProtocolJsonContext.Default.ChatCompletionChunk);
        await output.FlushAsync(cancellationToken);
        var step = await Heartbeats.FirstStepAsync(generation, heartbeatInterval, async ct =>
        {
            sse.WriteComment("keep-alive"u8);
            await output.FlushAsync(ct);
        }, cancellationToken);
        while (step.Kind == GenerationStepKind.Text)
        {
            ChatChunkJson.WriteContentDelta(sse.BeginEvent(ReadOnlySpan<byte>.Empty), id, created, model, step.Text.Span);
            sse.EndEvent();
            await output.FlushAsync(cancellationToken);
            step = await generation.NextAsync(cancellationToken);
        }
        var outcome = step.Outcome!;
        Outcome = outcome;
        if (outcome.Reason == FinishReason.Failed)
        {
            sse.WriteData(Errors.ApiErrors.Body(Errors.ApiErrors.From(outcome.Error!)), ProtocolJsonContext.Default.ErrorResponse);
        }
        else
        {
            sse.WriteData(Chunk(new ChatDelta(null, null), FinishReasonOf(outcome)), ProtocolJsonContext.Default.ChatCompletionChunk);
            if (includeUsage)
                sse.WriteData(new ChatCompletionChunk(id, created, model, []) { Usage = Usage(outcome) }, ProtocolJsonContext.Default.ChatCompletionChunk);
        }
        sse.WriteDone();
        await output.FlushAsync(cancellationToken);
    }

    public async Task<ChatCompletion> CompleteAsync(CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        while (true)
        {
            var step = await generation.NextAsync(cancellationToken);
            if (step.Kind == GenerationStepKind.Finished)
            {
                var outcome = step.Outcome!;
                Outcome = outcome;
                if (outcome.Reason == FinishReason.Failed) throw outcome.Error!;
                var message = new ChatMessage { Role = "assistant", Content = text.ToString() };
                return new ChatCompletion(id, created, model, [new ChatChoice(0, message, FinishReasonOf(outcome))], Usage(outcome));
            }
            text.Append(step.Text.Span);
        }
    }

    private ChatCompletionChunk Chunk(ChatDelta delta, string? finishReason) =>
        new(id, created, model, [new ChatChunkChoice(0, delta, finishReason)]);

    private static string FinishReasonOf(GenerationOutcome outcome) => outcome.Reason == FinishReason.Stop ? "stop" : "length";

    private static ChatUsage Usage(GenerationOutcome o) => ChatUsage.Of(o.PromptTokens, o.CachedTokens, o.OutputTokens);
}

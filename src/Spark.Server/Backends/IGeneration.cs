using Spark.Protocol.Responses;

namespace Spark.Server.Backends;

/// <summary>
/// A running generation: read its text with <see cref="NextAsync"/> until a <see cref="GenerationStepKind.Finished"/>
/// step. Disposing it stops the generation (a client that went away).
/// </summary>
public interface IGeneration : IDisposable
{
    /// <summary>
    /// Waits for more text or the end. A text step's <see cref="GenerationStep.Text"/> is valid until the next call.
    /// </summary>
    ValueTask<GenerationStep> NextAsync(CancellationToken cancellationToken);

    /// <summary>
    /// After the finished step: the prompt and generated tokens, for <see cref="GenerationRequest.ContinueFrom"/>
    /// (<paramref name="outputText"/> is the text the reader got); null when the backend cannot continue exactly.
    /// </summary>
    GenerationContinuation? Continuation(string outputText) => null;

    /// <summary>
    /// True for a generation that reports tool calls itself (<see cref="GenerationStepKind.ToolCallStart"/> …, an
    /// upstream server's structured calls); false when calls are written in the text and parsed by the reader.
    /// </summary>
    bool ReportsToolCalls => false;
}

/// <summary>What a <see cref="IGeneration.NextAsync"/> returned.</summary>
public enum GenerationStepKind
{
    /// <summary>More text.</summary>
    Text,
    /// <summary>The generation ended; see <see cref="GenerationStep.Outcome"/>.</summary>
    Finished,
    /// <summary>A tool call begins; <see cref="GenerationStep.Name"/> is the tool.</summary>
    ToolCallStart,
    /// <summary>More of the current call's arguments (JSON text) in <see cref="GenerationStep.Text"/>.</summary>
    ToolCallArguments,
    /// <summary>The current call is complete: <see cref="GenerationStep.Name"/> and all its arguments in <see cref="GenerationStep.Text"/>.</summary>
    ToolCallDone,
}

/// <summary>One step of a generation: text, or the end with its outcome.</summary>
public readonly struct GenerationStep
{
    private GenerationStep(GenerationStepKind kind, ReadOnlyMemory<char> text, GenerationOutcome? outcome, string? name = null)
    {
        Kind = kind;
        Text = text;
        Outcome = outcome;
        Name = name;
    }

    /// <summary>The tool of a tool-call start or done step.</summary>
    public string? Name { get; }

    /// <summary>Text or end.</summary>
    public GenerationStepKind Kind { get; }

    /// <summary>The new text of a text step.</summary>
    public ReadOnlyMemory<char> Text { get; }

    /// <summary>How it ended, on the finished step.</summary>
    public GenerationOutcome? Outcome { get; }

    /// <summary>A text step.</summary>
    public static GenerationStep OfText(ReadOnlyMemory<char> text) => new(GenerationStepKind.Text, text, null);

    /// <summary>The final step.</summary>
    public static GenerationStep Finished(GenerationOutcome outcome) => new(GenerationStepKind.Finished, default, outcome);

    /// <summary>A tool call of <paramref name="name"/> begins.</summary>
    public static GenerationStep OfToolCallStart(string name) => new(GenerationStepKind.ToolCallStart, default, null, name);

    /// <summary>More arguments of the current call.</summary>
    public static GenerationStep OfToolCallArguments(ReadOnlyMemory<char> delta) => new(GenerationStepKind.ToolCallArguments, delta, null);

    /// <summary>The current call is complete.</summary>
    public static GenerationStep OfToolCallDone(string name, string arguments) => new(GenerationStepKind.ToolCallDone, arguments.AsMemory(), null, name);
}

/// <summary>Why a generation ended.</summary>
public enum FinishReason
{
    /// <summary>The model ended its turn.</summary>
    Stop,
    /// <summary>The request's token limit was reached.</summary>
    MaxOutputTokens,
    /// <summary>The context is full.</summary>
    ContextLength,
    /// <summary>The client went away or cancelled.</summary>
    Cancelled,
    /// <summary>An error; see <see cref="GenerationOutcome.Error"/>.</summary>
    Failed,
}

/// <summary>How a generation ended and what it cost.</summary>
/// <param name="Reason">Why it ended.</param>
/// <param name="PromptTokens">Prompt tokens.</param>
/// <param name="CachedTokens">Prompt tokens whose KV state was reused instead of computed.</param>
/// <param name="OutputTokens">Tokens generated.</param>
/// <param name="Error">The failure, when <paramref name="Reason"/> is <see cref="FinishReason.Failed"/>.</param>
public sealed record GenerationOutcome(FinishReason Reason, int PromptTokens, int CachedTokens, int OutputTokens, Exception? Error = null)
{
    /// <summary>Where the server spent the generation's time, when the backend measures it (null otherwise).</summary>
    public SparkTiming? Timing { get; init; }

    /// <summary>The model alias that produced the output, when it differs from the one the response started with (an escalation).</summary>
    public string? Model { get; init; }

    /// <summary>Why the turn moved to another model (e.g. <c>spark -> full: upstream error …</c>), for the response's metadata.</summary>
    public string? Escalation { get; init; }
}

using Spark.Server.Tools;

namespace Spark.Server.Backends;

/// <summary>Hands a generation's text or tool-call step to a listener: text through the tool-call parser when there is one, reported calls directly.</summary>
internal static class GenerationSteps
{
    public static void Dispatch(in GenerationStep step, ToolCallParser? parser, IToolCallListener listener)
    {
        switch (step.Kind)
        {
            case GenerationStepKind.Text:
                if (parser is null) listener.OnText(step.Text.Span);
                else parser.Feed(step.Text.Span, listener);
                break;
            case GenerationStepKind.ToolCallStart:
                listener.OnToolCallStart(step.Name!);
                break;
            case GenerationStepKind.ToolCallArguments:
                listener.OnToolCallArguments(step.Text.Span);
                break;
            case GenerationStepKind.ToolCallDone:
                listener.OnToolCall(step.Name!, step.Text.ToString());
                break;
        }
    }
}

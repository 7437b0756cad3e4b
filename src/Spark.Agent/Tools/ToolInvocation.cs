using System.Diagnostics;
using Spark.Agent.Policy;

namespace Spark.Agent.Tools;

/// <summary>Running a tool straight from the JSON arguments string a model sent.</summary>
public static class ToolInvocation
{
    /// <summary>
    /// Parses <paramref name="argumentsJson"/>, checks the schema's required fields and runs the tool. Never throws:
    /// malformed JSON, missing fields, paths outside the workspace, I/O failures and tool bugs all become error
    /// results the model can read; cancellation becomes an interrupted result.
    /// </summary>
    public static async Task<ToolResult> InvokeJsonAsync(this ITool tool, string? argumentsJson, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var arguments = ToolArguments.Parse(tool.Spec.Name, argumentsJson);
            foreach (string required in tool.Spec.RequiredParameters)
                if (!arguments.Has(required))
                    return ToolResult.Error($"{tool.Spec.Name}: missing required field '{required}'.") with { Duration = clock.Elapsed };
            var result = await tool.InvokeAsync(arguments, cancellationToken).ConfigureAwait(false);
            return result.Duration == TimeSpan.Zero ? result with { Duration = clock.Elapsed } : result;
        }
        catch (ToolArgumentException e)
        {
            return ToolResult.Error(e.Message) with { Duration = clock.Elapsed };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new ToolResult { Output = $"{tool.Spec.Name}: interrupted by the user.", IsError = true, Interrupted = true, Duration = clock.Elapsed };
        }
        catch (PathOutsideWorkspaceException e)
        {
            return ToolResult.Error($"{tool.Spec.Name}: {e.Message}") with { Duration = clock.Elapsed };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return ToolResult.Error($"{tool.Spec.Name}: {e.Message}") with { Duration = clock.Elapsed };
        }
#pragma warning disable CA1031 // a tool bug must reach the model and the user as a result, never end the session
        catch (Exception e)
#pragma warning restore CA1031
        {
            return ToolResult.Error($"{tool.Spec.Name}: internal error ({e.GetType().Name}: {e.Message}).") with { Duration = clock.Elapsed };
        }
    }
}

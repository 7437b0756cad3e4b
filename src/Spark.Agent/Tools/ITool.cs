namespace Spark.Agent.Tools;

/// <summary>
/// One tool the model can call: its declaration and how to run it. A tool is one class plus one line in
/// <see cref="ToolRegistry"/>; errors the model can fix come back as an error <see cref="ToolResult"/>.
/// </summary>
public interface ITool
{
    /// <summary>The function-tool declaration sent to the model (name, description, JSON-schema parameters).</summary>
    ToolSpec Spec { get; }

    /// <summary>
    /// Whether this call may change files or other state. Defensive: true when in doubt. Mutating calls go through
    /// approval and run one at a time; the others may run in parallel.
    /// </summary>
    bool IsMutating(ToolArguments arguments);

    /// <summary>
    /// Runs the tool with its already-parsed arguments. Throws <see cref="ToolArgumentException"/> for arguments the
    /// model got wrong; the registry turns that (and any other failure) into an error result.
    /// </summary>
    Task<ToolResult> InvokeAsync(ToolArguments arguments, CancellationToken cancellationToken);
}

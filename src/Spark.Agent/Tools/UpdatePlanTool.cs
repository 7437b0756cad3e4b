using System.Text;
using System.Text.Json;

namespace Spark.Agent.Tools;

/// <summary>
/// <c>update_plan {explanation?, plan: [{step, status}]}</c>: replaces the session's plan (a visible checklist)
/// and returns it rendered. The plan is state for the user's benefit; it changes nothing on disk.
/// </summary>
public sealed class UpdatePlanTool : ITool
{
    private IReadOnlyList<PlanStep> _plan = [];

    /// <summary>The plan as last set by the model (empty before the first call).</summary>
    public IReadOnlyList<PlanStep> CurrentPlan => Volatile.Read(ref _plan);

    /// <inheritdoc />
    public ToolSpec Spec { get; } = ToolSpec.Create("update_plan",
        "Updates the task plan shown to the user: pass the whole list of steps each time, each with status pending, " +
        "in_progress or completed (at most one in_progress).",
        """
        {
          "type": "object",
          "properties": {
            "explanation": { "type": "string", "description": "Optional note on why the plan changed." },
            "plan": {
              "type": "array",
              "description": "The list of steps.",
              "items": {
                "type": "object",
                "properties": {
                  "step": { "type": "string" },
                  "status": { "type": "string", "enum": ["pending", "in_progress", "completed"] }
                },
                "required": ["step", "status"],
                "additionalProperties": false
              }
            }
          },
          "required": ["plan"],
          "additionalProperties": false
        }
        """);

    /// <inheritdoc />
    public bool IsMutating(ToolArguments arguments) => false;

    /// <inheritdoc />
    public Task<ToolResult> InvokeAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var items = arguments.RequiredArray("plan");
        var plan = new List<PlanStep>();
        int index = 0;
        foreach (var item in items.EnumerateArray())
        {
            index++;
            if (item.ValueKind != JsonValueKind.Object)
                throw arguments.Invalid("plan", $"item {index} must be an object {{\"step\": \"…\", \"status\": \"pending\"}}.");
            string step = item.TryGetProperty("step", out var s) && s.ValueKind == JsonValueKind.String
                ? s.GetString()!.Trim()
                : throw arguments.Invalid("plan", $"item {index} needs a 'step' string.");
            if (step.Length == 0) throw arguments.Invalid("plan", $"item {index} has an empty 'step'.");
            string status = item.TryGetProperty("status", out var st) && st.ValueKind == JsonValueKind.String
                ? st.GetString()!
                : throw arguments.Invalid("plan", $"item {index} needs a 'status' string (pending, in_progress or completed).");
            plan.Add(new PlanStep(step, status switch
            {
                "pending" => PlanStepStatus.Pending,
                "in_progress" => PlanStepStatus.InProgress,
                "completed" => PlanStepStatus.Completed,
                _ => throw arguments.Invalid("plan",
                    $"item {index} has status '{status}'; use pending, in_progress or completed."),
            }));
        }
        if (plan.Count(p => p.Status == PlanStepStatus.InProgress) > 1)
            throw arguments.Invalid("plan", "has more than one step in_progress; keep exactly one step in progress at a time.");
        Volatile.Write(ref _plan, plan);
        string? explanation = arguments.OptionalString("explanation");
        return Task.FromResult(new ToolResult { Output = Render(plan, explanation), Plan = plan });
    }

    /// <summary>The plan as a checklist: <c>[x]</c> completed, <c>[~]</c> in progress, <c>[ ]</c> pending.</summary>
    public static string Render(IReadOnlyList<PlanStep> plan, string? explanation = null)
    {
        var sb = new StringBuilder();
        if (!string.IsNullOrWhiteSpace(explanation)) sb.Append(explanation.Trim()).Append('\n');
        if (plan.Count == 0) return sb.Append("Plan cleared.").ToString();
        sb.Append("Plan updated:");
        foreach (var step in plan)
        {
            string box = step.Status switch
            {
                PlanStepStatus.Completed => "[x]",
                PlanStepStatus.InProgress => "[~]",
                _ => "[ ]",
            };
            sb.Append('\n').Append(box).Append(' ').Append(step.Step);
        }
        return sb.ToString();
    }
}

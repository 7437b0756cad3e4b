using Spark.Agent.Tools;

namespace Spark.Agent.Tests.Tools;

public class UpdatePlanToolTests
{
    [Fact]
    public async Task UpdatePlan_KeepsPlanAndRendersChecklist()
    {
        using var ws = new TestWorkspace();
        var r = await ws.Call("update_plan", """
            {"explanation": "Starting.", "plan": [
              {"step": "Read the code", "status": "completed"},
              {"step": "Fix the bug", "status": "in_progress"},
              {"step": "Run the tests", "status": "pending"}]}
            """);
        Assert.False(r.IsError, r.Output);
        Assert.Equal("Starting.\nPlan updated:\n[x] Read the code\n[~] Fix the bug\n[ ] Run the tests", r.Output);
        Assert.Equal(new PlanStep("Fix the bug", PlanStepStatus.InProgress), r.Plan[1]);
        var tool = (UpdatePlanTool)ws.Tools.Find("update_plan")!;
        Assert.Equal(3, tool.CurrentPlan.Count);

        await ws.Call("update_plan", """{"plan": [{"step": "Run the tests", "status": "completed"}]}""");
        Assert.Equal([new PlanStep("Run the tests", PlanStepStatus.Completed)], tool.CurrentPlan);
    }

    [Theory]
    [InlineData("""{"plan": "do it"}""", "'plan' must be an array")]
    [InlineData("""{"plan": [{"step": "x", "status": "done"}]}""", "item 1 has status 'done'; use pending, in_progress or completed")]
    [InlineData("""{"plan": [{"status": "pending"}]}""", "item 1 needs a 'step' string")]
    [InlineData("""{"plan": [3]}""", "item 1 must be an object")]
    [InlineData("""{"plan": [{"step": "a", "status": "in_progress"}, {"step": "b", "status": "in_progress"}]}""", "more than one step in_progress")]
    public async Task UpdatePlan_BadPlan_ExplainsAndKeepsOldPlan(string json, string expected)
    {
        using var ws = new TestWorkspace();
        await ws.Call("update_plan", """{"plan": [{"step": "keep", "status": "pending"}]}""");
        var r = await ws.Call("update_plan", json);
        Assert.True(r.IsError);
        Assert.Contains(expected, r.Output);
        Assert.Equal("keep", ((UpdatePlanTool)ws.Tools.Find("update_plan")!).CurrentPlan.Single().Step);
    }
}

using System.Text.Json.Nodes;
using Spark.Server.Backends;

namespace Spark.Server.Tests.Backends;

public class ContextTruncationTests
{
    private static ChatTurn Call(string id) => new("assistant", "") { ToolCalls = [new ChatTurnToolCall(id, "ls", "{}")] };
    private static ChatTurn Result(string id) => new("tool", "out " + id) { ToolCallId = id };

    // a stand-in for rendering: the prompt's "tokens" are its characters
    private static Func<IReadOnlyList<ChatTurn>, List<ChatTurn>?> FitsIn(int budget) =>
        turns => turns.Sum(t => t.Content.Length + 4) <= budget ? turns.ToList() : null;

    private static readonly ChatTurn[] History =
    [
        new("system", "instructions"),
        new("system", "developer rules"),
        new("user", new string('a', 100)),
        new("assistant", new string('b', 100)),
        Call("c1"), Result("c1"), Result("c1b"),
        new("user", new string('d', 100)),
        new("assistant", new string('e', 100)),
        new("user", "latest question"),
        Call("c2"), Result("c2"),
    ];

    [Fact]
    public void Units_NeverIncludeSystemTurnsTheLatestUserTurnOrTheNewestTurn_AndKeepCallsWithTheirResults()
    {
        var units = ContextTruncation.DroppableUnits(History);
        Assert.Equal([(2, 1), (3, 1), (4, 3), (7, 1), (8, 1)], units);
    }

    [Fact]
    public void Fit_DropsTheFewestOldestUnits_ThatMakeThePromptFit()
    {
        int all = History.Sum(t => t.Content.Length + 4);
        var (kept, dropped) = ContextTruncation.Fit(History, FitsIn(all - 150))!.Value;
        Assert.Equal(2, dropped); // the first user message alone is not enough, with the assistant reply it is
        Assert.Equal(["instructions", "developer rules", "", "out c1", "out c1b"], kept.Take(5).Select(t => t.Content));
        Assert.Equal("latest question", kept[^3].Content);
        Assert.Equal("out c2", kept[^1].Content);
    }

    [Fact]
    public void Fit_DropsACallTogetherWithItsResults()
    {
        int all = History.Sum(t => t.Content.Length + 4);
        var (kept, dropped) = ContextTruncation.Fit(History, FitsIn(all - 210))!.Value;
        Assert.Equal(5, dropped);
        Assert.DoesNotContain(kept, t => t.ToolCallId is "c1" or "c1b" || t.ToolCalls?.Any(c => c.Id == "c1") == true);
        Assert.Equal(new string('d', 100), kept[2].Content);
    }

    [Fact]
    public void Units_KeepACallWithItsResults_WhenASteerCameBetweenThem()
    {
        ChatTurn[] history =
        [
            new("system", "instructions"),
            new("user", "first"),
            Call("c1"), new("user", "steer: use the other folder"), Result("c1"),
            new("assistant", "done"),
            new("user", "latest question"),
            new("assistant", "answer"),
        ];
        var units = ContextTruncation.DroppableUnits(history);
        Assert.Equal([(1, 1), (2, 3), (5, 1)], units);

        int all = history.Sum(t => t.Content.Length + 4);
        var (kept, _) = ContextTruncation.Fit(history, FitsIn(all - 10))!.Value;
        Assert.Equal(kept.Any(t => t.ToolCalls?.Any(c => c.Id == "c1") == true), kept.Any(t => t.ToolCallId == "c1"));
    }

    [Fact]
    public void Fit_IsNull_WhenEvenTheKeptTurnsDoNotFit()
    {
        Assert.Null(ContextTruncation.Fit(History, FitsIn(40)));
        Assert.Null(ContextTruncation.Fit([new ChatTurn("system", "s"), new ChatTurn("user", "only")], FitsIn(1000)));
    }

    [Fact]
    public void LeadingSystemMessages_AreMergedIntoOne_LaterOnesStay()
    {
        static JsonObject M(string role, string content) => new() { ["role"] = role, ["content"] = content };
        var merged = SystemTurns.MergeLeading([M("system", "a"), M("system", "b"), M("user", "u"), M("system", "c")]);
        Assert.Equal(["system", "user", "system"], merged.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal("a\n\nb", merged[0]!["content"]!.GetValue<string>());
        var single = new JsonArray(M("system", "a"), M("user", "u"));
        Assert.Same(single, SystemTurns.MergeLeading(single));
    }

    [Fact]
    public void TemplatesThatDropOrRefuseASecondSystemMessage_AreDetected()
    {
        Assert.False(SystemTurns.TemplateKeepsOnlyOne(m => string.Join('|', m.Select(x => x!["content"]!.GetValue<string>()))));
        Assert.True(SystemTurns.TemplateKeepsOnlyOne(m => m[0]!["content"]!.GetValue<string>() + m[^1]!["content"]!.GetValue<string>()));
        Assert.True(SystemTurns.TemplateKeepsOnlyOne(_ => throw new InvalidOperationException("System message must be first")));
    }
}

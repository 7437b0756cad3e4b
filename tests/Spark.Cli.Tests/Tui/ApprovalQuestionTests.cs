using Spark.Agent.Policy;
using Spark.Cli.Tui;
using Meaning = Spark.Cli.Tui.ApprovalQuestion.KeyMeaning;

namespace Spark.Cli.Tests.Tui;

public class ApprovalQuestionTests
{
    private static ApprovalQuestion Question(params ApprovalScope[] scopes) =>
        new(new ApprovalDecision.AskUser { Reason = "it writes files", Scopes = scopes, SuggestedRules = [] });

    private static ConsoleKeyInfo Char(char c) => new(c, ConsoleKey.NoName, false, false, false);

    [Fact]
    public void Choices_NameOnlyTheScopesOffered_AndWhatEscDoes()
    {
        Assert.Equal("[y] once · [s] this session · [p] this project · [n] deny · Esc interrupt",
            Question(ApprovalScope.Once, ApprovalScope.Session, ApprovalScope.Project).Choices);
        Assert.Equal("[y] once · [n] deny · Esc interrupt", Question(ApprovalScope.Once).Choices);
    }

    [Fact]
    public void Keys_MeanTheirAnswers()
    {
        var q = Question(ApprovalScope.Once, ApprovalScope.Session, ApprovalScope.Project);
        Assert.Equal(Meaning.Approve, q.Mean(Char('y'), out var scope));
        Assert.Equal(ApprovalScope.Once, scope);
        Assert.Equal(Meaning.Approve, q.Mean(Char('S'), out scope));
        Assert.Equal(ApprovalScope.Session, scope);
        Assert.Equal(Meaning.Approve, q.Mean(Char('p'), out scope));
        Assert.Equal(ApprovalScope.Project, scope);
        Assert.Equal(Meaning.Deny, q.Mean(Char('n'), out _));
        Assert.Equal(Meaning.Interrupt, q.Mean(new ConsoleKeyInfo('\u001b', ConsoleKey.Escape, false, false, false), out _));
        Assert.Equal(Meaning.None, q.Mean(Char('x'), out _));
        Assert.Equal(Meaning.None, q.Mean(new ConsoleKeyInfo('\r', ConsoleKey.Enter, false, false, false), out _));
    }

    [Fact]
    public void ScopeNotOffered_IsNotAnAnswer()
    {
        var q = Question(ApprovalScope.Once);
        Assert.Equal(Meaning.None, q.Mean(Char('s'), out _));
        Assert.Equal(Meaning.None, q.Mean(Char('p'), out _));
    }

    [Fact]
    public async Task TheFirstAnswerCounts()
    {
        var q = Question(ApprovalScope.Once);
        Assert.True(q.TryAnswer(ApprovalScope.Once));
        Assert.False(q.TryAnswer(null));
        Assert.Equal(ApprovalScope.Once, await q.Answer);
    }
}

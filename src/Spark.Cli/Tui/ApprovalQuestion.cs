using Spark.Agent.Policy;

namespace Spark.Cli.Tui;

/// <summary>
/// One approval question waiting for its one-key answer: y (once), s (this session) and p (this project) when the
/// policy offers those scopes, n (deny: the model is told and goes on), Esc (deny and interrupt the turn). The answer
/// is given on the key task (<see cref="TryAnswer"/>) and read by the turn (<see cref="Answer"/>).
/// </summary>
internal sealed class ApprovalQuestion
{
    private readonly TaskCompletionSource<ApprovalScope?> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ApprovalQuestion(ApprovalDecision.AskUser ask)
    {
        Ask = ask;
        var choices = new List<string> { "y once" };
        if (ask.Scopes.Contains(ApprovalScope.Session)) choices.Add("s this session");
        if (ask.Scopes.Contains(ApprovalScope.Project)) choices.Add("p this project");
        choices.Add("n deny");
        Choices = string.Join(" · ", choices.Select(c => $"[{c[0]}]{c[1..]}")) + " · Esc interrupt";
    }

    public ApprovalDecision.AskUser Ask { get; }

    /// <summary>The answers, as shown: <c>[y] once · [s] this session · [p] this project · [n] deny · Esc interrupt</c>.</summary>
    public string Choices { get; }

    /// <summary>The scope approved, or null when denied.</summary>
    public Task<ApprovalScope?> Answer => _answer.Task;

    /// <summary>What a key means for this question.</summary>
    public KeyMeaning Mean(ConsoleKeyInfo key, out ApprovalScope scope)
    {
        scope = ApprovalScope.Once;
        if (key.Key == ConsoleKey.Escape || key.KeyChar == '\u001b') return KeyMeaning.Interrupt;
        switch (char.ToLowerInvariant(key.KeyChar))
        {
            case 'y' or 'o':
                return KeyMeaning.Approve;
            case 's' when Ask.Scopes.Contains(ApprovalScope.Session):
                scope = ApprovalScope.Session;
                return KeyMeaning.Approve;
            case 'p' when Ask.Scopes.Contains(ApprovalScope.Project):
                scope = ApprovalScope.Project;
                return KeyMeaning.Approve;
            case 'n' or 'd':
                return KeyMeaning.Deny;
            default:
                return KeyMeaning.None; // not one of the answers: the question stays
        }
    }

    /// <summary>Gives the answer (null: denied); false when it was already given.</summary>
    public bool TryAnswer(ApprovalScope? scope) => _answer.TrySetResult(scope);

    /// <summary>What a key does to an approval question.</summary>
    public enum KeyMeaning
    {
        /// <summary>Not an answer: the question stays.</summary>
        None,
        /// <summary>Run the call (in the scope given).</summary>
        Approve,
        /// <summary>Do not run it; the model is told and the turn goes on.</summary>
        Deny,
        /// <summary>Do not run it, and interrupt the turn.</summary>
        Interrupt,
    }
}

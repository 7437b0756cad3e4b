using Spark.Agent.Policy;
using Spark.Testing;

namespace Spark.Agent.Tests.Policy;

public class ApprovalPolicyTests
{
    private static ToolCall Shell(string command, string? workdir = null) =>
        new("shell", workdir is null ? $$"""{"command": {{Json.Str(command)}}}""" : $$"""{"command": {{Json.Str(command)}}, "workdir": {{Json.Str(workdir)}}}""");

    private static ToolCall Patch(string patch) => new("apply_patch", $$"""{"input": {{Json.Str(patch)}}}""");

    private static ApprovalPolicy Policy(TestWorkspace ws, ApprovalMode mode, bool sandboxed = true, ProjectRuleStore? store = null)
    {
        // "Sandboxed" stands for a sandbox that is available; danger-full-access is always available.
        var sandbox = sandboxed
            ? Sandbox.WithoutBwrap(SandboxMode.DangerFullAccess, ws.Workspace, "")
            : Sandbox.WithoutBwrap(SandboxMode.WorkspaceWrite, ws.Workspace, "bwrap is not installed");
        return new ApprovalPolicy(mode, sandbox, ws.Workspace, store);
    }

    [Fact]
    public void OnRequest_WithSandbox_AllowsCommands()
    {
        using var ws = new TestWorkspace();
        var d = Policy(ws, ApprovalMode.OnRequest).Evaluate(Shell("cargo build"));
        Assert.IsType<ApprovalDecision.Allow>(d);
    }

    [Fact]
    public void OnRequest_WithoutSandbox_AsksForEveryCommandAndSaysWhy()
    {
        using var ws = new TestWorkspace();
        var policy = Policy(ws, ApprovalMode.OnRequest, sandboxed: false);
        Assert.Equal("No sandbox available: bwrap is not installed. Every shell command will be asked for approval.", policy.SandboxWarning);
        var ask = Assert.IsType<ApprovalDecision.AskUser>(policy.Evaluate(Shell("ls")));
        Assert.Equal("Run `ls`? No sandbox is available (bwrap is not installed), so every command needs approval.", ask.Reason);
        Assert.Equal([ApprovalScope.Once, ApprovalScope.Session, ApprovalScope.Project], ask.Scopes);
        Assert.Equal([ApprovalRule.Command(RuleEffect.Allow, "ls")], ask.SuggestedRules);
    }

    [Fact]
    public void Untrusted_AllowsKnownReadOnly_AsksForTheRest()
    {
        using var ws = new TestWorkspace();
        var policy = Policy(ws, ApprovalMode.Untrusted);
        Assert.IsType<ApprovalDecision.Allow>(policy.Evaluate(Shell("git status && cat README.md | head")));
        var ask = Assert.IsType<ApprovalDecision.AskUser>(policy.Evaluate(Shell("cd src && FOO=1 make test")));
        Assert.Contains("not on the list of known read-only commands", ask.Reason);
        Assert.Equal([ApprovalRule.Command(RuleEffect.Allow, "make", "test")], ask.SuggestedRules); // cd is safe; FOO=1 stripped
        Assert.IsType<ApprovalDecision.Allow>(policy.Evaluate(new ToolCall("read_file", """{"path": "x"}""")));
        Assert.StartsWith("Run `make` in web? ", Assert.IsType<ApprovalDecision.AskUser>(policy.Evaluate(Shell("make", workdir: "web"))).Reason);
        Assert.IsType<ApprovalDecision.AskUser>(policy.Evaluate(Patch("*** Begin Patch\n*** Add File: a.txt\n+x\n*** End Patch")));
    }

    [Fact]
    public void Untrusted_HazardousCommand_AsksWithExactRuleOnly()
    {
        using var ws = new TestWorkspace();
        var policy = Policy(ws, ApprovalMode.Untrusted);
        var ask = Assert.IsType<ApprovalDecision.AskUser>(policy.Evaluate(Shell("cat a > b")));
        Assert.Contains("output redirection to 'b'", ask.Reason);
        Assert.Equal("cat a > b", Assert.Single(ask.SuggestedRules).ExactCommand);
    }

    [Fact]
    public void SessionApproval_AllowsSamePrefixLater_ButNotOtherCommands()
    {
        using var ws = new TestWorkspace();
        var policy = Policy(ws, ApprovalMode.Untrusted);
        var ask = Assert.IsType<ApprovalDecision.AskUser>(policy.Evaluate(Shell("npm test")));
        policy.Approve(ask, ApprovalScope.Session);
        Assert.IsType<ApprovalDecision.Allow>(policy.Evaluate(Shell("npm test -- --watch=false")));
        Assert.IsType<ApprovalDecision.Allow>(policy.Evaluate(Shell("CI=1 npm test", workdir: "sub")));
        Assert.IsType<ApprovalDecision.Allow>(policy.Evaluate(Shell("cd web && npm test")));
        Assert.IsType<ApprovalDecision.AskUser>(policy.Evaluate(Shell("npm install")));
        Assert.IsType<ApprovalDecision.AskUser>(policy.Evaluate(Shell("npm test && rm -rf /tmp/x")));
        Assert.IsType<ApprovalDecision.AskUser>(policy.Evaluate(Shell("npm test > out.txt")));  // a prefix rule cannot vouch for a redirection
        var active = Assert.Single(policy.ActiveRules());
        Assert.Equal(ApprovalScope.Session, active.Scope);
        Assert.Equal("approved in this session", active.Source);
    }

    [Fact]
    public void OnceApproval_IsUsedUpByTheNextMatchingCall()
    {
        using var ws = new TestWorkspace();
        var policy = Policy(ws, ApprovalMode.Untrusted);
        var ask = Assert.IsType<ApprovalDecision.AskUser>(policy.Evaluate(Shell("make")));
        policy.Approve(ask, ApprovalScope.Once);
        Assert.IsType<ApprovalDecision.Allow>(policy.Evaluate(Shell("make")));
        Assert.IsType<ApprovalDecision.AskUser>(policy.Evaluate(Shell("make")));
        Assert.Empty(policy.ActiveRules());
    }

    [Fact]
    public void Deny_BeatsAllow_InEveryScopeAndMode()
    {
        using var ws = new TestWorkspace();
        foreach (var mode in (ApprovalMode[])[ApprovalMode.Never, ApprovalMode.OnRequest, ApprovalMode.Untrusted])
        {
            var policy = Policy(ws, mode);
            policy.Remember(ApprovalRule.WholeTool(RuleEffect.Allow, "shell"), ApprovalScope.Session);
            policy.Remember(ApprovalRule.Command(RuleEffect.Allow, "git"), ApprovalScope.Session);
            policy.Remember(ApprovalRule.Command(RuleEffect.Deny, "git", "push"), ApprovalScope.Session);
            var deny = Assert.IsType<ApprovalDecision.Deny>(policy.Evaluate(Shell("git push origin main")));
            Assert.Contains("refused by the rule 'deny shell: git push …' (approved in this session)", deny.Reason);
            Assert.IsType<ApprovalDecision.Allow>(policy.Evaluate(Shell("git pull")));
            Assert.Equal(RuleEffect.Deny, policy.ActiveRules()[0].Rule.Effect); // deny rules listed first
        }
    }

    [Theory]
    [InlineData("rm -rf build")]
    [InlineData("FOO=1 rm -rf build")]
    [InlineData("ls && rm -rf build")]
    [InlineData("sudo rm -rf build")]
    [InlineData("env A=1 timeout 5 rm x")]
    [InlineData("bash -lc 'rm -rf build'")]
    [InlineData("echo $(rm -rf build)")]
    [InlineData("cat x | xargs rm")]
    public void Deny_SeesThroughAssignmentsOperatorsWrappersAndNestedShells(string command)
    {
        using var ws = new TestWorkspace();
        var policy = Policy(ws, ApprovalMode.Never);
        policy.Remember(ApprovalRule.Command(RuleEffect.Deny, "rm"), ApprovalScope.Session);
        Assert.IsType<ApprovalDecision.Deny>(policy.Evaluate(Shell(command)));
    }

    [Fact]
    public void ProjectRules_ArePersistedOutsideTheRepositoryAndReloaded()
    {
        using var ws = new TestWorkspace();
        using var home = new TempDirectory();
        var store = ProjectRuleStore.ForWorkspace(home.Path, ws.Workspace);
        Assert.StartsWith(home.Path, store.FilePath);
        var policy = Policy(ws, ApprovalMode.Untrusted, store: store);
        var ask = Assert.IsType<ApprovalDecision.AskUser>(policy.Evaluate(Shell("dotnet test")));
        policy.Approve(ask, ApprovalScope.Project);
        policy.Remember(ApprovalRule.Command(RuleEffect.Deny, "git", "push"), ApprovalScope.Project);

        var next = Policy(ws, ApprovalMode.Untrusted, store: ProjectRuleStore.ForWorkspace(home.Path, ws.Workspace));
        Assert.IsType<ApprovalDecision.Allow>(next.Evaluate(Shell("dotnet test --no-build")));
        Assert.IsType<ApprovalDecision.Deny>(next.Evaluate(Shell("git push")));
        var rules = next.ActiveRules();
        Assert.Equal(["deny shell: git push …", "allow shell: dotnet test …"], rules.Select(r => r.Rule.ToString()));
        Assert.All(rules, r => Assert.Equal($"project ({store.FilePath})", r.Source));
        Assert.Empty(Directory.GetFileSystemEntries(ws.Root)); // nothing written into the workspace
    }

    [Fact]
    public void ProjectRuleFile_Corrupt_SaysWhichFile()
    {
        using var ws = new TestWorkspace();
        using var home = new TempDirectory();
        string file = Path.Combine(home.Path, "approvals.json");
        File.WriteAllText(file, "{ nope");
        var e = Assert.Throws<InvalidDataException>(() => Policy(ws, ApprovalMode.OnRequest, store: new ProjectRuleStore(file)));
        Assert.Contains($"The approvals file '{file}' is not valid JSON", e.Message);
    }

    [Fact]
    public void ConfigRules_ListedWithTheirSource()
    {
        using var ws = new TestWorkspace();
        var policy = Policy(ws, ApprovalMode.Untrusted);
        policy.AddRules([ApprovalRule.Command(RuleEffect.Allow, "cargo", "check")], "config (~/.spark/config.toml)");
        Assert.IsType<ApprovalDecision.Allow>(policy.Evaluate(Shell("cargo check")));
        Assert.Equal("config (~/.spark/config.toml)", Assert.Single(policy.ActiveRules()).Source);
    }

    [Fact]
    public void ApplyPatch_ReadOnlySandbox_Denied_AndOutsideWorkspace_Denied()
    {
        using var ws = new TestWorkspace();
        var readOnly = new ApprovalPolicy(ApprovalMode.Never, Sandbox.WithoutBwrap(SandboxMode.ReadOnly, ws.Workspace, "x"), ws.Workspace);
        Assert.Contains("sandbox is read-only", Assert.IsType<ApprovalDecision.Deny>(
            readOnly.Evaluate(Patch("*** Begin Patch\n*** Add File: a.txt\n+x\n*** End Patch"))).Reason);

        var policy = Policy(ws, ApprovalMode.Never);
        var deny = Assert.IsType<ApprovalDecision.Deny>(policy.Evaluate(
            Patch("*** Begin Patch\n*** Update File: a.txt\n*** Move to: ../../etc/x\n*** End Patch")));
        Assert.Contains("outside the workspace", deny.Reason);
        Assert.IsType<ApprovalDecision.Allow>(policy.Evaluate(Patch("*** Begin Patch\n*** Add File: ok.txt\n+x\n*** End Patch")));
        policy.Remember(ApprovalRule.WholeTool(RuleEffect.Deny, "apply_patch"), ApprovalScope.Session);
        Assert.IsType<ApprovalDecision.Deny>(policy.Evaluate(Patch("*** Begin Patch\n*** Add File: ok.txt\n+x\n*** End Patch")));
    }

    [Fact]
    public void MalformedArguments_PassToTheToolWhichReportsThem()
    {
        using var ws = new TestWorkspace();
        var policy = Policy(ws, ApprovalMode.Untrusted);
        Assert.IsType<ApprovalDecision.Allow>(policy.Evaluate(new ToolCall("shell", "{not json")));
        Assert.IsType<ApprovalDecision.Allow>(policy.Evaluate(new ToolCall("apply_patch", """{"input": "garbage"}""")));
    }

    [Theory]
    [InlineData("untrusted", ApprovalMode.Untrusted)]
    [InlineData("on-request", ApprovalMode.OnRequest)]
    [InlineData("never", ApprovalMode.Never)]
    public void ApprovalModes_ParseAndName(string text, ApprovalMode mode)
    {
        Assert.Equal(mode, ApprovalModes.Parse(text));
        Assert.Equal(text, mode.Name());
    }

    [Fact]
    public void Modes_UnknownValue_ListsTheValidOnes()
    {
        Assert.Contains("use untrusted, on-request or never", Assert.Throws<ArgumentException>(() => ApprovalModes.Parse("always")).Message);
        Assert.Contains("use read-only, workspace-write or danger-full-access", Assert.Throws<ArgumentException>(() => SandboxModes.Parse("yolo")).Message);
        Assert.Equal(SandboxMode.WorkspaceWrite, SandboxModes.Default);
        Assert.Equal(ApprovalMode.OnRequest, ApprovalModes.Default);
        Assert.Equal(SandboxMode.DangerFullAccess, SandboxModes.Parse("danger-full-access"));
    }
}

public class ApprovalPolicyEdgeTests
{
    [Fact]
    public void RememberForProject_WithoutProjectFile_Explains()
    {
        using var ws = new TestWorkspace();
        var policy = new ApprovalPolicy(ApprovalMode.OnRequest, ws.Sandbox, ws.Workspace);
        var e = Assert.Throws<InvalidOperationException>(() => policy.Remember(ApprovalRule.Command(RuleEffect.Allow, "make"), ApprovalScope.Project));
        Assert.Equal("This session has no project approvals file; remember the rule for the session instead.", e.Message);
    }

    [Fact]
    public void ProjectRuleFile_UnknownEffect_Explains()
    {
        using var home = new Spark.Testing.TempDirectory();
        string file = home.File("approvals.json");
        File.WriteAllText(file, """{"rules": [{"effect": "maybe", "tool": "shell"}]}""");
        var e = Assert.Throws<InvalidDataException>(() => new ProjectRuleStore(file).Load());
        Assert.Equal($"The approvals file '{file}' has a rule with effect 'maybe'; use allow or deny.", e.Message);
    }

    [Fact]
    public void UnknownTool_AskedOnlyWhenUntrusted()
    {
        using var ws = new TestWorkspace();
        var call = new ToolCall("web_fetch", "{}");
        Assert.IsType<ApprovalDecision.AskUser>(new ApprovalPolicy(ApprovalMode.Untrusted, ws.Sandbox, ws.Workspace).Evaluate(call));
        Assert.IsType<ApprovalDecision.Allow>(new ApprovalPolicy(ApprovalMode.OnRequest, ws.Sandbox, ws.Workspace).Evaluate(call));
    }
}

public class ApprovalScopeLabelTests
{
    [Fact]
    public void Scopes_HavePromptLabels() =>
        Assert.Equal(["once", "this session", "this project"],
            new[] { ApprovalScope.Once, ApprovalScope.Session, ApprovalScope.Project }.Select(s => s.Label()));
}

public class ApprovalPolicyNeverThrowsTests
{
    [Fact]
    public void PatchThroughSymlinkLoop_DeniedWithReason()
    {
        using var ws = new TestWorkspace();
        File.CreateSymbolicLink(ws.PathOf("l1"), "l2");
        File.CreateSymbolicLink(ws.PathOf("l2"), "l1");
        var policy = new ApprovalPolicy(ApprovalMode.Never, ws.Sandbox, ws.Workspace);
        var call = new ToolCall("apply_patch", $$"""{"input": {{Json.Str("*** Begin Patch\n*** Add File: l1/x\n+1\n*** End Patch")}}}""");
        Assert.Contains("Too many levels of symbolic links", Assert.IsType<ApprovalDecision.Deny>(policy.Evaluate(call)).Reason);
    }
}

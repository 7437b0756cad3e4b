using Spark.Agent.Policy;

namespace Spark.Agent.Tests.Policy;

public class ShellCommandParserTests
{
    private static string Show(ParsedShellCommand p) =>
        string.Join(" ; ", p.Commands.Select(c => string.Join(" ", c.Argv.Select(a => $"[{a}]"))));

    [Theory]
    [InlineData("ls -la", "[ls] [-la]")]
    [InlineData("echo 'a b'  \"c d\"", "[echo] [a b] [c d]")]
    [InlineData("echo \"it's \\\"quoted\\\" \\$HOME\"", "[echo] [it's \"quoted\" $HOME]")]
    [InlineData("echo a\\ b c\\\\d", "[echo] [a b] [c\\d]")]
    [InlineData("echo 'x'\"y\"z", "[echo] [xyz]")]
    [InlineData("git status && git diff || echo fail; ls | wc -l", "[git] [status] ; [git] [diff] ; [echo] [fail] ; [ls] ; [wc] [-l]")]
    [InlineData("make\nmake test", "[make] ; [make] [test]")]
    [InlineData("ls \\\n  -la", "[ls] [-la]")]
    [InlineData("FOO=1 BAR='x y' cargo test", "[cargo] [test]")]
    [InlineData("echo hi # a comment", "[echo] [hi]")]
    [InlineData("echo a#b", "[echo] [a#b]")]
    [InlineData("cmd 2>&1 | tee-free", "[cmd] ; [tee-free]")]
    [InlineData("grep x file > /dev/null 2>&1", "[grep] [x] [file]")]
    [InlineData("sort < in.txt", "[sort]")]
    [InlineData("sleep 1 & echo done", "[sleep] [1] ; [echo] [done]")]
    [InlineData("bash -lc \"git status && rm -rf build\"", "[git] [status] ; [rm] [-rf] [build]")]
    [InlineData("\"FOO=1\" cmd", "[FOO=1] [cmd]")]
    [InlineData("", "")]
    public void Parse_SplitsWordsAndCommands(string line, string expected)
    {
        var parsed = ShellCommandParser.Parse(line);
        Assert.Equal(expected, Show(parsed));
        Assert.True(parsed.IsPlain, string.Join(", ", parsed.Hazards));
    }

    [Fact]
    public void Parse_KeepsStrippedAssignments()
    {
        var c = ShellCommandParser.Parse("A=1 B+=2 env").Commands.Single();
        Assert.Equal(["A=1", "B+=2"], c.Assignments);
        Assert.Equal(["env"], c.Argv);
    }

    [Theory]
    [InlineData("echo $(rm -rf /)", "command substitution $(…)", "[echo] [$(rm -rf /)] ; [rm] [-rf] [/]")]
    [InlineData("echo \"$(whoami)\"", "command substitution $(…)", "[echo] [$(whoami)] ; [whoami]")]
    [InlineData("echo `id`", "command substitution `…`", "[echo] [`id`] ; [id]")]
    [InlineData("echo hi > out.txt", "output redirection to 'out.txt'", "[echo] [hi]")]
    [InlineData("echo hi >> log 2>/dev/null", "output redirection to 'log'", "[echo] [hi]")]
    [InlineData("cmd &> all.log", "output redirection to 'all.log'", "[cmd]")]
    [InlineData("(cd x && rm y)", "subshell ( … )", "[cd] [x] ; [rm] [y]")]
    [InlineData("cat <<EOF\nrm -rf /\nEOF", "here-document <<", "[cat]")]
    [InlineData("diff <(ls a) b", "process substitution <(…)", "[diff] [b] ; [ls] [a]")]
    [InlineData("for f in *; do rm $f; done", "control structure 'for'", "[f] [in] [*] ; [rm] [$f]")]
    [InlineData("echo 'open", "unterminated single quote", "[echo]")]
    [InlineData("echo \"open", "unterminated double quote", "[echo] [open]")]
    [InlineData("echo >", "redirection without a target", "[echo]")]
    public void Parse_ReportsHazards(string line, string hazard, string commands)
    {
        var parsed = ShellCommandParser.Parse(line);
        Assert.False(parsed.IsPlain);
        Assert.Contains(hazard, parsed.Hazards);
        Assert.Equal(commands, Show(parsed));
    }

    [Theory]
    [InlineData("ls -la", true)]
    [InlineData("cat a.txt | grep foo | wc -l", true)]
    [InlineData("git status && git diff HEAD~1 && git log --oneline -5", true)]
    [InlineData("cd src && ls", true)]
    [InlineData("rg -n foo src", true)]
    [InlineData("sed -n '1,20p' file.txt", true)]
    [InlineData("find . -name '*.cs'", true)]
    [InlineData("git branch", true)]
    [InlineData("git branch -D main", false)]
    [InlineData("git push", false)]
    [InlineData("git -c core.pager=evil log", false)]
    [InlineData("git diff --output=x", false)]
    [InlineData("find . -delete", false)]
    [InlineData("find . -exec rm {} ;", false)]
    [InlineData("rg --pre sh foo", false)]
    [InlineData("sort -o out in", false)]
    [InlineData("sed -i s/a/b/ f", false)]
    [InlineData("uniq in out", false)]
    [InlineData("echo hi > f", false)]
    [InlineData("ls $(rm -rf x)", false)]
    [InlineData("rm -rf build", false)]
    [InlineData("python3 -c 'print(1)'", false)]
    [InlineData("", false)]
    public void SafeCommands_KnownReadOnly(string line, bool safe) =>
        Assert.Equal(safe, SafeCommands.IsKnownSafe(ShellCommandParser.Parse(line)));
}

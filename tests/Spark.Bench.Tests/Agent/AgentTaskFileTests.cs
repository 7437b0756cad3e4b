using Spark.Bench.Agent;

namespace Spark.Bench.Tests.Agent;

public class AgentTaskFileTests
{
    private const string Path = "/suite/fix-it/task.toml";

    private static AgentTask Parse(string toml) => AgentTaskFile.Parse(toml, Path, "/suite/fix-it");

    private static string Error(string toml) => Assert.Throws<InvalidDataException>(() => Parse(toml)).Message;

    [Fact]
    public void Parse_BothKeys_GivesTheTask()
    {
        var task = Parse("instruction = \"\"\"\nFix the test.\nDo not edit it.\n\"\"\"\ntimeout_s = 120\n");
        Assert.Equal("fix-it", task.Name);
        Assert.Equal("Fix the test.\nDo not edit it.", task.Instruction);
        Assert.Equal(120, task.TimeoutSeconds);
        Assert.Equal("/suite/fix-it/check", task.File(AgentTask.CheckScript));
    }

    [Fact]
    public void Parse_UnknownKey_NamesTheFileAndTheKey()
    {
        string message = Error("instruction = \"x\"\ntimeout_s = 5\ntimeout = 9\n");
        Assert.Contains(Path, message);
        Assert.Contains("unknown key 'timeout'", message);
        Assert.Contains("instruction and timeout_s", message);
    }

    [Fact]
    public void Parse_UnknownTable_IsAnUnknownKey()
    {
        Assert.Contains("unknown key 'meta'", Error("instruction = \"x\"\ntimeout_s = 5\n[meta]\nauthor = \"me\"\n"));
    }

    [Fact]
    public void Parse_MissingInstruction_NamesTheKey()
    {
        string message = Error("timeout_s = 5\n");
        Assert.Contains(Path, message);
        Assert.Contains("missing key 'instruction'", message);
    }

    [Fact]
    public void Parse_MissingTimeout_NamesTheKey()
    {
        string message = Error("instruction = \"x\"\n");
        Assert.Contains(Path, message);
        Assert.Contains("missing key 'timeout_s'", message);
    }

    [Theory]
    [InlineData("timeout_s = \"300\"", "the string \"300\"")]
    [InlineData("timeout_s = 1.5", "the number 1.5")]
    [InlineData("timeout_s = 0", "the number 0")]
    [InlineData("timeout_s = 100000", "the number 100000")]
    public void Parse_BadTimeout_SaysWhatItGot(string line, string got)
    {
        string message = Error("instruction = \"x\"\n" + line + "\n");
        Assert.Contains("key 'timeout_s' must be a whole number of seconds from 1 to 86400", message);
        Assert.Contains(got, message);
    }

    [Theory]
    [InlineData("instruction = 3", "the number 3")]
    [InlineData("instruction = \"  \"", "the string")]
    [InlineData("instruction = [\"a\"]", "an array")]
    public void Parse_BadInstruction_SaysWhatItGot(string line, string got)
    {
        string message = Error(line + "\ntimeout_s = 5\n");
        Assert.Contains("key 'instruction' must be a non-empty string", message);
        Assert.Contains(got, message);
    }

    [Fact]
    public void Parse_InvalidToml_GivesTheFileAndLine()
    {
        string message = Error("instruction = \"x\"\ntimeout_s = = 5\n");
        Assert.StartsWith(Path + ":2", message);
        Assert.Contains("not valid TOML", message);
    }

    [Fact]
    public void Parse_DuplicateKey_IsAnError()
    {
        Assert.Contains(Path, Error("instruction = \"x\"\ninstruction = \"y\"\ntimeout_s = 5\n"));
    }
}

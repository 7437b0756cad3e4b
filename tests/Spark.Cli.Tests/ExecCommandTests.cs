using System.Text.Json;
using Spark.Testing;

namespace Spark.Cli.Tests;

public class ExecCommandTests
{
    [Fact]
    public async Task ExecJson_AgainstScriptedServer_PrintsOneEventPerLine_RunsTheTool_AndRecordsTheSession()
    {
        using var home = new TempDirectory();
        using var workspace = new TempDirectory();
        File.WriteAllText(workspace.File("data.txt"), "forty-two\n");
        await using var server = await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("c1", "read_file", """{"path":"data.txt"}"""),
            ScriptedReply.Text("The file says forty-two."));

        var result = await Task.Run(() => SparkProcess.Run(home.Path, "exec", "what is in data.txt?", "--json",
            "--base-url", server.BaseUrl.ToString(), "--model", "scripted", "--cd", workspace.Path, "--sandbox", "danger-full-access", "-a", "never"));

        Assert.True(result.ExitCode == 0, result.StdErr);
        var events = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var types = events.Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal("session.started", types[0]);
        Assert.Equal("http", events[0].GetProperty("transport").GetString());
        Assert.Equal("notice", types[1]); // the scripted server refuses the WebSocket upgrade: auto fell back to HTTP/SSE
        Assert.Contains("using HTTP/SSE", events[1].GetProperty("message").GetString());
        Assert.Equal("turn.started", types[2]);
        Assert.Equal("turn.completed", types[^1]);
        Assert.Contains("tool.call", types);
        var toolResult = events.Single(e => e.GetProperty("type").GetString() == "tool.result");
        Assert.Contains("forty-two", toolResult.GetProperty("output").GetString());
        Assert.Equal("The file says forty-two.", string.Concat(events.Where(e => e.GetProperty("type").GetString() == "text.delta").Select(e => e.GetProperty("delta").GetString())));

        var completed = events[^1];
        Assert.Equal("The file says forty-two.", completed.GetProperty("final_text").GetString());
        Assert.Equal(2, completed.GetProperty("model_requests").GetInt32());
        Assert.Equal(200, completed.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        var timing = completed.GetProperty("timing");
        Assert.True(timing.GetProperty("total_ms").GetDouble() > 0);
        Assert.Equal("client", timing.GetProperty("source").GetString());

        string sessionFile = events[0].GetProperty("path").GetString()!;
        Assert.StartsWith(Path.Join(home.Path, "sessions"), sessionFile);
        Assert.Equal(4, File.ReadLines(sessionFile).Count(l => l.StartsWith("{\"type\":\"item\"", StringComparison.Ordinal)));

        var listed = SparkProcess.Run(home.Path, "sessions");
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains(events[0].GetProperty("session_id").GetString()!, listed.StdOut);
        Assert.Contains("what is in data.txt?", listed.StdOut);

        var shown = SparkProcess.Run(home.Path, "sessions", "--show", "last");
        Assert.True(shown.ExitCode == 0, shown.StdErr);
        Assert.Equal(
            ["› what is in data.txt?", "  • read_file {\"path\":\"data.txt\"}", "  ‹ The file says forty-two."],
            shown.StdOut.Split('\n').Where(l => l.StartsWith("› ", StringComparison.Ordinal) || l.StartsWith("  • ", StringComparison.Ordinal) || l.StartsWith("  ‹ ", StringComparison.Ordinal)));
        Assert.Contains("forty-two", shown.StdOut.Split('\n').Single(l => l.StartsWith("    └ ", StringComparison.Ordinal)));
        Assert.Contains("spark exec --resume " + events[0].GetProperty("session_id").GetString(), shown.StdOut);
    }

    [Fact]
    public async Task Exec_ServerError_ExitsNonZeroWithTheServersMessage()
    {
        using var home = new TempDirectory();
        await using var server = await ScriptedResponsesServer.StartAsync(ScriptedReply.Error(503, "model is loading, retry in a minute"));
        var result = await Task.Run(() => SparkProcess.Run(home.Path, "exec", "hi", "--base-url", server.BaseUrl.ToString(), "--model", "scripted", "--cd", home.Path));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: ", result.StdErr);
        Assert.Contains("503", result.StdErr);
        Assert.Contains("model is loading, retry in a minute", result.StdErr);
        Assert.DoesNotContain("bug in Spark", result.StdErr);
    }

    [Fact]
    public async Task ExecJson_ServerError_EndsWithAnErrorEvent()
    {
        using var home = new TempDirectory();
        await using var server = await ScriptedResponsesServer.StartAsync(ScriptedReply.Failed("decoder crashed"));
        var result = await Task.Run(() => SparkProcess.Run(home.Path, "exec", "hi", "--json", "--base-url", server.BaseUrl.ToString(), "--model", "scripted", "--cd", home.Path));
        Assert.Equal(1, result.ExitCode);
        var last = JsonDocument.Parse(result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement;
        Assert.Equal("error", last.GetProperty("type").GetString());
        Assert.Equal("The response failed: decoder crashed", last.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ExecPlain_PrintsOnlyTheFinalAnswerOnStdout_AndProgressOnStderr()
    {
        using var home = new TempDirectory();
        await using var server = await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("c1", "list_dir", """{"path":"."}"""), ScriptedReply.Text("Nothing here."));
        var result = await Task.Run(() => SparkProcess.Run(home.Path, "exec", "look around", "--base-url", server.BaseUrl.ToString(), "-m", "scripted", "--cd", home.Path));
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal("Nothing here.\n", result.StdOut);
        // the scripted server refuses the WebSocket upgrade: auto falls back to HTTP/SSE and says so once
        Assert.Single(result.StdErr.Split('\n'), l => l.StartsWith("note: ", StringComparison.Ordinal) && l.Contains("using HTTP/SSE", StringComparison.Ordinal));
        Assert.Contains("• list_dir", result.StdErr);
        Assert.Contains("turn 1: 2 model request(s), 1 tool call(s)", result.StdErr);
    }

    [Fact]
    public void Exec_BadFlags_AreClearErrors()
    {
        using var home = new TempDirectory();
        var pigeon = SparkProcess.Run(home.Path, "exec", "hi", "--transport", "pigeon");
        Assert.Equal(2, pigeon.ExitCode);
        Assert.Contains("use auto, http or ws", pigeon.StdErr);

        var noModel = SparkProcess.Run(home.Path, "exec", "hi", "--base-url", "http://127.0.0.1:9/v1");
        Assert.Equal(2, noModel.ExitCode);
        Assert.Contains("--base-url needs --model NAME", noModel.StdErr);

        var noKey = SparkProcess.Run(home.Path, "exec", "hi", "--base-url", "http://127.0.0.1:9/v1", "-m", "x", "--api-key-env", "SPARK_TEST_SURELY_UNSET_VAR");
        Assert.Equal(2, noKey.ExitCode);
        Assert.Contains("SPARK_TEST_SURELY_UNSET_VAR is not set", noKey.StdErr);

        var noSession = SparkProcess.Run(home.Path, "exec", "hi", "--last");
        Assert.Equal(2, noSession.ExitCode);
        Assert.Contains("no sessions", noSession.StdErr);
    }

    [Fact]
    public async Task Exec_ForcedWs_AgainstAServerWithoutWebSockets_IsAClearError()
    {
        using var home = new TempDirectory();
        await using var server = await ScriptedResponsesServer.StartAsync(ScriptedReply.Text("unused"));
        var result = await Task.Run(() => SparkProcess.Run(home.Path, "exec", "hi", "--transport", "ws", "--base-url", server.BaseUrl.ToString(), "-m", "scripted", "--cd", home.Path));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: The WebSocket upgrade to ws://", result.StdErr);
        Assert.Contains("instead of 101", result.StdErr);
        Assert.Contains("--transport http", result.StdErr);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public void Exec_EmbeddedDefaultModel_OverHttp_CompletesWithoutPrewarm()
    {
        using var home = new TempDirectory();
        var result = SparkProcess.Run(home.Path, "exec", "say something", "--json", "--transport", "http", "--max-output-tokens", "6", "--threads", "1", "--ctx", "4096", "--cd", home.Path);
        Assert.True(result.ExitCode == 0, result.StdErr);
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal("http", lines[0].GetProperty("transport").GetString());
        Assert.Equal("turn.completed", lines[^1].GetProperty("type").GetString());
        Assert.Equal(0, lines[^1].GetProperty("usage").GetProperty("cached_tokens").GetInt32());
        // Spark's server reports its engine time, so prefill/generation come from it and the network is in overhead_ms
        var timing = lines[^1].GetProperty("timing");
        Assert.Equal("server", timing.GetProperty("source").GetString());
        double total = timing.GetProperty("total_ms").GetDouble(), parts = timing.GetProperty("prefill_ms").GetDouble()
            + timing.GetProperty("generation_ms").GetDouble() + timing.GetProperty("tool_ms").GetDouble() + timing.GetProperty("overhead_ms").GetDouble();
        Assert.True(Math.Abs(total - parts) < 1, $"the parts add up to the total: {timing}");
        Assert.True(timing.GetProperty("prefill_ms").GetDouble() > 0, timing.ToString());
    }

    [Fact]
    public void Exec_EmbeddedDefaultModel_CompletesAndExitsZero()
    {
        using var home = new TempDirectory();
        var result = SparkProcess.Run(home.Path, "exec", "say something", "--json", "--max-output-tokens", "6", "--threads", "1", "--ctx", "4096", "--cd", home.Path);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("synthetic", result.StdErr);
        var last = JsonDocument.Parse(result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement;
        Assert.Equal("turn.completed", last.GetProperty("type").GetString());
        Assert.Equal(6, last.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        Assert.Equal("max_output_tokens", last.GetProperty("incomplete").GetString());
        // auto against Spark's own server: one WebSocket, and the prewarm left the first request's prompt cached
        var first = JsonDocument.Parse(result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0]).RootElement;
        Assert.Equal("ws", first.GetProperty("transport").GetString());
        Assert.True(last.GetProperty("usage").GetProperty("cached_tokens").GetInt32() > 0, result.StdOut);
    }
}

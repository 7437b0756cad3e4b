using Spark.Agent.Loop;
using Spark.Agent.Sessions;
using Spark.Protocol.Responses;
using Spark.Testing;

namespace Spark.Agent.Tests.Loop;

public class SessionTests
{
    [Fact]
    public async Task Session_RecordsEveryItem_AndResumesWithTheFullHistory()
    {
        using var home = new TempDirectory();
        string root = Path.Join(home.Path, "sessions");
        string path;
        string id;
        using (var writer = SessionWriter.Create(root, "/work/project", "scripted", "http://x/v1", new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero)))
        {
            path = writer.FilePath;
            id = writer.Id;
            await using var h = new AgentHarness(await ScriptedResponsesServer.StartAsync(
                ScriptedReply.Call("c1", "shell", """{"command":"echo recorded"}"""), ScriptedReply.Text("Done once.")), session: writer);
            await h.RunAsync("first task");
        }
        Assert.StartsWith(Path.Join(root, "2026", "03", "04") + Path.DirectorySeparatorChar, path);

        var recorded = SessionReader.Read(path);
        Assert.Equal(id, recorded.Info.Id);
        Assert.Equal("/work/project", recorded.Info.Cwd);
        Assert.Equal("scripted", recorded.Info.Model);
        Assert.Equal("first task", recorded.Info.LastPrompt);
        Assert.Equal(1, recorded.Turns);
        Assert.Equal(["message", "function_call", "function_call_output", "message"], recorded.Items.Select(i => i.Type));
        Assert.Contains("recorded", ((FunctionCallOutputItem)recorded.Items[2]).Output);
        Assert.Equal(id, SessionReader.Find(root, id[..13]).Id);
        Assert.Equal(id, SessionReader.Last(root).Id);

        // resume: the next request carries the whole recorded history plus the new prompt, and is appended to the same file
        using (var writer = SessionWriter.Append(recorded.Info))
        {
            await using var h = new AgentHarness(await ScriptedResponsesServer.StartAsync(ScriptedReply.Text("Done twice.")), session: writer);
            h.Loop.Restore(recorded);
            var done = await h.RunAsync("second task");
            Assert.Equal(2, done.TurnId);
            var request = Assert.Single(h.Server.Requests);
            Assert.False(request.TryGetProperty("previous_response_id", out _));
            var input = request.GetProperty("input").EnumerateArray().ToList();
            Assert.Equal(5, input.Count);
            Assert.Equal("first task", input[0].GetProperty("content")[0].GetProperty("text").GetString());
            Assert.Equal("second task", input[4].GetProperty("content")[0].GetProperty("text").GetString());
        }
        var again = SessionReader.Read(path);
        Assert.Equal(2, again.Turns);
        Assert.Equal("second task", again.Info.LastPrompt);
        Assert.Equal(6, again.Items.Count);
        Assert.Single(SessionReader.List(root));
    }

    [Fact]
    public async Task Session_ItemsAreOnDiskBeforeTheNextModelRequest()
    {
        using var home = new TempDirectory();
        using var writer = SessionWriter.Create(Path.Join(home.Path, "sessions"), "/w", "scripted", null, DateTimeOffset.UtcNow);
        await using var h = new AgentHarness(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("c1", "list_dir", """{"path":"."}"""), ScriptedReply.Text("ok")), session: writer);
        int seenAtSecondRequest = -1;
        await h.Loop.RunTurnAsync("look", e =>
        {
            // the tool result event comes right before the output is recorded and sent; the call itself must already be on disk
            if (e is ToolCallFinished) seenAtSecondRequest = SessionReader.Read(writer.FilePath).Items.Count;
        }, CancellationToken.None);
        Assert.Equal(2, seenAtSecondRequest); // user message + function call, read back by another reader mid-turn
        Assert.Equal(4, SessionReader.Read(writer.FilePath).Items.Count);
    }

    [Fact]
    public void Reader_NotASessionFile_NamesTheFileAndLine()
    {
        using var dir = new TempDirectory();
        string path = dir.File("session-x.jsonl");
        File.WriteAllText(path, "{\"type\":\"session_meta\",\"id\":\"a\",\"created_at\":\"2026-01-01T00:00:00Z\",\"cwd\":\"/\",\"model\":\"m\"}\nnot json\n{\"type\":\"item\"}\n");
        var e = Assert.Throws<InvalidDataException>(() => SessionReader.Read(path));
        Assert.Contains($"{path}:2", e.Message);
    }

    [Fact]
    public void Reader_ModelSwitches_TheSessionsModelIsTheLastOne()
    {
        using var home = new TempDirectory();
        string root = Path.Join(home.Path, "sessions");
        string path;
        using (var writer = SessionWriter.Create(root, "/w", "fast", null, DateTimeOffset.UtcNow))
        {
            path = writer.FilePath;
            writer.TurnStarted(1, "hello", DateTimeOffset.UtcNow);
            writer.ModelSwitched("full", DateTimeOffset.UtcNow);
            writer.TurnStarted(2, "think harder", DateTimeOffset.UtcNow);
            writer.ModelSwitched("bigger", DateTimeOffset.UtcNow);
        }
        var recorded = SessionReader.Read(path);
        Assert.Equal("bigger", recorded.Info.Model);
        Assert.Equal(2, recorded.Turns);
        Assert.Equal("bigger", Assert.Single(SessionReader.List(root)).Model);
        string last = File.ReadLines(path).Last();
        Assert.StartsWith("{\"type\":\"model_switched\",\"model\":\"bigger\",\"at\":", last);
    }

    [Fact]
    public void Reader_FileFromBeforeModelSwitchesWereRecorded_HasTheMetaModel()
    {
        using var dir = new TempDirectory();
        string path = dir.File("session-old.jsonl");
        File.WriteAllText(path,
            "{\"type\":\"session_meta\",\"id\":\"c\",\"created_at\":\"2026-01-01T00:00:00Z\",\"cwd\":\"/\",\"model\":\"m\",\"base_url\":\"http://x/v1\"}\n" +
            "{\"type\":\"turn_started\",\"turn_id\":1,\"prompt\":\"hi\",\"at\":\"2026-01-01T00:00:01Z\"}\n" +
            "{\"type\":\"item\",\"item\":{\"type\":\"message\",\"role\":\"user\",\"content\":\"hi\"}}\n" +
            "{\"type\":\"turn_completed\",\"turn_id\":1,\"at\":\"2026-01-01T00:00:02Z\",\"input_tokens\":1,\"cached_tokens\":0,\"output_tokens\":1}\n");
        var recorded = SessionReader.Read(path);
        Assert.Equal("m", recorded.Info.Model);
        Assert.Single(recorded.Items);
    }

    [Fact]
    public void Reader_SkipsLineTypesItDoesNotKnow()
    {
        // how a reader from before model_switched reads a newer file: lines of unknown types are passed over
        using var dir = new TempDirectory();
        string path = dir.File("session-new.jsonl");
        File.WriteAllText(path,
            "{\"type\":\"session_meta\",\"id\":\"d\",\"created_at\":\"2026-01-01T00:00:00Z\",\"cwd\":\"/\",\"model\":\"m\"}\n" +
            "{\"type\":\"some_future_record\",\"whatever\":[1,2,3]}\n" +
            "{\"type\":\"item\",\"item\":{\"type\":\"message\",\"role\":\"user\",\"content\":\"hi\"}}\n");
        var recorded = SessionReader.Read(path);
        Assert.Equal("m", recorded.Info.Model);
        Assert.Single(recorded.Items);
    }

    [Fact]
    public void Reader_TornLastLine_KeepsEverythingBeforeIt()
    {
        using var dir = new TempDirectory();
        string path = dir.File("session-y.jsonl");
        File.WriteAllText(path,
            "{\"type\":\"session_meta\",\"id\":\"b\",\"created_at\":\"2026-01-01T00:00:00Z\",\"cwd\":\"/\",\"model\":\"m\"}\n" +
            "{\"type\":\"item\",\"item\":{\"type\":\"message\",\"role\":\"user\",\"content\":\"hi\"}}\n{\"type\":\"it");
        Assert.Single(SessionReader.Read(path).Items);
    }

    [Fact]
    public void Find_UnknownId_SaysHowToListThem()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<ArgumentException>(() => SessionReader.Find(dir.Path, "nope"));
        Assert.Contains("spark sessions", e.Message);
        Assert.Contains("no sessions", Assert.Throws<ArgumentException>(() => SessionReader.Last(dir.Path)).Message);
    }
}

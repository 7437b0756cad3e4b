using System.Buffers;
using System.Text.Json;
using Spark.Agent.Loop;
using Spark.Protocol.Json;
using Spark.Protocol.Responses;

namespace Spark.Agent.Sessions;

/// <summary>
/// Appends a session's records to its JSONL file. Every record is written and fsynced before the call returns,
/// and the agent records each item before its next model request, so a crash loses nothing already shown.
/// </summary>
public sealed class SessionWriter : IDisposable
{
    private readonly FileStream _file;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;

    private SessionWriter(string id, string filePath, FileStream file)
    {
        Id = id;
        FilePath = filePath;
        _file = file;
        _json = new Utf8JsonWriter(_buffer);
    }

    /// <summary>The session id.</summary>
    public string Id { get; }

    /// <summary>The JSONL file.</summary>
    public string FilePath { get; }

    /// <summary>Starts a new session file under <c>ROOT/YYYY/MM/DD/</c> and writes its <c>session_meta</c> line.</summary>
    public static SessionWriter Create(string sessionsRoot, string cwd, string model, string? baseUrl, DateTimeOffset now)
    {
        string id = Guid.CreateVersion7(now).ToString();
        var utc = now.UtcDateTime;
        string folder = Path.Join(sessionsRoot, utc.ToString("yyyy", null), utc.ToString("MM", null), utc.ToString("dd", null));
        Directory.CreateDirectory(folder);
        string path = Path.Join(folder, $"session-{utc:yyyy-MM-ddTHH-mm-ss}-{id}.jsonl");
        var writer = new SessionWriter(id, path, new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read));
        writer.Write(json =>
        {
            json.WriteString("type", SessionRecord.Meta);
            json.WriteString("id", id);
            json.WriteString("created_at", now);
            json.WriteString("cwd", cwd);
            json.WriteString("model", model);
            if (baseUrl is not null) json.WriteString("base_url", baseUrl);
        });
        return writer;
    }

    /// <summary>Continues an existing session file (after <see cref="SessionReader.Read"/>).</summary>
    public static SessionWriter Append(SessionInfo session) =>
        new(session.Id, session.FilePath, new FileStream(session.FilePath, FileMode.Append, FileAccess.Write, FileShare.Read));

    /// <summary>Records the start of a user turn.</summary>
    public void TurnStarted(int turnId, string prompt, DateTimeOffset at) => Write(json =>
    {
        json.WriteString("type", SessionRecord.TurnStarted);
        json.WriteNumber("turn_id", turnId);
        json.WriteString("prompt", prompt);
        json.WriteString("at", at);
    });

    /// <summary>Records one conversation item.</summary>
    public void Item(ResponseItem item) => Write(json =>
    {
        json.WriteString("type", SessionRecord.Item);
        json.WritePropertyName("item");
        JsonSerializer.Serialize(json, item, ProtocolJsonContext.Default.ResponseItem);
    });

    /// <summary>Records the end of a user turn with its token counts.</summary>
    public void TurnCompleted(TurnCompleted turn, DateTimeOffset at) => Write(json =>
    {
        json.WriteString("type", SessionRecord.TurnCompleted);
        json.WriteNumber("turn_id", turn.TurnId);
        json.WriteString("at", at);
        json.WriteNumber("input_tokens", turn.Usage.InputTokens);
        json.WriteNumber("cached_tokens", turn.Usage.CachedTokens);
        json.WriteNumber("output_tokens", turn.Usage.OutputTokens);
    });

    /// <summary>Records that the conversation continues with <paramref name="model"/> (a resume picks the last one recorded).</summary>
    public void ModelSwitched(string model, DateTimeOffset at) => Write(json =>
    {
        json.WriteString("type", SessionRecord.ModelSwitched);
        json.WriteString("model", model);
        json.WriteString("at", at);
    });

    /// <summary>Records that the user interrupted a turn (its partial answer and the abort note are recorded as items).</summary>
    public void TurnAborted(int turnId, DateTimeOffset at) => Write(json =>
    {
        json.WriteString("type", SessionRecord.TurnAborted);
        json.WriteNumber("turn_id", turnId);
        json.WriteString("at", at);
    });

    private void Write(Action<Utf8JsonWriter> body)
    {
        _buffer.Clear();
        _json.Reset(_buffer);
        _json.WriteStartObject();
        body(_json);
        _json.WriteEndObject();
        _json.Flush();
        _file.Write(_buffer.WrittenSpan);
        _file.WriteByte((byte)'\n');
        _file.Flush(flushToDisk: true);
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        _json.Dispose();
        _file.Dispose();
    }
}

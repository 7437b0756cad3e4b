using System.Text.Json;
using Spark.Protocol.Json;
using Spark.Protocol.Responses;

namespace Spark.Agent.Sessions;

/// <summary>A session read back from its file: what it is and its conversation items in order.</summary>
/// <param name="Info">The summary.</param>
/// <param name="Items">The history, as it was sent and received.</param>
/// <param name="Turns">How many user turns it holds.</param>
public sealed record RecordedSession(SessionInfo Info, IReadOnlyList<ResponseItem> Items, int Turns);

/// <summary>Reads session JSONL files (the format <see cref="SessionWriter"/> writes) and finds them under the sessions folder.</summary>
public static class SessionReader
{
    /// <summary>Reads a whole session file.</summary>
    /// <exception cref="InvalidDataException">The file is not a session file; the message names the line.</exception>
    public static RecordedSession Read(string filePath)
    {
        string? id = null, cwd = null, model = null, lastPrompt = null;
        DateTimeOffset started = default;
        var items = new List<ResponseItem>();
        int turns = 0, lineNumber = 0;
        foreach (string line in File.ReadLines(filePath))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                switch (root.GetProperty("type").GetString())
                {
                    case SessionRecord.Meta:
                        id = root.GetProperty("id").GetString();
                        cwd = root.GetProperty("cwd").GetString();
                        model = root.GetProperty("model").GetString();
                        started = root.GetProperty("created_at").GetDateTimeOffset();
                        break;
                    case SessionRecord.TurnStarted:
                        turns++;
                        lastPrompt = root.GetProperty("prompt").GetString();
                        break;
                    case SessionRecord.Item:
                        items.Add(root.GetProperty("item").Deserialize(ProtocolJsonContext.Default.ResponseItem)!);
                        break;
                    case SessionRecord.ModelSwitched:
                        model = root.GetProperty("model").GetString() ?? model;
                        break;
                    // other types (turn ends, and line types newer than this reader) carry nothing a resume needs
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                // a crash can leave a torn last line: everything before it is intact and is what was shown
                if (lineNumber > 1 && IsLastLine(filePath, lineNumber)) break;
                throw new InvalidDataException($"{filePath}:{lineNumber}: not a Spark session record ({e.Message}).", e);
            }
        }
        if (id is null || cwd is null || model is null)
            throw new InvalidDataException($"{filePath}: no session_meta line; it is not a Spark session file.");
        var info = new SessionInfo(id, filePath, cwd, model, started, File.GetLastWriteTimeUtc(filePath), lastPrompt);
        return new RecordedSession(info, items, turns);
    }

    /// <summary>Every session under <paramref name="sessionsRoot"/>, newest first; unreadable files are skipped.</summary>
    public static IReadOnlyList<SessionInfo> List(string sessionsRoot)
    {
        if (!Directory.Exists(sessionsRoot)) return [];
        var sessions = new List<SessionInfo>();
        foreach (string file in Directory.EnumerateFiles(sessionsRoot, "session-*.jsonl", SearchOption.AllDirectories))
        {
            try
            {
                sessions.Add(Read(file).Info);
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                // not ours or unreadable: listing the rest is more useful than failing
            }
        }
        return [.. sessions.OrderByDescending(s => s.UpdatedAt)];
    }

    /// <summary>The session whose id is or starts with <paramref name="idOrPrefix"/>.</summary>
    /// <exception cref="ArgumentException">No session, or several, match.</exception>
    public static SessionInfo Find(string sessionsRoot, string idOrPrefix)
    {
        var matches = List(sessionsRoot).Where(s => s.Id.StartsWith(idOrPrefix.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new ArgumentException($"No session '{idOrPrefix}' under {sessionsRoot}; 'spark sessions' lists them."),
            _ => throw new ArgumentException($"'{idOrPrefix}' matches {matches.Count} sessions ({string.Join(", ", matches.Take(3).Select(s => s.Id))}…); give more of the id."),
        };
    }

    /// <summary>The most recently updated session.</summary>
    /// <exception cref="ArgumentException">There are none.</exception>
    public static SessionInfo Last(string sessionsRoot) =>
        List(sessionsRoot) is [var last, ..] ? last : throw new ArgumentException($"There are no sessions under {sessionsRoot} to resume yet.");

    private static bool IsLastLine(string filePath, int lineNumber) => File.ReadLines(filePath).Count() == lineNumber;
}

using System.Text.Json;

namespace Spark.Server.Tests;

/// <summary>One server-sent event: its <c>event:</c> name (null when absent) and its <c>data:</c>.</summary>
public sealed record ServerSentEvent(string? Event, string Data)
{
    public JsonElement Json => JsonDocument.Parse(Data).RootElement;
}

/// <summary>Reads an SSE stream into events, as a client would.</summary>
public static class ServerSentEvents
{
    public static async IAsyncEnumerable<ServerSentEvent> ReadAsync(Stream stream)
    {
        using var reader = new StreamReader(stream);
        string? name = null;
        var data = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Count > 0) yield return new ServerSentEvent(name, string.Join('\n', data));
                name = null;
                data.Clear();
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data.Add(line["data: ".Length..]);
            else if (!line.StartsWith(':')) throw new InvalidDataException($"not an SSE line: {line}");
        }
    }

    public static async Task<List<ServerSentEvent>> ReadAllAsync(HttpResponseMessage response)
    {
        var events = new List<ServerSentEvent>();
        await foreach (var e in ReadAsync(await response.Content.ReadAsStreamAsync())) events.Add(e);
        return events;
    }
}

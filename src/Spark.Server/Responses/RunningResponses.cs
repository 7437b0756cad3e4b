using System.Collections.Concurrent;

namespace Spark.Server.Responses;

/// <summary>The responses generating right now (HTTP and WebSocket), by id: what the cancel endpoint stops.</summary>
internal sealed class RunningResponses
{
    private readonly ConcurrentDictionary<string, ResponseControl> _byId = new(StringComparer.Ordinal);

    public int Count => _byId.Count;

    public void Add(ResponseControl control) => _byId[control.ResponseId] = control;

    public void Remove(ResponseControl control) => _byId.TryRemove(new KeyValuePair<string, ResponseControl>(control.ResponseId, control));

    public ResponseControl? Find(string id) => _byId.TryGetValue(id, out var control) ? control : null;
}

using System.Collections.Concurrent;
using Spark.Protocol.Responses;

namespace Spark.Server.Responses;

/// <summary>
/// Stored responses, in memory: what <c>GET /v1/responses/{id}</c> returns and what <c>previous_response_id</c>
/// continues from. Holds at most a fixed number; the oldest are forgotten first.
/// </summary>
internal sealed class ResponseStore(int capacity)
{
    private readonly ConcurrentDictionary<string, StoredResponse> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    public void Add(StoredResponse stored)
    {
        _byId[stored.Response.Id] = stored;
        _order.Enqueue(stored.Response.Id);
        while (_byId.Count > capacity && _order.TryDequeue(out var oldest)) _byId.TryRemove(oldest, out _);
    }

    public StoredResponse? Find(string id) => _byId.TryGetValue(id, out var stored) ? stored : null;

    public bool Remove(string id) => _byId.TryRemove(id, out _);
}

/// <summary>A finished response and the whole conversation up to and including its output (instructions excluded).</summary>
internal sealed record StoredResponse(ResponseObject Response, IReadOnlyList<ResponseItem> Conversation);

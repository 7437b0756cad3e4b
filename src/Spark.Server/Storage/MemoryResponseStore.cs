using System.Collections.Concurrent;

namespace Spark.Server.Storage;

/// <summary>Responses kept in this process only, at most <c>capacity</c> of them; the oldest are forgotten first.</summary>
internal sealed class MemoryResponseStore(int capacity) : IResponseStore
{
    private readonly ConcurrentDictionary<string, StoredResponse> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    public string Description => $"memory (the last {capacity} responses of this process)";

    public Task SaveAsync(StoredResponse stored, CancellationToken cancellationToken)
    {
        _byId[stored.Response.Id] = stored;
        _order.Enqueue(stored.Response.Id);
        while (_byId.Count > capacity && _order.TryDequeue(out var oldest)) _byId.TryRemove(oldest, out _);
        return Task.CompletedTask;
    }

    public Task<StoredResponse?> FindAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(_byId.TryGetValue(id, out var stored) ? stored : null);

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => Task.FromResult(_byId.TryRemove(id, out _));

    public void Dispose() { }
}

using System.Collections.Concurrent;

namespace Spark.Server.Routing;

/// <summary>
/// The replicas of one upstream model and the order a request tries them in: the replica its conversation used
/// last (session affinity: that replica holds the conversation's KV cache) while it is up, then the up replicas
/// with the fewest requests in flight, then down replicas whose backoff has passed. Failover walks this order.
/// </summary>
internal sealed class ReplicaSet
{
    private const int MaxRemembered = 100_000;
    private readonly ConcurrentDictionary<string, UpstreamReplica> _affinity = new(StringComparer.Ordinal);

    public ReplicaSet(IEnumerable<Uri> urls, TimeSpan baseBackoff) => Replicas = urls.Select(u => new UpstreamReplica(u, baseBackoff)).ToArray();

    public IReadOnlyList<UpstreamReplica> Replicas { get; }

    /// <summary>The replicas to try, best first; never empty (when all are down and backing off, all are tried anyway).</summary>
    public List<UpstreamReplica> Order(string? affinityKey)
    {
        var order = new List<UpstreamReplica>(Replicas.Count);
        if (affinityKey is not null && _affinity.TryGetValue(affinityKey, out var sticky) && sticky.Healthy) order.Add(sticky);
        var up = Replicas.Where(r => r.Healthy && !order.Contains(r)).ToList();
        // least in flight; ties keep configuration order, so an idle set sends to the first replica
        up.Sort((a, b) => a.InFlight != b.InFlight ? a.InFlight.CompareTo(b.InFlight) : IndexOf(a).CompareTo(IndexOf(b)));
        order.AddRange(up);
        order.AddRange(Replicas.Where(r => !r.Healthy && r.DueForRetry));
        if (order.Count == 0) order.AddRange(Replicas);
        return order;
    }

    /// <summary>Remembers that the conversation <paramref name="affinityKey"/> now lives on <paramref name="replica"/>.</summary>
    public void Stick(string? affinityKey, UpstreamReplica replica)
    {
        if (affinityKey is null) return;
        if (_affinity.Count >= MaxRemembered) _affinity.Clear(); // a bounded memory; conversations re-stick on their next turn
        _affinity[affinityKey] = replica;
    }

    private int IndexOf(UpstreamReplica replica)
    {
        for (int i = 0; i < Replicas.Count; i++) if (ReferenceEquals(Replicas[i], replica)) return i;
        return -1;
    }
}

namespace Spark.Server.Responses;

/// <summary>Opaque ids in OpenAI's style: a prefix and 32 random hex digits (<c>resp_…</c>, <c>msg_…</c>).</summary>
internal static class Ids
{
    public static string New(string prefix) => $"{prefix}_{Guid.NewGuid():N}";
}

using Spark.Protocol.Responses;

namespace Spark.Server.Storage;

/// <summary>
/// Where finished responses are kept: what <c>GET /v1/responses/{id}</c> returns and what <c>previous_response_id</c>
/// continues from. In memory for one process, or in SQLite / Redis so several Spark servers share conversations.
/// A store that cannot be reached throws an <see cref="Errors.ApiException"/> (503 <c>response_store_unavailable</c>).
/// </summary>
internal interface IResponseStore : IDisposable
{
    /// <summary>What and where, for the startup line and errors, e.g. <c>sqlite /home/u/.spark/responses.db</c> (never a password).</summary>
    string Description { get; }

    /// <summary>Keeps <paramref name="stored"/> under its response id, replacing one with the same id.</summary>
    Task SaveAsync(StoredResponse stored, CancellationToken cancellationToken);

    /// <summary>The response with <paramref name="id"/>, or null when it is not (or no longer) kept.</summary>
    Task<StoredResponse?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Forgets the response; false when it was not kept.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);
}

/// <summary>A finished response and the whole conversation up to and including its output (instructions excluded).</summary>
internal sealed record StoredResponse(ResponseObject Response, IReadOnlyList<ResponseItem> Conversation);

namespace Spark.Protocol.Responses;

/// <summary>The body of <c>DELETE /v1/responses/{id}</c>.</summary>
/// <param name="Id">The deleted response.</param>
public sealed record ResponseDeleted(string Id)
{
    /// <summary>Always <c>response.deleted</c>.</summary>
    public string Object { get; init; } = "response.deleted";

    /// <summary>Always true.</summary>
    public bool Deleted { get; init; } = true;
}

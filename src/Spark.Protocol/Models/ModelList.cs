namespace Spark.Protocol.Models;

/// <summary>The body of <c>GET /v1/models</c>.</summary>
/// <param name="Data">The models served.</param>
public sealed record ModelList(IReadOnlyList<ModelCard> Data)
{
    /// <summary>Always <c>list</c>.</summary>
    public string Object { get; init; } = "list";
}

/// <summary>One served model.</summary>
/// <param name="Id">The name requests use in <c>model</c>.</param>
/// <param name="Created">Unix seconds when the model was loaded.</param>
/// <param name="OwnedBy">Who serves it.</param>
/// <param name="ContextLength">Tokens the server's context holds for this model (prompt plus output); a Spark extension.</param>
public sealed record ModelCard(string Id, long Created, string OwnedBy, int ContextLength)
{
    /// <summary>Always <c>model</c>.</summary>
    public string Object { get; init; } = "model";
}

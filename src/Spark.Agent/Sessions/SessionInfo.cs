namespace Spark.Agent.Sessions;

/// <summary>What <c>spark sessions</c> shows about one recorded session.</summary>
/// <param name="Id">The session id (<c>spark exec --resume ID</c>).</param>
/// <param name="FilePath">The JSONL file.</param>
/// <param name="Cwd">The workspace it ran in.</param>
/// <param name="Model">The model it talked to last (after any <c>/model</c> switch): the one a resume continues with.</param>
/// <param name="StartedAt">When it began (UTC).</param>
/// <param name="UpdatedAt">When it was last written (UTC).</param>
/// <param name="LastPrompt">The last user prompt, or null when it has none yet.</param>
public sealed record SessionInfo(string Id, string FilePath, string Cwd, string Model, DateTimeOffset StartedAt, DateTimeOffset UpdatedAt, string? LastPrompt);

namespace Spark.Agent.Policy;

/// <summary>A tool was asked to touch a path that resolves (after <c>..</c> and symlinks) outside the workspace.</summary>
public sealed class PathOutsideWorkspaceException(string message) : Exception(message);

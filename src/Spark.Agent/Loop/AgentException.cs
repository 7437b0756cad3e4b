namespace Spark.Agent.Loop;

/// <summary>A turn could not finish for a reason that is not the server's (e.g. the model-request limit); the message says what and how to fix it.</summary>
public sealed class AgentException(string message) : Exception(message);

namespace Spark.Agent.Tools;

/// <summary>
/// The model called a tool with arguments that cannot be used (missing field, wrong type, value out of range).
/// The message is sent back to the model, so it says what is wrong and how to call the tool instead.
/// </summary>
public sealed class ToolArgumentException(string message) : Exception(message);

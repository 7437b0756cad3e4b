namespace Spark.Server.Config;

/// <summary>A <c>spark.toml</c> that cannot be used; the message names the file, the line and key, and the fix.</summary>
public sealed class ConfigException(string message) : ArgumentException(message);

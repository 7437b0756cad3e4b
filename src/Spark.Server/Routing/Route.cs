using Spark.Server.Backends;

namespace Spark.Server.Routing;

/// <summary>Where one request runs: the backend, the model a failure escalates to (if any), and why auto chose it.</summary>
internal sealed record Route(IModelBackend Backend, IModelBackend? EscalateTo = null, string? AutoReason = null);

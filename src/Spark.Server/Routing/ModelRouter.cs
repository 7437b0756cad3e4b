using Microsoft.Extensions.Logging;
using Spark.Server.Backends;
using Spark.Server.Errors;

namespace Spark.Server.Routing;

/// <summary>
/// The models a server offers by alias — local engines and upstream servers — plus <c>auto</c> when an
/// <see cref="AutoPolicy"/> is configured. Resolves a request's <c>model</c> to a <see cref="Route"/> and starts it,
/// retrying a failed fast turn once on the full model (escalation) when the policy allows.
/// </summary>
internal sealed class ModelRouter
{
    public const string AutoAlias = "auto";
    private readonly Dictionary<string, IModelBackend> _byAlias = new(StringComparer.Ordinal);

    public ModelRouter(IReadOnlyList<IModelBackend> models, AutoPolicy? auto, ILogger logger)
    {
        if (models.Count == 0) throw new ArgumentException("a server needs at least one model");
        Models = models;
        foreach (var model in models)
            if (!_byAlias.TryAdd(model.ModelId, model)) throw new ArgumentException($"model alias '{model.ModelId}' is defined twice");
        if (auto is not null)
        {
            if (!_byAlias.ContainsKey(auto.Fast)) throw new ArgumentException($"[auto] fast = \"{auto.Fast}\" names no model; define [models.{auto.Fast}] or set fast to one of: {string.Join(", ", _byAlias.Keys)}");
            if (!_byAlias.ContainsKey(auto.Full)) throw new ArgumentException($"[auto] full = \"{auto.Full}\" names no model; define [models.{auto.Full}] or set full to one of: {string.Join(", ", _byAlias.Keys)}");
            if (_byAlias.ContainsKey(AutoAlias)) throw new ArgumentException("a model may not be called 'auto' when [auto] is configured: that name is the router's");
        }
        Auto = auto;
        Logger = logger;
    }

    /// <summary>The served models, the default (the first) first.</summary>
    public IReadOnlyList<IModelBackend> Models { get; }

    public IModelBackend Default => Models[0];

    public AutoPolicy? Auto { get; }

    public RoutingMetrics Metrics { get; } = new();

    private ILogger Logger { get; }

    /// <summary>The names clients may send: the aliases, then <c>auto</c> when configured.</summary>
    public string Served => string.Join(", ", Models.Select(m => $"\"{m.ModelId}\"").Concat(Auto is null ? [] : [$"\"{AutoAlias}\""]));

    /// <summary>The route for <paramref name="model"/>; <paramref name="input"/> is read only for <c>auto</c>.</summary>
    public Route Resolve(string? model, Func<RouteInput> input)
    {
        if (string.IsNullOrWhiteSpace(model))
            throw ApiException.BadRequest($"Missing required parameter: 'model'. This server serves {Served}.", "model", "missing_required_parameter");
        if (Auto is { } auto && model == AutoAlias)
        {
            var (alias, reason) = auto.Choose(input());
            Metrics.AutoChose(alias);
            return RouteTo(_byAlias[alias], $"auto: {alias} ({reason})");
        }
        if (!_byAlias.TryGetValue(model, out var backend))
            throw ApiException.NotFound($"The model '{model}' does not exist. This server serves {Served} (see GET /v1/models).", "model", "model_not_found");
        return RouteTo(backend, null);
    }

    private Route RouteTo(IModelBackend backend, string? reason) =>
        Auto is { Escalate: true } auto && backend.ModelId == auto.Fast && auto.Fast != auto.Full
            ? new Route(backend, _byAlias[auto.Full], reason)
            : new Route(backend, null, reason);

    /// <summary>
    /// Starts the route's generation. A fast turn that cannot start (upstream unreachable or 5xx, context overflow)
    /// or fails before its first token starts again on the full model, once; the outcome then names the model and why.
    /// </summary>
    public async ValueTask<IGeneration> StartAsync(Route route, GenerationRequest request, CancellationToken cancellationToken)
    {
        IGeneration generation;
        try
        {
            generation = await route.Backend.StartAsync(request, cancellationToken);
        }
        catch (ApiException e) when (route.EscalateTo is { } full && Escalates(e))
        {
            string reason = $"{route.Backend.ModelId} -> {full.ModelId}: {e.Message}";
            Escalated(route.Backend, full, reason);
            IGeneration escalated;
            try
            {
                escalated = await full.StartAsync(request, cancellationToken);
            }
            catch (ApiException failed)
            {
                // the client hears both: why the fast model was left and why the full one could not take the turn
                throw new ApiException(failed.Status, failed.Type, failed.Code, failed.Param, $"{e.Message}; escalation to '{full.ModelId}' failed too: {failed.Message}");
            }
            return new EscalatingGeneration(escalated, null, request, cancellationToken, this) { EscalatedTo = full.ModelId, Reason = reason };
        }
        return route.EscalateTo is { } to ? new EscalatingGeneration(generation, (route.Backend, to), request, cancellationToken, this) : generation;
    }

    private static bool Escalates(ApiException e) => e.Status >= 500 || e.Code == "context_length_exceeded";

    internal void Retried(IModelBackend model, string reason) => Hosting.ServerLog.RetriedTurn(Logger, model.ModelId, reason);

    internal void Escalated(IModelBackend from, IModelBackend to, string reason)
    {
        Metrics.Escalated(from.ModelId, to.ModelId);
        Hosting.ServerLog.Escalated(Logger, from.ModelId, to.ModelId, reason);
    }
}

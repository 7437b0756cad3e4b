using Microsoft.Extensions.Logging;

namespace Spark.Server.Hosting;

/// <summary>The server's log messages, source-generated, with stable event ids.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "request {Method} {Path} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "could not report an error on a response already started: {Message}")]
    public static partial void ErrorAfterStart(ILogger logger, string message);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "chat template: {Message}")]
    public static partial void ChatTemplateWarning(ILogger logger, string message);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "generation failed")]
    public static partial void GenerationFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "{Endpoint} {Status}: prompt {PromptTokens} tokens ({CachedTokens} cached), {OutputTokens} generated")]
    public static partial void GenerationDone(ILogger logger, string endpoint, string status, int promptTokens, int cachedTokens, int outputTokens);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "a WebSocket request failed")]
    public static partial void WebSocketRequestFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "tools Spark cannot run are left out of the prompt: {Tools}")]
    public static partial void ToolsSkipped(ILogger logger, string tools);

    [LoggerMessage(EventId = 20, Level = LogLevel.Error, Message = "response {Id} could not be stored; previous_response_id will not find it: {Message}")]
    public static partial void StoreFailed(ILogger logger, string id, string message);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "responses are stored in {Store}")]
    public static partial void StoreOpened(ILogger logger, string store);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "truncation auto: dropped the oldest {Dropped} of {Turns} turns, prompt {Before} -> {After} tokens (context {Context})")]
    public static partial void Truncated(ILogger logger, int dropped, int turns, int before, int after, int context);

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "upstream of model '{Model}' failed: {Error}")]
    public static partial void UpstreamFailed(ILogger logger, string model, string error);

    [LoggerMessage(EventId = 23, Level = LogLevel.Information, Message = "model '{Model}' escalated to '{To}': {Reason}")]
    public static partial void Escalated(ILogger logger, string model, string to, string reason);

    [LoggerMessage(EventId = 24, Level = LogLevel.Information, Message = "model '{Model}' retries the turn: {Reason}")]
    public static partial void RetriedTurn(ILogger logger, string model, string reason);
}

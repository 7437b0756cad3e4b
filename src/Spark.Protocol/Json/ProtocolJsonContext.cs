using System.Text.Json.Serialization;
using Spark.Protocol.Chat;
using Spark.Protocol.Errors;
using Spark.Protocol.Models;
using Spark.Protocol.Responses;

namespace Spark.Protocol.Json;

/// <summary>
/// The one source-generated JSON context for every wire type: snake_case names, nulls left out unless a type says
/// otherwise, unknown input fields ignored.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(ResponseCreateRequest))]
[JsonSerializable(typeof(ResponseObject))]
[JsonSerializable(typeof(ResponseItem))]
[JsonSerializable(typeof(List<ResponseItem>))]
[JsonSerializable(typeof(ContentPart))]
[JsonSerializable(typeof(ResponseLifecycleEvent))]
[JsonSerializable(typeof(OutputItemEvent))]
[JsonSerializable(typeof(ContentPartEvent))]
[JsonSerializable(typeof(OutputTextDeltaEvent))]
[JsonSerializable(typeof(OutputTextDoneEvent))]
[JsonSerializable(typeof(ResponseErrorEvent))]
[JsonSerializable(typeof(ResponseSteerRequest))]
[JsonSerializable(typeof(SteerAcceptedEvent))]
[JsonSerializable(typeof(SteerPendingEvent))]
[JsonSerializable(typeof(SteerFailedEvent))]
[JsonSerializable(typeof(WebSocketErrorEvent))]
[JsonSerializable(typeof(FunctionCallArgumentsDeltaEvent))]
[JsonSerializable(typeof(FunctionCallArgumentsDoneEvent))]
[JsonSerializable(typeof(CustomToolCallInputDeltaEvent))]
[JsonSerializable(typeof(CustomToolCallInputDoneEvent))]
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(ChatCompletion))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(HealthStatus))]
[JsonSerializable(typeof(ResponseDeleted))]
[JsonSerializable(typeof(ErrorResponse))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;

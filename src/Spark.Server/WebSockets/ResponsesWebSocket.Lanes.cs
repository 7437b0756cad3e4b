using System.Net.WebSockets;
using Spark.Protocol.Responses;
using Spark.Server.Backends;
using Spark.Server.Errors;
using Spark.Server.Responses;
using Spark.Server.Storage;
using Spark.Server.Routing;

namespace Spark.Server.WebSockets;

// Running response.create requests in lanes: the lane limit, continuations, prewarm (generate: false) and the
// successors that steering starts.
internal sealed partial class ResponsesWebSocket
{
    private void StartCreate(ResponseCreateRequest request)
    {
        string key = request.StreamId ?? "";
        WebSocketLane? lane;
        lock (_state)
        {
            if (!_lanes.TryGetValue(key, out lane))
            {
                int busy = 0;
                foreach (var other in _lanes.Values) if (other.Pending > 0) busy++;
                if (busy >= server.Options.WebSocketMaxLanes)
                {
                    lane = null;
                }
                else
                {
                    lane = new WebSocketLane(key, request.StreamId, new WebSocketEventSink(this, request.StreamId));
                    _lanes[key] = lane;
                }
            }
            if (lane is not null)
            {
                lane.Pending++;
                var current = lane;
                lane.Tail = lane.Tail.ContinueWith(_ => RunInLaneAsync(current, request), CancellationToken.None,
                    TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            }
        }
        if (lane is null)
            _ = RefuseAsync(request.StreamId, new ApiException(429, "invalid_request_error", "websocket_connection_limit_reached", "stream_id",
                $"This connection already runs {server.Options.WebSocketMaxLanes} lanes (stream_id) at once, the most it allows; wait for one to finish or open another connection."));
    }

    /// <summary>One request of a lane, start to end; never throws (failures become <c>error</c> events).</summary>
    private async Task RunInLaneAsync(WebSocketLane lane, ResponseCreateRequest request)
    {
        try
        {
            IReadOnlyList<ResponseItem> history = [];
            var input = new List<ResponseItem>();
            if (request.PreviousResponseId is { } previousId)
            {
                history = await FindConversationAsync(previousId);
                input.AddRange(TakeWaitingSteers(previousId)); // steering queued while the response waited for tool outputs
            }
            input.AddRange(request.Input?.Items ?? []);
            var conversation = ResponseSetup.Conversation(history, input);
            var route = ResponseSetup.Validate(server, request, conversation);
            if (request.Generate == false) await PrewarmAsync(lane, route, request, conversation);
            else await GenerateAsync(lane, route, request, conversation);
        }
        catch (ApiException e)
        {
            await SendOnceAsync(lane.StreamId, sink => sink.WriteError(ErrorEvent(e)));
        }
        catch (Exception e) when (e is WebSocketException || (_closed.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException))
        {
            // the client went away (a send can fail before the receive loop notices)
        }
        catch (Exception e)
        {
            LogFailure(e);
            await SendOnceAsync(lane.StreamId, sink => sink.WriteError(ErrorEvent(ApiErrors.From(e))));
        }
        finally
        {
            lock (_state)
            {
                if (--lane.Pending == 0) _lanes.Remove(lane.Key);
            }
        }
    }

    /// <summary>
    /// <c>generate: false</c>: prefills the prompt into a KV cache (so the next turn starts warm) and completes at once
    /// with an empty output.
    /// </summary>
    private async Task PrewarmAsync(WebSocketLane lane, Route route, ResponseCreateRequest request, List<ResponseItem> conversation)
    {
        var backend = route.Backend;
        var shell = ResponseSetup.Shell(request, backend.ModelId);
        using var control = new ResponseControl(shell.Id, _closed.Token);
        // an upstream keeps its own caches: prewarming it is a no-op that completes at once
        using var generation = backend is UpstreamBackend
            ? new PrewarmedUpstream()
            : backend.Start(ResponseSetup.Generation(request, conversation, ResponseSetup.Tools(server, request), prefillOnly: true), control.Token);
        int sequence = 0;
        lane.Sink.Write(new ResponseLifecycleEvent(ResponseEventTypes.Created, sequence++, shell));
        lane.Sink.Write(new ResponseLifecycleEvent(ResponseEventTypes.InProgress, sequence++, shell));
        await lane.Sink.FlushAsync(_closed.Token);
        GenerationStep step;
        do step = await generation.NextAsync(_closed.Token); while (step.Kind != GenerationStepKind.Finished);
        var outcome = step.Outcome!;
        var final = shell with
        {
            Status = outcome.Reason == FinishReason.Stop ? ResponseStatus.Completed : ResponseStatus.Failed,
            Error = outcome.Reason == FinishReason.Stop ? null : new ResponseError("server_error", $"prefill failed: {outcome.Error?.Message ?? outcome.Reason.ToString()}"),
            Usage = ResponseUsage.Of(outcome.PromptTokens, outcome.CachedTokens, 0),
        };
        await server.PersistAsync(final, conversation);
        lane.Sink.Write(new ResponseLifecycleEvent(final.Status == ResponseStatus.Completed ? ResponseEventTypes.Completed : ResponseEventTypes.Failed, sequence, final));
        await lane.Sink.FlushAsync(_closed.Token);
        Hosting.ServerLog.GenerationDone(server.Logger, "websocket prewarm", final.Status, outcome.PromptTokens, outcome.CachedTokens, 0);
        Remember(new StoredResponse(final, conversation), lane.StreamId);
    }

    /// <summary>
    /// Runs the response, then — when steering input was accepted for it — its successors: each continues the same
    /// conversation (and KV cache) with the queued input appended, as a new response whose
    /// <c>previous_response_id</c> is the steered one and which inherits its settings.
    /// </summary>
    private async Task GenerateAsync(WebSocketLane lane, Route route, ResponseCreateRequest request, List<ResponseItem> conversation)
    {
        var backend = route.Backend;
        var shell = ResponseSetup.Shell(request, backend.ModelId);
        var tools = ResponseSetup.Tools(server, request);
        var generationRequest = ResponseSetup.Generation(request, conversation, tools);
        List<AcceptedSteer>? committing = null; // the steering input a successor commits (null: the client's own request)
        while (true)
        {
            var active = new ActiveResponse(new ResponseControl(shell.Id, _closed.Token), lane.StreamId);
            ResponseObject final;
            GenerationContinuation? continuation;
            using (active.Control)
            {
                IGeneration generation;
                try
                {
                    generation = await server.Router.StartAsync(route, generationRequest, active.Control.Token);
                }
                catch (ApiException e) when (committing is not null)
                {
                    foreach (var steer in committing)
                        await SendSteerFailedAsync(lane.StreamId, steer.Id, steer.ResponseId, steer.Input, SteerErrorCodes.SuccessorCreationFailed, $"The successor response could not start: {e.Message}");
                    return;
                }
                lock (_state) _running[shell.Id] = active;
                server.Running.Add(active.Control);
                try
                {
                    using (generation)
                    {
                        var history = conversation.ToList();
                        var sink = new PersistingEventSink(lane.Sink, async (finished, _) =>
                        {
                            await server.PersistAsync(finished, history);
                            // its terminal event goes out next: a client may steer it at once, while the runner is still
                            // returning, and must then find it finished (or waiting for its tool outputs)
                            Remember(new StoredResponse(finished, [.. history, .. finished.Output]), lane.StreamId);
                            lock (_state) active.Ended = finished;
                        });
                        var runner = new ResponseRunner(shell, generation, sink, server.Options.HeartbeatInterval, active.Control, tools);
                        final = await runner.RunAsync(_closed.Token);
                        var outcome = runner.Outcome!;
                        Hosting.ServerLog.GenerationDone(server.Logger, "websocket", final.Status, outcome.PromptTokens, outcome.CachedTokens, outcome.OutputTokens);
                        continuation = generation.Continuation(runner.Message?.Text() ?? "");
                    }
                }
                finally
                {
                    server.Running.Remove(active.Control);
                    lock (_state)
                    {
                        _running.Remove(shell.Id);
                        active.Closed = true;
                    }
                }
                active.Control.Complete(final);
            }
            conversation.AddRange(final.Output);
            Remember(new StoredResponse(final, conversation.ToList()), lane.StreamId);

            var steers = active.Steers; // no more are added once Closed is set
            if (steers.Count == 0) return;
            foreach (var steer in steers) await steer.Acknowledged; // the client hears "accepted" before what follows from it
            if (final.Status is ResponseStatus.Failed or ResponseStatus.Cancelled)
            {
                foreach (var steer in steers)
                    await SendSteerFailedAsync(lane.StreamId, steer.Id, steer.ResponseId, steer.Input, SteerErrorCodes.ResponseNotActive, $"Response '{final.Id}' ended {final.Status}; no successor was started.");
                return;
            }
            var calls = RequiredToolOutputs.Of(final.Output);
            if (calls.Count > 0)
            {
                QueueUntilToolOutputs(final.Id, steers);
                foreach (var steer in steers) await SendSteerPendingAsync(lane.StreamId, steer, calls);
                return;
            }

            // the successor: the steered response's conversation plus the steering input, from the same KV cache
            var steerInput = steers.SelectMany(s => s.Items).ToList();
            conversation.AddRange(steerInput);
            request = request with { PreviousResponseId = final.Id, Input = new ResponseInput(steerInput), Generate = null };
            shell = ResponseSetup.Shell(request, backend.ModelId);
            generationRequest = ResponseSetup.Generation(request, conversation, tools) with { ContinueFrom = continuation };
            committing = steers;
        }
    }
}

/// <summary>The prewarm of an upstream model: nothing to do, finished at once.</summary>
internal sealed class PrewarmedUpstream : IGeneration
{
    public ValueTask<GenerationStep> NextAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(GenerationStep.Finished(new GenerationOutcome(FinishReason.Stop, 0, 0, 0)));

    public void Dispose() { }
}

using System.Diagnostics;
using Spark.Agent.Client;
using Spark.Agent.Policy;
using Spark.Agent.Sessions;
using Spark.Agent.Tools;
using Spark.Protocol.Responses;

namespace Spark.Agent.Loop;

/// <summary>
/// Runs user turns: sends the prompt with the tool declarations, streams the answer out as events, runs each
/// function call the policy allows, sends the outputs back, and repeats until a response makes no tool calls.
/// Every item is recorded in the session (fsynced) before the next model request.
/// </summary>
public sealed class AgentLoop(ResponsesClient client, ToolRegistry tools, ApprovalPolicy policy, AgentLoopOptions options, SessionWriter? session = null)
{
    private int _turns;
    private bool _noticeShown;
    private bool _prewarmed;

    /// <summary>The function-tool declarations for a registry, as the Responses API takes them.</summary>
    public static IReadOnlyList<ResponseTool> Declarations(ToolRegistry registry) =>
        [.. registry.Specs.Select(s => new ResponseTool { Type = "function", Name = s.Name, Description = s.Description, Parameters = s.Parameters, Strict = false })];

    /// <summary>Continues a previous conversation: its items are sent (in full) with the next request.</summary>
    public void Restore(RecordedSession recorded)
    {
        foreach (var item in recorded.Items) client.Add(item);
        _turns = recorded.Turns;
    }

    /// <summary>Runs one user turn to its final answer, reporting progress to <paramref name="onEvent"/>.</summary>
    /// <exception cref="ResponsesApiException">The model server failed.</exception>
    /// <exception cref="AgentException">The turn hit <see cref="AgentLoopOptions.MaxModelRequests"/>.</exception>
    public async Task<TurnCompleted> RunTurnAsync(string prompt, Action<AgentEvent> onEvent, CancellationToken cancellationToken)
    {
        var wall = Stopwatch.StartNew();
        int turnId = ++_turns;
        if (!_noticeShown && policy.SandboxWarning is { } warning)
        {
            _noticeShown = true;
            onEvent(new AgentNotice(warning));
        }
        onEvent(new TurnStarted(turnId, prompt));
        session?.TurnStarted(turnId, prompt, DateTimeOffset.UtcNow);
        Record(new MessageItem { Role = "user", Content = [ContentPart.InputText(prompt)] });

        TimeSpan prefill = TimeSpan.Zero, generation = TimeSpan.Zero, toolTime = TimeSpan.Zero;
        int input = 0, cached = 0, output = 0, toolCalls = 0;
        bool serverTimed = true;
        void OnDelta(string delta) => onEvent(new TextDelta(delta));
        void OnSteer(SteerUpdate update) => onEvent(new SteerUpdated(update));

        if (!_prewarmed)
        {
            // the session's first request: let the server prefill and cache it at once (WebSocket only), then generate
            _prewarmed = true;
            var clock = Stopwatch.StartNew();
            if (await client.PrewarmAsync(cancellationToken).ConfigureAwait(false)) prefill += clock.Elapsed;
        }

        for (int request = 1; request <= options.MaxModelRequests; request++)
        {
            int before = client.History.Count;
            var response = await client.SendAsync(OnDelta, cancellationToken, OnSteer).ConfigureAwait(false);
            for (int i = before; i < client.History.Count; i++) session?.Item(client.History[i]);
            var split = RequestTimeSplit.Of(response);
            prefill += split.Prefill;
            generation += split.Generation;
            serverTimed &= split.FromServer;
            if (response.Response.Usage is { } usage)
            {
                input += usage.InputTokens;
                cached += usage.InputTokensDetails.CachedTokens;
                output += usage.OutputTokens;
            }

            var calls = response.FunctionCalls;
            if (calls.Count == 0)
            {
                var timing = new TurnTiming(wall.Elapsed, prefill, generation, toolTime,
                    Max(wall.Elapsed - prefill - generation - toolTime), serverTimed ? "server" : "client");
                var completed = new TurnCompleted(turnId, response.Response.OutputText(), request, toolCalls,
                    new TurnUsage(input, cached, output), timing, response.Response.IncompleteDetails?.Reason);
                session?.TurnCompleted(completed, DateTimeOffset.UtcNow);
                onEvent(completed);
                return completed;
            }

            foreach (var call in calls)
            {
                toolCalls++;
                var clock = Stopwatch.StartNew();
                onEvent(new ToolCallRequested(call.CallId, call.Name, call.Arguments));
                var (text, isError, approval) = await RunCallAsync(call, cancellationToken).ConfigureAwait(false);
                toolTime += clock.Elapsed;
                onEvent(new ToolCallFinished(call.CallId, call.Name, text, isError, approval, clock.Elapsed));
                Record(new FunctionCallOutputItem { CallId = call.CallId, Output = text });
            }
        }
        throw new AgentException(
            $"The turn stopped after {options.MaxModelRequests} model requests without a final answer (the model kept calling tools). Ask again with a narrower task.");
    }

    /// <summary>
    /// Steers the running turn: <paramref name="text"/> goes to the response being written (WebSocket only); the
    /// server's answer arrives in the turn's events as <see cref="SteerUpdated"/>, and after an accepted steer the text
    /// continues from the successor response. Never turned into a new turn: a steer with no response running is refused.
    /// </summary>
    /// <returns>Null when sent, else why it could not be (HTTP transport, no response running, connection broke).</returns>
    public async Task<string?> SteerAsync(string text, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(text)) return "The steering text is empty.";
        if (!client.SupportsSessionFeatures)
            return $"Steering needs the WebSocket transport; this session uses {client.TransportName}, where the server cannot be told anything mid-response.";
        try
        {
            await client.SteerAsync(text, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
        catch (ResponsesApiException e)
        {
            return e.Message;
        }
    }

    private async Task<(string Output, bool IsError, string Approval)> RunCallAsync(FunctionCallItem call, CancellationToken cancellationToken)
    {
        var toolCall = new ToolCall(call.Name, call.Arguments);
        switch (policy.Evaluate(toolCall))
        {
            case ApprovalDecision.Deny deny:
                return ($"Not run: the approval policy refused this call. {deny.Reason}", true, "denied");
            case ApprovalDecision.AskUser ask:
                bool approved = options.Approver is { } approver && await approver(toolCall, ask, cancellationToken).ConfigureAwait(false);
                if (!approved)
                {
                    string why = options.Approver is null
                        ? $"Not run: this call needs the user's approval ({ask.Reason}), and this non-interactive session has nobody to ask. " +
                          "Finish the task without it if you can; the user can allow such calls with --ask-for-approval never."
                        : $"Not run: the user declined this call ({ask.Reason}).";
                    return (why, true, "not_approved");
                }
                break;
        }
        var result = await tools.InvokeAsync(call.Name, call.Arguments, cancellationToken).ConfigureAwait(false);
        return (result.Output, result.IsError, "allowed");
    }

    private void Record(ResponseItem item)
    {
        client.Add(item);
        session?.Item(item);
    }

    private static TimeSpan Max(TimeSpan value) => value < TimeSpan.Zero ? TimeSpan.Zero : value;
}

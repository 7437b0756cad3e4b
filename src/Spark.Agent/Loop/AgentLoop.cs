using System.Diagnostics;
using System.Text;
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
    private readonly Lock _steerLock = new();
    private readonly List<string> _heldSteers = []; // steering input waiting for the turn's next model request
    private bool _turnRunning;
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

    /// <summary>The text recorded (as a user message) after an interrupted turn, so the model knows it was cut short.</summary>
    public const string TurnAbortedNote =
        "<turn_aborted>\nThe user interrupted the previous turn before it finished. Its last answer was cut short, and tool " +
        "calls without a result did not run or were killed. Do not assume they took effect; wait for the user's next message.\n</turn_aborted>";

    /// <summary>True while a turn runs (steering input is taken only then).</summary>
    public bool IsTurnRunning
    {
        get { lock (_steerLock) return _turnRunning; }
    }

    /// <summary>Runs one user turn to its final answer, reporting progress to <paramref name="onEvent"/>.</summary>
    /// <exception cref="ResponsesApiException">The model server failed.</exception>
    /// <exception cref="AgentException">The turn hit <see cref="AgentLoopOptions.MaxModelRequests"/>.</exception>
    /// <exception cref="OperationCanceledException">
    /// The user interrupted the turn: the partial answer and the abort were recorded (<see cref="TurnAborted"/> was reported first).
    /// </exception>
    public async Task<TurnCompleted> RunTurnAsync(string prompt, Action<AgentEvent> onEvent, CancellationToken cancellationToken)
    {
        lock (_steerLock)
        {
            if (_turnRunning) throw new InvalidOperationException("A turn is already running; steer it or wait for it to end.");
            _turnRunning = true;
        }
        int turnId = ++_turns;
        var partial = new StringBuilder(); // the text of the response streaming now (kept if the user interrupts)
        var unanswered = new List<FunctionCallItem>(); // calls of the last response whose outputs are not recorded yet
        try
        {
            return await RunTurnCoreAsync(turnId, prompt, onEvent, partial, unanswered, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            RecordAbort(turnId, partial.ToString(), unanswered);
            onEvent(new TurnAborted(turnId, partial.ToString()));
            throw;
        }
        finally
        {
            List<string> late;
            lock (_steerLock)
            {
                _turnRunning = false;
                late = [.. _heldSteers];
                _heldSteers.Clear();
            }
            foreach (string text in late) onEvent(new SteerTooLate(text));
        }
    }

    private async Task<TurnCompleted> RunTurnCoreAsync(int turnId, string prompt, Action<AgentEvent> onEvent, StringBuilder partial,
        List<FunctionCallItem> unanswered, CancellationToken cancellationToken)
    {
        var wall = Stopwatch.StartNew();
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
        void OnDelta(string delta)
        {
            partial.Append(delta);
            onEvent(new TextDelta(delta));
        }
        void OnSteer(SteerUpdate update)
        {
            if (update is ResponseSteered) partial.Clear(); // the steered response's text is in the history; the successor's follows
            onEvent(new SteerUpdated(update));
        }

        if (!_prewarmed)
        {
            // the session's first request: let the server prefill and cache it at once (WebSocket only), then generate
            _prewarmed = true;
            var clock = Stopwatch.StartNew();
            if (await client.PrewarmAsync(cancellationToken).ConfigureAwait(false)) prefill += clock.Elapsed;
        }

        for (int request = 1; request <= options.MaxModelRequests; request++)
        {
            InjectHeldSteers(onEvent);
            int before = client.History.Count;
            partial.Clear();
            var response = await client.SendAsync(OnDelta, cancellationToken, OnSteer).ConfigureAwait(false);
            partial.Clear();
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
                onEvent(new ModelRequestCompleted(usage.InputTokens, usage.InputTokensDetails.CachedTokens, usage.OutputTokens, split.Prefill, split.Prefill + split.Generation));
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

            unanswered.AddRange(calls);
            foreach (var call in calls)
            {
                toolCalls++;
                var clock = Stopwatch.StartNew();
                onEvent(new ToolCallRequested(call.CallId, call.Name, call.Arguments));
                var (text, isError, approval, changes) = await RunCallAsync(call, cancellationToken).ConfigureAwait(false);
                toolTime += clock.Elapsed;
                onEvent(new ToolCallFinished(call.CallId, call.Name, text, isError, approval, clock.Elapsed, changes));
                Record(new FunctionCallOutputItem { CallId = call.CallId, Output = text });
                unanswered.Remove(call);
                cancellationToken.ThrowIfCancellationRequested(); // an interrupted tool ends the turn: the rest do not run
            }
        }
        throw new AgentException(
            $"The turn stopped after {options.MaxModelRequests} model requests without a final answer (the model kept calling tools). Ask again with a narrower task.");
    }

    /// <summary>
    /// Steers the running turn, never starting a new one. While a response streams over a WebSocket, <paramref name="text"/>
    /// is sent as <c>response.steer</c> and the server's answer arrives in the turn's events as <see cref="SteerUpdated"/>
    /// (after an accepted steer the text continues from the successor response). Otherwise (a tool is running, or the
    /// transport is HTTP) the loop holds it and puts it in the history before the turn's next model request
    /// (<see cref="SteerInjected"/>); if the turn ends first it is reported as <see cref="SteerTooLate"/>.
    /// </summary>
    /// <returns>Null when sent or held, else why not (no turn running: too late; the connection broke).</returns>
    public async Task<string?> SteerAsync(string text, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(text)) return "The steering text is empty.";
        lock (_steerLock)
        {
            if (!_turnRunning) return TooLate;
            if (!client.SupportsSessionFeatures || client.RunningResponseId is null)
            {
                _heldSteers.Add(text);
                return null;
            }
        }
        try
        {
            await client.SteerAsync(text, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (InvalidOperationException)
        {
            // the response ended between the check and the send: hold it for the turn's next request, if there is one
            lock (_steerLock)
            {
                if (!_turnRunning) return TooLate;
                _heldSteers.Add(text);
                return null;
            }
        }
        catch (ResponsesApiException e)
        {
            return e.Message;
        }
    }

    private const string TooLate = "No turn is running: the turn already ended, so this steer is too late; send it as a new message instead.";

    private void InjectHeldSteers(Action<AgentEvent> onEvent)
    {
        List<string> held;
        lock (_steerLock)
        {
            held = [.. _heldSteers];
            _heldSteers.Clear();
        }
        foreach (string text in held)
        {
            Record(new MessageItem { Role = "user", Content = [ContentPart.InputText(text)] });
            onEvent(new SteerInjected(text));
        }
    }

    private void RecordAbort(int turnId, string partialText, List<FunctionCallItem> unanswered)
    {
        if (partialText.Length > 0)
            Record(new MessageItem { Role = "assistant", Status = "incomplete", Content = [ContentPart.OutputText(partialText)] });
        foreach (var call in unanswered)
            Record(new FunctionCallOutputItem { CallId = call.CallId, Output = "Not run: the user interrupted the turn before this call ran." });
        Record(new MessageItem { Role = "user", Content = [ContentPart.InputText(TurnAbortedNote)] });
        session?.TurnAborted(turnId, DateTimeOffset.UtcNow);
    }

    private async Task<(string Output, bool IsError, string Approval, IReadOnlyList<FileChange>? Changes)> RunCallAsync(FunctionCallItem call, CancellationToken cancellationToken)
    {
        // An interrupt that lands after the call was announced but before the tool starts must stop it from starting:
        // the tool would otherwise be handed an already-cancelled token, and a command started that way runs (at least
        // partly) although the user pressed Esc before it began. The call is then recorded as not run.
        cancellationToken.ThrowIfCancellationRequested();
        var toolCall = new ToolCall(call.Name, call.Arguments);
        switch (policy.Evaluate(toolCall))
        {
            case ApprovalDecision.Deny deny:
                return ($"Not run: the approval policy refused this call. {deny.Reason}", true, "denied", null);
            case ApprovalDecision.AskUser ask:
                bool approved = options.Approver is { } approver && await approver(toolCall, ask, cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested(); // interrupted while (or right after) the user was asked
                if (!approved)
                {
                    string why = options.Approver is null
                        ? $"Not run: this call needs the user's approval ({ask.Reason}), and this non-interactive session has nobody to ask. " +
                          "Finish the task without it if you can; the user can allow such calls with --ask-for-approval never."
                        : $"Not run: the user declined this call ({ask.Reason}).";
                    return (why, true, "not_approved", null);
                }
                break;
        }
        var result = await tools.InvokeAsync(call.Name, call.Arguments, cancellationToken).ConfigureAwait(false);
        return (result.Output, result.IsError, "allowed", result.FileChanges);
    }

    private void Record(ResponseItem item)
    {
        client.Add(item);
        session?.Item(item);
    }

    private static TimeSpan Max(TimeSpan value) => value < TimeSpan.Zero ? TimeSpan.Zero : value;
}

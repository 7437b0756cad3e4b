using System.Diagnostics;

namespace Spark.Cli.Bench.Latency;

/// <summary>
/// Runs agent-like conversations over each transport in turn: K turns, each continuing the previous response with
/// <c>previous_response_id</c>, C conversations at once.
/// </summary>
internal sealed class LatencyBenchmark
{
    private readonly LatencyBenchOptions _options;
    private readonly Action<string> _progress;
    private readonly Func<TransportResult, CancellationToken, EngineReplayResult?>? _engineAlone;
    private readonly string _runTag = Guid.NewGuid().ToString("N")[..8];

    /// <param name="options">What to run.</param>
    /// <param name="progress">Receives one line per finished turn (stderr in the CLI).</param>
    /// <param name="engineAlone">
    /// With a server this process runs: replays a transport's decode work on the engine alone; called after each
    /// transport of the first level, before the next starts (so the baseline is measured minutes, not a run, away).
    /// </param>
    public LatencyBenchmark(LatencyBenchOptions options, Action<string> progress, Func<TransportResult, CancellationToken, EngineReplayResult?>? engineAlone = null)
    {
        _options = options;
        _progress = progress;
        _engineAlone = engineAlone;
    }

    /// <summary>
    /// Every concurrency level in the order given; at each, every transport in turn (so the transports of one level
    /// are measured minutes apart, not a whole run apart). Each transport is warmed up once, before its first level.
    /// </summary>
    public async Task<IReadOnlyList<LevelResult>> RunAsync(CancellationToken cancellationToken)
    {
        using var pooled = _options.Transports.Contains(BenchTransport.HttpKeepAlive) ? HttpConversationChannel.CreatePooledClient() : null;
        var levels = new List<LevelResult>();
        foreach (int concurrency in _options.Concurrency)
        {
            var results = new List<TransportResult>();
            foreach (var transport in _options.Transports)
            {
                var client = transport == BenchTransport.HttpKeepAlive ? pooled : null;
                if (levels.Count == 0)
                {
                    // one unmeasured two-turn conversation first: JIT of the client and server paths, and the keep-alive
                    // connection, are not what a long-running agent pays per turn
                    string warmup = $"{_runTag}-{BenchTransportNames.Name(transport)}-warmup";
                    await RunLevelAsync(transport, client, 1, 2, warmup, static _ => { }, cancellationToken).ConfigureAwait(false);
                }
                var result = await RunTransportAsync(transport, client, concurrency, cancellationToken).ConfigureAwait(false);
                if (levels.Count == 0 && _engineAlone is { } replay)
                {
                    _progress($"{BenchTransportNames.Name(transport),-20} engine alone: replaying its decode steps, server idle");
                    result = result with { EngineAlone = await Task.Run(() => replay(result, cancellationToken), cancellationToken).ConfigureAwait(false) };
                }
                results.Add(result);
            }
            levels.Add(new LevelResult(concurrency, results));
        }
        return levels;
    }

    private async Task<TransportResult> RunTransportAsync(BenchTransport transport, HttpClient? pooled, int concurrency, CancellationToken cancellationToken)
    {
        string name = BenchTransportNames.Name(transport);
        int total = concurrency * _options.Turns;
        string label = _options.Concurrency.Count > 1 ? $"{name} c={concurrency}" : name;
        var (conversations, wall) = await RunLevelAsync(transport, pooled, concurrency, _options.Turns, $"{_runTag}-{name}-c{concurrency}",
            done => _progress($"{label,-20} {Bar(done, total)} {done}/{total} turns"), cancellationToken).ConfigureAwait(false);
        return new TransportResult(transport, concurrency, conversations.Select(f => (IReadOnlyList<TurnMeasurement>)f.Turns).ToArray(), wall, conversations.Select(f => f.Ms).ToArray());
    }

    /// <summary>
    /// Runs <paramref name="concurrency"/> conversations at once: each connects first, and all start their first turn
    /// together once every one is connected. Returns each conversation's turns and end-to-end time (its own connection
    /// set-up plus its turns), and the wall time from the common start to the last conversation's end.
    /// </summary>
    private async Task<((TurnMeasurement[] Turns, double Ms)[] Conversations, double WallMs)> RunLevelAsync(BenchTransport transport, HttpClient? pooled,
        int concurrency, int turnCount, string tagPrefix, Action<int> turnDone, CancellationToken cancellationToken)
    {
        // the first conversation to fail stops the others, and its error (not their cancellation) is what is reported
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var start = new StartLine(concurrency);
        var conversations = new Task<(TurnMeasurement[] Turns, double Ms)>[concurrency];
        int done = 0;
        for (int c = 0; c < conversations.Length; c++)
        {
            string tag = concurrency == 1 ? tagPrefix : $"{tagPrefix}-{c}";
            conversations[c] = RunConversationAsync(transport, pooled, tag, turnCount, start, () => turnDone(Interlocked.Increment(ref done)), failFast.Token);
            _ = conversations[c].ContinueWith(static (t, cts) => ((CancellationTokenSource)cts!).Cancel(), failFast,
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        (TurnMeasurement[] Turns, double Ms)[] finished;
        try
        {
            finished = await Task.WhenAll(conversations).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw conversations.Select(t => t.Exception?.InnerException).FirstOrDefault(e => e is not null and not OperationCanceledException)
                ?? throw new InvalidOperationException("a benchmark conversation was cancelled without an error");
        }
        return (finished, Stopwatch.GetElapsedTime(start.ReleasedAt).TotalMilliseconds);
    }

    private async Task<(TurnMeasurement[] Turns, double Ms)> RunConversationAsync(BenchTransport transport, HttpClient? pooled, string tag, int turnCount,
        StartLine start, Action turnDone, CancellationToken cancellationToken)
    {
        await Task.Yield(); // conversations connect together, not one after another's first await
        long connecting = Stopwatch.GetTimestamp();
        await using IConversationChannel channel = transport == BenchTransport.WebSocket
            ? await WebSocketConversationChannel.ConnectAsync(_options.WebSocketUrl, _options.ApiKey, cancellationToken).ConfigureAwait(false)
            : new HttpConversationChannel(_options.ResponsesUrl, _options.ApiKey, pooled);
        double connectMs = Stopwatch.GetElapsedTime(connecting).TotalMilliseconds;
        await start.ArriveAndWaitAsync(cancellationToken).ConfigureAwait(false);
        long started = Stopwatch.GetTimestamp();
        var turns = new TurnMeasurement[turnCount];
        string? previous = null;
        for (int t = 0; t < turns.Length; t++)
        {
            string input = t == 0 ? FillerText.FirstTurn(tag, _options.PromptTokens) : FillerText.FollowUp(t + 1);
            turns[t] = _options.ToolCalls
                ? await RunAgentTurnAsync(channel, t + 1, input, previous, cancellationToken).ConfigureAwait(false)
                : await channel.RunTurnAsync(t + 1, new TurnRequest(_options.Model, input, previous, _options.OutputTokens), cancellationToken).ConfigureAwait(false);
            previous = turns[t].ResponseId;
            turnDone();
        }
        return (turns, connectMs + Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>
    /// An agent's turn: the message goes out with the tool declared and <c>tool_choice: required</c>; the call's output
    /// comes back as <c>function_call_output</c> continuing that response by <c>previous_response_id</c>.
    /// </summary>
    private async Task<TurnMeasurement> RunAgentTurnAsync(IConversationChannel channel, int turn, string input, string? previous, CancellationToken cancellationToken)
    {
        var ask = new TurnRequest(_options.Model, input, previous, _options.ToolCallOutputTokens) { ToolChoice = "required" };
        var call = await channel.RunTurnAsync(turn, ask, cancellationToken).ConfigureAwait(false);
        string callId = call.CallId ?? throw new BenchServerException(
            $"turn {turn}: the server answered a request with tool_choice \"required\" without a function call; use --no-tool-calls for a server without tool calling");
        var answer = new TurnRequest(_options.Model, FillerText.ToolOutput(turn), call.ResponseId, _options.OutputTokens) { ToolChoice = "auto", ToolCallId = callId };
        var continuation = await channel.RunTurnAsync(turn, answer, cancellationToken).ConfigureAwait(false);
        return TurnMeasurement.Combine(call, continuation);
    }

    private static string Bar(int done, int total)
    {
        int width = 20;
        int filled = total == 0 ? width : done * width / total;
        return "[" + new string('#', filled) + new string('.', width - filled) + "]";
    }
}

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
    private readonly string _runTag = Guid.NewGuid().ToString("N")[..8];

    /// <param name="options">What to run.</param>
    /// <param name="progress">Receives one line per finished turn (stderr in the CLI).</param>
    public LatencyBenchmark(LatencyBenchOptions options, Action<string> progress)
    {
        _options = options;
        _progress = progress;
    }

    public async Task<IReadOnlyList<TransportResult>> RunAsync(CancellationToken cancellationToken)
    {
        var results = new List<TransportResult>();
        foreach (var transport in _options.Transports)
            results.Add(await RunTransportAsync(transport, cancellationToken).ConfigureAwait(false));
        return results;
    }

    private async Task<TransportResult> RunTransportAsync(BenchTransport transport, CancellationToken cancellationToken)
    {
        using var pooled = transport == BenchTransport.HttpKeepAlive ? HttpConversationChannel.CreatePooledClient() : null;
        string name = BenchTransportNames.Name(transport);
        // one unmeasured two-turn conversation first: JIT of the client and server paths, and the keep-alive
        // connection, are not what a long-running agent pays per turn
        await RunConversationAsync(transport, pooled, $"{_runTag}-{name}-warmup", turnCount: 2, () => { }, cancellationToken).ConfigureAwait(false);
        // the first conversation to fail stops the others, and its error (not their cancellation) is what is reported
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long started = Stopwatch.GetTimestamp();
        var conversations = new Task<(TurnMeasurement[] Turns, double Ms)>[_options.Concurrency];
        int done = 0;
        int total = _options.Concurrency * _options.Turns;
        for (int c = 0; c < conversations.Length; c++)
        {
            string tag = $"{_runTag}-{name}-{c}";
            conversations[c] = RunConversationAsync(transport, pooled, tag, _options.Turns, () =>
            {
                int n = Interlocked.Increment(ref done);
                _progress($"{name,-15} {Bar(n, total)} {n}/{total} turns");
            }, failFast.Token);
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
        double wall = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return new TransportResult(transport, finished.Select(f => (IReadOnlyList<TurnMeasurement>)f.Turns).ToArray(), wall, finished.Select(f => f.Ms).ToArray());
    }

    private async Task<(TurnMeasurement[] Turns, double Ms)> RunConversationAsync(BenchTransport transport, HttpClient? pooled, string tag, int turnCount, Action turnDone, CancellationToken cancellationToken)
    {
        await Task.Yield(); // conversations start together, not one after another's first await
        long started = Stopwatch.GetTimestamp();
        await using IConversationChannel channel = transport == BenchTransport.WebSocket
            ? await WebSocketConversationChannel.ConnectAsync(_options.WebSocketUrl, _options.ApiKey, cancellationToken).ConfigureAwait(false)
            : new HttpConversationChannel(_options.ResponsesUrl, _options.ApiKey, pooled);
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
        return (turns, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
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

// Where a continued turn's server-side time goes, as `spark bench latency` drives it (docs/performance.md,
// "Where the per-turn overhead goes").
//   dotnet run -c Release --project tools/TurnOverheadProbe -- MODEL.gguf [TURNS] [ANSWER_WORDS] [agent]
// Part 1 (in process, no sockets): for a plain conversation growing turn by turn (a ~128-word first message, then
// short follow-ups, each answered with ANSWER_WORDS words), the medians of 50 repetitions of: the chat-template
// render of the whole conversation; tokenizing the whole rendered text (fragments memoized, as in the server before
// the prompt prefix memo); and tokenizing it right after the conversation's previous prompt, as the server does now
// (checked to give the same tokens). PROBE_RENDER_ONLY=1 stops here.
// Part 2 (real Kestrel + ClientWebSocket on 127.0.0.1): the same conversation over WebSocket with
// previous_response_id and max_output_tokens 4 (with `agent`: a forced tool call, then its function_call_output,
// as the bench's agent-like turns); per request, wall time (send -> terminal event) minus the server's own
// queue_ms + compute_ms, i.e. the per-request overhead the bench reports.
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Spark.Engine.Inference;
using Spark.Server.Hosting;

string path = args[0];
int turns = args.Length > 1 ? int.Parse(args[1]) : 10;
int answerWords = args.Length > 2 ? int.Parse(args[2]) : 48;
string[] words = ["the", "server", "reads", "a", "request", "and", "renders", "its", "conversation", "through", "template", "tokens"];
string Words(int n, int seed) => string.Join(' ', Enumerable.Range(0, n).Select(i => words[(i * 7 + seed) % words.Length]));

await using var host = await LocalModelHost.StartAsync(path, "probe", new ModelLoadOptions { Threads = 1, ContextLength = 8192 },
    new SparkServerOptions { Port = 0 }, logging: b => b.SetMinimumLevel(LogLevel.Warning));
var model = host.Model;

var whole = typeof(Spark.Engine.Tokenization.Tokenizer).GetMethod("EncodeCore", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic);
Console.WriteLine("turn  messages  prompt chars  prompt tokens  render ms  tokenize ms: whole text (fragment memo warm) | after the previous prompt (prefix memo)");
var messages = new JsonArray();
for (int turn = 1; turn <= turns; turn++)
{
    messages.Add(new JsonObject { ["role"] = "user", ["content"] = turn == 1 ? Words(128, 1) : $"Turn {turn}: " + Words(16, turn) });
    string text = model.FormatChat(messages);
    int[] ids = model.Tokenizer.Encode(text, addSpecial: true, parseSpecial: true);
    var render = new List<double>();
    var encode = new List<double>();
    var incremental = new List<double>();
    string previousText = turn > 1 ? model.FormatChat(new JsonArray([.. messages.Take(messages.Count - 2).Select(m => m!.DeepClone())])) : "";
    for (int rep = 0; rep < 50; rep++)
    {
        long t0 = Stopwatch.GetTimestamp();
        text = model.FormatChat(messages);
        long t1 = Stopwatch.GetTimestamp();
        ids = (int[])whole!.Invoke(model.Tokenizer, [text, true, true, false])!;
        long t2 = Stopwatch.GetTimestamp();
        if (turn > 1) model.Tokenizer.Encode(previousText, addSpecial: true, parseSpecial: true); // the conversation's previous request
        long t3 = Stopwatch.GetTimestamp();
        int[] again = model.Tokenizer.Encode(text, addSpecial: true, parseSpecial: true);
        long t4 = Stopwatch.GetTimestamp();
        if (!again.AsSpan().SequenceEqual(ids)) throw new InvalidOperationException("the prefix memo changed the tokens");
        render.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
        encode.Add(Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds);
        incremental.Add(Stopwatch.GetElapsedTime(t3, t4).TotalMilliseconds);
    }
    Console.WriteLine($"{turn,4}  {messages.Count,8}  {text.Length,12}  {ids.Length,13}  {Median(render),9:F3}  {Median(encode),11:F3} | {Median(incremental),8:F3}");
    messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = Words(answerWords, turn + 3) });
}

if (Environment.GetEnvironmentVariable("PROBE_RENDER_ONLY") == "1") return;
var socket = new ClientWebSocket();
await socket.ConnectAsync(new UriBuilder(host.Url) { Scheme = "ws", Path = "/v1/responses" }.Uri, CancellationToken.None);
var buffer = new byte[1 << 20];
string? previous = null;
string? callId = null;
bool agent = args.Length > 3 && args[3] == "agent";
var overheads = new List<double>();
JsonNode Tool() => JsonNode.Parse("""{"type":"function","name":"run_command","description":"Runs a command in the project and returns its exit code and output.","parameters":{"type":"object","properties":{"command":{"type":"string","enum":["make test","git status"]}},"required":["command"],"additionalProperties":false}}""")!;
for (int request = 0; request <= (agent ? 2 * turns + 1 : turns); request++) // request 0 (and 1 in agent mode) warm up the path and are not counted
{
    int turn = agent ? request / 2 : request;
    bool answer = agent && request % 2 == 1;
    var create = new JsonObject
    {
        ["type"] = "response.create",
        ["model"] = "probe",
        ["max_output_tokens"] = agent && !answer ? 64 : 4,
        ["temperature"] = 0,
    };
    if (answer) create["input"] = new JsonArray { new JsonObject { ["type"] = "function_call_output", ["call_id"] = callId, ["output"] = "exit 0\nall 12 tests passed" } };
    else create["input"] = turn <= 1 ? Words(128, 1) : $"Turn {turn}: " + Words(16, turn);
    if (agent)
    {
        create["tools"] = new JsonArray { Tool() };
        create["tool_choice"] = answer ? "auto" : "required";
    }
    if (previous is not null && (answer || turn > 1)) create["previous_response_id"] = previous;
    long sent = Stopwatch.GetTimestamp();
    await socket.SendAsync(Encoding.UTF8.GetBytes(create.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
    while (true)
    {
        int length = 0;
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None) is var r ? new WebSocketReceiveResult(r.Count, r.MessageType, r.EndOfMessage) : null!;
            length += result.Count;
        } while (!result.EndOfMessage);
        using var doc = JsonDocument.Parse(buffer.AsMemory(0, length));
        string type = doc.RootElement.GetProperty("type").GetString()!;
        if (type == "error") throw new InvalidOperationException(doc.RootElement.GetRawText());
        if (type is not ("response.completed" or "response.incomplete" or "response.failed")) continue;
        double wall = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
        var response = doc.RootElement.GetProperty("response");
        previous = response.GetProperty("id").GetString();
        var timing = response.GetProperty("usage").GetProperty("spark_timing");
        double server = timing.GetProperty("queue_ms").GetDouble() + timing.GetProperty("compute_ms").GetDouble();
        foreach (var item in response.GetProperty("output").EnumerateArray())
            if (item.GetProperty("type").GetString() == "function_call") callId = item.GetProperty("call_id").GetString();
        bool counted = agent ? turn > 0 : turn > 0;
        if (counted) overheads.Add(wall - server);
        if (counted) Console.WriteLine($"ws {(answer ? "answer" : "request")} {turn,2}: wall {wall,8:F2} ms, queue+compute {server,8:F2} ms, overhead {wall - server,6:F3} ms, prompt {response.GetProperty("usage").GetProperty("input_tokens").GetInt32()} tokens");
        break;
    }
}
Console.WriteLine($"ws per-request overhead: median {Median(overheads):F3} ms, min {overheads.Min():F3} ms");
await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted[sorted.Count / 2];
}

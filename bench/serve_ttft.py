#!/usr/bin/env python3
"""Time to first token of a long conversation's next turn against a running `spark serve`, with and without KV reuse.

Usage: bench/serve_ttft.py URL MODEL [HISTORY_TURNS]
  1. cold: the whole history (nothing cached: run it first on a fresh server)
  2. warm, previous_response_id: only the new user message is sent
  3. warm, full history resent (what Codex does over HTTP): the cached prefix is found from the tokens
Prints one line per request: prompt tokens, cached tokens, seconds to the first output_text.delta.
"""
import http.client, json, sys, time, urllib.parse

url, model = sys.argv[1], sys.argv[2]
turns = int(sys.argv[3]) if len(sys.argv) > 3 else 24
target = urllib.parse.urlparse(url)

def stream(body):
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=900)
    start = time.monotonic()
    conn.request("POST", "/v1/responses", json.dumps(body | {"model": model, "stream": True, "temperature": 0}),
                 {"Content-Type": "application/json"})
    resp = conn.getresponse()
    if resp.status != 200:
        raise SystemExit(f"HTTP {resp.status}: {resp.read().decode()}")
    first = None
    final = None
    for raw in resp:
        line = raw.decode().rstrip("\n")
        if not line.startswith("data: "):
            continue
        event = json.loads(line[6:])
        if event["type"] == "response.output_text.delta" and first is None:
            first = time.monotonic() - start
        if event["type"] in ("response.completed", "response.incomplete", "response.failed"):
            final = event["response"]
    conn.close()
    return first, final

sentence = ("The parser reads the header, checks the magic number and version, then walks every tensor record, "
            "verifying that each offset plus size stays inside the file before it maps anything. ")
history = []
for i in range(turns):
    history.append({"role": "user", "content": f"Step {i}: " + sentence * 3})
    history.append({"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": f"Done with step {i}. " + sentence * 2}]})
question = {"role": "user", "content": "Summarize what we did."}

def report(name, first, final):
    usage = final["usage"]
    print(f"{name}: prompt {usage['input_tokens']} tokens, cached {usage['input_tokens_details']['cached_tokens']}, "
          f"first token after {first:.2f} s")

first, a = stream({"input": history + [question], "max_output_tokens": 4})
report("cold (full history)", first, a)
follow = {"role": "user", "content": "And then?"}
first, b = stream({"input": [follow], "previous_response_id": a["id"], "max_output_tokens": 4})
report("warm (previous_response_id)", first, b)
resent = history + [question] + a["output"] + [follow] + b["output"] + [{"role": "user", "content": "Last question."}]
first, c = stream({"input": resent, "max_output_tokens": 4})
report("warm (full history resent)", first, c)

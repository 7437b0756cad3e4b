// Interop: the official `openai` npm SDK against a real `spark serve` (the built-in synthetic model), over HTTP/SSE
// and WebSocket mode (ResponsesWS), including steering. Prints one line per check and a final
// "interop: N passed, N failed"; exits non-zero when anything failed.
//   SPARK_DLL=path/to/spark.dll node openai-sdk.test.mjs   (default: the Release build of src/Spark.Cli)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { assert, check, finish } from './checks.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dll = process.env.SPARK_DLL ?? path.join(here, '../../src/Spark.Cli/bin/Release/net10.0/spark.dll');
const apiKey = 'interop-key';
const model = 'spark';

/** Starts `spark serve --port 0` and resolves with its base URL (the line it prints when ready). */
async function startServer() {
  const server = spawn('dotnet', [dll, 'serve', '--port', '0', '--api-key', apiKey, '--threads', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  server.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`spark serve printed no URL within 120 s; stderr:\n${stderr}`)), 120_000);
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) { clearTimeout(timer); resolve(match[1]); }
    });
    server.on('exit', (code) => { clearTimeout(timer); reject(new Error(`spark serve exited with ${code}; stderr:\n${stderr}`)); });
  });
  return { server, url };
}

/** Collects every server event of a ResponsesWS and lets a check wait for the next one matching a predicate. */
function eventQueue(ws) {
  const events = [];
  const waiters = [];
  ws.on('event', (event) => {
    events.push(event);
    for (const w of [...waiters]) {
      const index = events.findIndex(w.match);
      if (index >= 0) { waiters.splice(waiters.indexOf(w), 1); w.resolve(events.splice(0, index + 1)); }
    }
  });
  ws.on('error', (error) => { events.push({ type: 'error', error }); });
  /** Events up to and including the first that matches; rejects after 60 s. */
  return (match, what) => new Promise((resolve, reject) => {
    const index = events.findIndex(match);
    if (index >= 0) return resolve(events.splice(0, index + 1));
    const timer = setTimeout(() => reject(new Error(`no ${what} within 60 s`)), 60_000);
    waiters.push({ match, resolve: (e) => { clearTimeout(timer); resolve(e); } });
  });
}

const ended = (e) => e.type === 'response.completed' || e.type === 'response.incomplete' || e.type === 'response.failed' || e.type === 'error';

const { server, url } = await startServer();
const client = new OpenAI({ apiKey, baseURL: `${url}/v1`, maxRetries: 0 });
try {
  await check('HTTP: streamed responses.create yields the full event sequence', async () => {
    const stream = await client.responses.create({ model, input: 'Tell me a story', stream: true, max_output_tokens: 16, temperature: 0 });
    const types = [];
    let text = '';
    let final;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.incomplete' || event.type === 'response.completed') final = event.response;
    }
    assert(types[0] === 'response.created' && types[1] === 'response.in_progress', `starts with ${types.slice(0, 2)}`);
    assert(types.at(-1) === 'response.incomplete', `ends with ${types.at(-1)}`);
    assert(final.usage.output_tokens === 16, `output_tokens ${final.usage.output_tokens}`);
    assert(final.output[0].content[0].text === text, 'deltas add up to the final text');
  });

  await check('HTTP: a non-streamed continuation by previous_response_id reports cached tokens', async () => {
    const first = await client.responses.create({ model, input: 'My name is Ada.', max_output_tokens: 4, temperature: 0 });
    const second = await client.responses.create({ model, previous_response_id: first.id, input: 'What is my name?', max_output_tokens: 4, temperature: 0 });
    assert(second.previous_response_id === first.id, 'previous_response_id echoed');
    assert(second.usage.input_tokens_details.cached_tokens > 0, `cached_tokens ${second.usage.input_tokens_details.cached_tokens}`);
  });

  await check('WebSocket (ResponsesWS): response.create streams events and a continuation sends only new items', async () => {
    const ws = new ResponsesWS(client);
    const next = eventQueue(ws);
    try {
      ws.send({ type: 'response.create', model, input: 'Hello there', max_output_tokens: 8, temperature: 0, store: false });
      const events = await next(ended, 'end of the first response');
      assert(events[0].type === 'response.created', `first event ${events[0].type}`);
      const first = events.at(-1).response;
      assert(events.at(-1).type === 'response.incomplete', `ended ${events.at(-1).type}`);
      ws.send({ type: 'response.create', model, previous_response_id: first.id, input: [{ type: 'message', role: 'user', content: 'And then?' }], max_output_tokens: 4, temperature: 0, store: false });
      const second = (await next(ended, 'end of the continuation')).at(-1).response;
      assert(second.previous_response_id === first.id, 'continuation names its predecessor');
      assert(second.usage.input_tokens_details.cached_tokens >= first.usage.input_tokens, `cached ${second.usage.input_tokens_details.cached_tokens} of ${second.usage.input_tokens}`);
    } finally {
      ws.close({ code: 1000, reason: 'done' });
    }
  });

  await check('WebSocket (ResponsesWS): response.steer -> steer.accepted -> incomplete (steered) -> successor', async () => {
    const ws = new ResponsesWS(client);
    const next = eventQueue(ws);
    try {
      ws.send({ type: 'response.create', model, input: 'Tell me everything', max_output_tokens: 1000, temperature: 0, stream_id: 'main' });
      const created = (await next((e) => e.type === 'response.created', 'response.created')).at(-1);
      const steeredId = created.response.id;
      await next((e) => e.type === 'response.output_text.delta', 'the first delta'); // steer while text is being written
      ws.send({ type: 'response.steer', previous_response_id: steeredId, input: [{ type: 'message', role: 'user', content: 'Stop. Just say hello.' }] });
      const accepted = (await next((e) => e.type === 'response.steer.accepted', 'response.steer.accepted')).at(-1);
      assert(accepted.steer.previous_response_id === steeredId, 'accepted names the steered response');
      assert(accepted.steer.id.startsWith('steer_'), `steer id ${accepted.steer.id}`);
      assert(accepted.stream_id === 'main', 'accepted echoes the lane');
      const incomplete = (await next((e) => e.type === 'response.incomplete', 'the steered response.incomplete')).at(-1);
      assert(incomplete.response.id === steeredId, 'the steered response ends');
      assert(incomplete.response.incomplete_details.reason === 'steered', `reason ${incomplete.response.incomplete_details?.reason}`);
      const successor = (await next((e) => e.type === 'response.created', 'the successor response.created')).at(-1).response;
      assert(successor.id !== steeredId, 'the successor is a new response');
      assert(successor.previous_response_id === steeredId, 'the successor continues the steered response');
      const done = (await next(ended, 'the successor end')).at(-1).response;
      assert(done.id === successor.id, 'the successor ran');
      assert(done.usage.input_tokens > incomplete.response.usage.input_tokens + incomplete.response.usage.output_tokens, 'the successor prompt holds the steering input');
      assert(done.usage.input_tokens_details.cached_tokens >= incomplete.response.usage.input_tokens, `cached ${done.usage.input_tokens_details.cached_tokens}`);
    } finally {
      ws.close({ code: 1000, reason: 'done' });
    }
  });

  await check('WebSocket (ResponsesWS): steering a response stopped for a custom tool call -> steer.pending, committed with the output', async () => {
    const ws = new ResponsesWS(client);
    const next = eventQueue(ws);
    const tools = [{ type: 'custom', name: 'apply_patch', description: 'Apply a patch' }];
    try {
      ws.send({ type: 'response.create', model, input: 'Patch it', tools, tool_choice: { type: 'custom', name: 'apply_patch' }, max_output_tokens: 1500, temperature: 0 });
      const stopped = (await next(ended, 'the tool-call response end')).at(-1);
      assert(stopped.type === 'response.completed', `ended ${stopped.type}`);
      const call = stopped.response.output.find((i) => i.type === 'custom_tool_call');
      assert(call, `no custom_tool_call in ${JSON.stringify(stopped.response.output.map((i) => i.type))}`);
      ws.send({ type: 'response.steer', previous_response_id: stopped.response.id, input: 'Also fix the README.' });
      const accepted = (await next((e) => e.type === 'response.steer.accepted', 'response.steer.accepted')).at(-1);
      const pending = (await next((e) => e.type === 'response.steer.pending', 'response.steer.pending')).at(-1);
      assert(pending.steer.id === accepted.steer.id, 'pending names the accepted steer');
      const required = pending.required_input;
      assert(required.length === 1 && required[0].type === 'custom_tool_call_output' && required[0].call_id === call.call_id && required[0].name === 'apply_patch',
        `required_input ${JSON.stringify(required)}`);
      ws.send({ type: 'response.create', model, previous_response_id: stopped.response.id, tools, max_output_tokens: 1, temperature: 0,
        input: [{ type: 'custom_tool_call_output', call_id: call.call_id, output: 'done' }] });
      const after = (await next(ended, 'the response after the tool output')).at(-1);
      assert(after.type !== 'error' && after.type !== 'response.failed', `ended ${after.type}: ${JSON.stringify(after.error ?? after.response?.error)}`);
    } finally {
      ws.close({ code: 1000, reason: 'done' });
    }
  });

  await check('WebSocket (ResponsesWS): steering a finished response fails and returns the input', async () => {
    const ws = new ResponsesWS(client);
    const next = eventQueue(ws);
    try {
      ws.send({ type: 'response.create', model, input: 'Hi', max_output_tokens: 2, temperature: 0 });
      const id = (await next(ended, 'end')).at(-1).response.id;
      ws.send({ type: 'response.steer', previous_response_id: id, input: 'too late' });
      const failedEvent = (await next((e) => e.type === 'response.steer.failed', 'response.steer.failed')).at(-1);
      assert(failedEvent.error.code === 'response_already_completed', `code ${failedEvent.error.code}`);
      assert(failedEvent.steer.input === 'too late', 'the input comes back');
    } finally {
      ws.close({ code: 1000, reason: 'done' });
    }
  });
} finally {
  server.kill('SIGTERM');
  await Promise.race([once(server, 'exit'), new Promise((r) => setTimeout(r, 10_000))]);
}

finish('interop');

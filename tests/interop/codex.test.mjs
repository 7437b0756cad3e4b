// Interop: the Codex CLI (npm @openai/codex, its Linux binary) as a real client of `spark serve` (the built-in
// synthetic model): `codex exec` with a custom model provider (wire_api = "responses") completes a turn once over
// HTTP/SSE and once in WebSocket mode (supports_websockets = true), where Codex first sends its prewarm
// (`generate: false`). Codex's prompt is ~12.7K tokens of the tiny model's vocabulary, so the server gets --ctx 32768.
// Prints one line per check and a final "codex-interop: N passed, N failed"; exits non-zero when anything failed.
//   SPARK_DLL=path/to/spark.dll node codex.test.mjs   (default: the Release build of src/Spark.Cli)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert, check, finish } from './checks.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dll = process.env.SPARK_DLL ?? path.join(here, '../../src/Spark.Cli/bin/Release/net10.0/spark.dll');
const codexJs = path.join(here, 'node_modules/@openai/codex/bin/codex.js');
const apiKey = 'codex-interop-key';
const turnTimeoutMs = 300_000;

/** Starts `spark serve --port 0`; resolves with its base URL and a view of its log (stderr) so far. */
async function startServer() {
  const server = spawn('dotnet', [dll, 'serve', '--port', '0', '--api-key', apiKey, '--threads', '1', '--ctx', '32768'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = { text: '' };
  server.stderr.on('data', (d) => { log.text += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`spark serve printed no URL within 120 s; stderr:\n${log.text}`)), 120_000);
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) { clearTimeout(timer); resolve(match[1]); }
    });
    server.on('exit', (code) => { clearTimeout(timer); reject(new Error(`spark serve exited with ${code}; stderr:\n${log.text}`)); });
  });
  return { server, url, log };
}

/** Runs `codex exec --json PROMPT` against the server in a fresh CODEX_HOME; resolves with its exit code and output. */
function codexExec(url, { websockets }) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-codex-home-'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-codex-work-'));
  fs.writeFileSync(path.join(home, 'config.toml'), [
    'model = "spark"',
    'model_provider = "spark"',
    'approval_policy = "never"',
    'sandbox_mode = "read-only"',
    '',
    '[model_providers.spark]',
    'name = "Spark"',
    `base_url = "${url}/v1"`,
    'env_key = "SPARK_CODEX_INTEROP_KEY"',
    'wire_api = "responses"',
    `supports_websockets = ${websockets}`,
    '',
  ].join('\n'));
  return new Promise((resolve) => {
    const codex = spawn(process.execPath, [codexJs, 'exec', '--json', '--skip-git-repo-check', 'Say hi in one word.'], {
      cwd: work,
      env: { ...process.env, CODEX_HOME: home, SPARK_CODEX_INTEROP_KEY: apiKey, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    codex.stdout.on('data', (d) => { stdout += d; });
    codex.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => codex.kill('SIGKILL'), turnTimeoutMs);
    codex.on('close', (code, signal) => {
      clearTimeout(timer);
      fs.rmSync(home, { recursive: true, force: true });
      fs.rmSync(work, { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * `codexExec`, tried again (at most 3 times in all) when the turn failed only because the model never stopped: the
 * built-in model has random weights, so now and then it samples past Codex's whole context without an end token and
 * the response ends incomplete (reason context_length), which Codex reports as a failed turn. That says nothing about
 * interop; every other failure is returned as it is.
 */
async function codexTurn(url, options) {
  for (let attempt = 1; ; attempt++) {
    const run = await codexExec(url, options);
    const runaway = events(run.stdout).some((e) => e.type === 'turn.failed' && /reason: context_length/.test(e.error?.message ?? ''));
    if (!runaway || attempt === 3) return run;
    console.log(`note: attempt ${attempt}: the random-weight model wrote until the context was full; running the turn again`);
  }
}

/** The JSONL events `codex exec --json` printed. */
function events(stdout) {
  return stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

/** The server's "<endpoint> <status>: prompt N tokens (C cached), G generated" lines written after `from`. */
function generations(log, from) {
  return [...log.text.slice(from).matchAll(/\] ([a-z. ]+) (completed|incomplete|failed|cancelled): prompt (\d+) tokens \((\d+) cached\), (\d+) generated/g)]
    .map((m) => ({ endpoint: m[1], status: m[2], prompt: +m[3], cached: +m[4], generated: +m[5] }));
}

/**
 * The server's generation lines after `from`, once `done` holds for them: the server logs a generation after its last
 * event went out, so Codex can exit before the line is written. Gives up (returning what is there) after 60 s (a loaded
 * CI machine can be that slow; a passing run waits only until the line is there).
 */
async function generationsWhen(log, from, done) {
  for (let waited = 0; waited < 60_000 && !done(generations(log, from)); waited += 100) await new Promise((r) => setTimeout(r, 100));
  return generations(log, from);
}

function assertTurnCompleted(run, log) {
  const tail = (s) => s.slice(-3000);
  assert(run.code === 0, `codex exec exited with ${run.code ?? run.signal}; stderr:\n${tail(run.stderr)}\nstdout:\n${tail(run.stdout)}\nserver log:\n${tail(log.text)}`);
  const all = events(run.stdout);
  const completed = all.find((e) => e.type === 'turn.completed');
  assert(completed, `no turn.completed event; stdout:\n${tail(run.stdout)}`);
  assert(!all.some((e) => e.type === 'turn.failed'), `a turn failed: ${tail(run.stdout)}`);
  const message = all.find((e) => e.type === 'item.completed' && e.item?.type === 'agent_message');
  assert(message && message.item.text.length > 0, `no agent message; stdout:\n${tail(run.stdout)}`);
  assert(completed.usage.input_tokens > 1000, `Codex's usage says the prompt was ${completed.usage.input_tokens} tokens`);
}

if (!fs.existsSync(codexJs)) {
  console.log(`not ok - the Codex CLI is not installed at ${codexJs} (run npm ci in tests/interop)`);
  console.log('codex-interop: 0 passed, 1 failed');
  process.exit(1);
}

let started;
try {
  started = await startServer();
} catch (e) {
  console.log(`not ok - spark serve did not start: ${e?.stack ?? e}`);
  console.log('codex-interop: 0 passed, 1 failed');
  process.exit(1);
}
const { server, url, log } = started;
try {
  await check('codex exec over HTTP/SSE completes a turn', async () => {
    const from = log.text.length;
    const run = await codexTurn(url, { websockets: false });
    assertTurnCompleted(run, log);
    const served = await generationsWhen(log, from, (g) => g.some((x) => x.endpoint === 'responses'));
    assert(served.some((g) => g.endpoint === 'responses' && g.status !== 'failed' && g.generated > 0),
      `the server logged no generated /v1/responses answer: ${JSON.stringify(served)}`);
    assert(!served.some((g) => g.endpoint.startsWith('websocket')), `HTTP mode used the WebSocket: ${JSON.stringify(served)}`);
  });

  await check('codex exec in WebSocket mode prewarms (generate: false) and completes a turn', async () => {
    const from = log.text.length;
    const run = await codexTurn(url, { websockets: true });
    assertTurnCompleted(run, log);
    const served = await generationsWhen(log, from, (g) => g.some((x) => x.endpoint === 'websocket'));
    const prewarm = served.findLast((g) => g.endpoint === 'websocket prewarm');
    const turn = served.findLast((g) => g.endpoint === 'websocket');
    assert(prewarm && prewarm.status === 'completed' && prewarm.generated === 0, `no completed prewarm in the server log: ${JSON.stringify(served)}`);
    assert(turn && turn.status !== 'failed' && turn.generated > 0, `no generated WebSocket turn in the server log: ${JSON.stringify(served)}`);
    // the prewarm caches Codex's instructions (~17K characters) and the turn starts from that cache
    assert(prewarm.prompt > 1000, `the prewarm cached only ${prewarm.prompt} tokens`);
    assert(turn.cached >= prewarm.prompt - 16, `the turn reused ${turn.cached} tokens of the prewarm's ${prewarm.prompt}`);
    console.log(`note: prewarm cached ${prewarm.prompt} tokens; the turn's prompt was ${turn.prompt} tokens, ${turn.cached} of them from the cache`);
  });
} finally {
  server.kill('SIGTERM');
}

finish('codex-interop');

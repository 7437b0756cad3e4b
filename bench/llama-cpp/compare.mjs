// Spark against llama.cpp on the same files, the same threads and this same machine, interleaved (spark, llama,
// spark, llama …) so that a host whose speed drifts by a third within minutes (ours does) affects both alike.
// llama.cpp is the CPU build that node-llama-cpp ships prebuilt (ggml picks the variant for this CPU at load time,
// e.g. libggml-cpu-icelake.so); its pp/tg are timed here the way llama-bench times them: pp = one batch of p tokens,
// tg = n single-token decode steps, both after d tokens of context, no sampling.
import {spawnSync} from "node:child_process";
import {existsSync} from "node:fs";
import {dirname, resolve, basename} from "node:path";
import {fileURLToPath} from "node:url";

const usage = `usage: node compare.mjs --model FILE.gguf [--model FILE2.gguf …] [--threads 1,2] [-p 512] [-n 128] [-d 0]
                        [--reps 3] [--rounds 2] [--flash-attention on|off] [--spark PATH/spark.dll] [--json]
  Runs \`spark bench engine\` and llama.cpp alternately on each file and thread count, --rounds times, and prints
  the medians and the ratio spark ÷ llama.cpp for prompt processing (pp) and generation (tg).
  --flash-attention: llama.cpp's flash attention (default on: Spark computes attention that way, F16 accumulation included).
  Caveat: with more than one thread, node-llama-cpp 3.22.1 attaches no ggml thread pool, so ggml starts its worker
  threads anew for every decode call (strace: one clone3 per generated token). That costs little in pp (one call per
  batch) but holds llama.cpp's multi-thread tg below what llama-bench or llama-server reach: compare tg at 1 thread.`;

function fail(message) {
    console.error(`compare: ${message}\n${usage}`);
    process.exit(2);
}

function parseArgs(argv) {
    const here = dirname(fileURLToPath(import.meta.url));
    const o = {models: [], threads: [1, 2], p: 512, n: 128, d: 0, reps: 3, rounds: 2, json: false, flashAttention: true,
        spark: resolve(here, "../../src/Spark.Cli/bin/Release/net10.0/spark.dll")};
    const count = (flag, value, min) => {
        const v = Number(value);
        if (!Number.isInteger(v) || v < min) fail(`${flag} takes a whole number ≥ ${min}, got '${value ?? ""}'`);
        return v;
    };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i], next = () => argv[++i];
        switch (a) {
            case "--model": case "-m": o.models.push(next() ?? fail("--model needs a file")); break;
            case "--threads": case "-t": {
                const list = (next() ?? "").split(",").map((x) => count("--threads", x, 1));
                o.threads = list; break;
            }
            case "-p": case "--n-prompt": o.p = count(a, next(), 0); break;
            case "-n": case "--n-gen": o.n = count(a, next(), 0); break;
            case "-d": case "--n-depth": o.d = count(a, next(), 0); break;
            case "--reps": case "-r": o.reps = count(a, next(), 1); break;
            case "--rounds": o.rounds = count(a, next(), 1); break;
            case "--spark": o.spark = resolve(next() ?? fail("--spark needs the path of spark.dll")); break;
            case "--json": o.json = true; break;
            case "--flash-attention": {
                const v = next();
                if (v !== "on" && v !== "off") fail(`--flash-attention takes on or off, got '${v ?? ""}'`);
                o.flashAttention = v === "on"; break;
            }
            case "-h": case "--help": console.log(usage); process.exit(0);
            default: fail(`unknown option '${a}'`);
        }
    }
    if (o.models.length === 0) fail("give at least one --model");
    for (const m of o.models) if (!existsSync(m)) fail(`model file '${m}' does not exist`);
    if (!existsSync(o.spark)) fail(`'${o.spark}' does not exist: build Spark first (dotnet build Spark.sln -c Release) or pass --spark`);
    if (o.p === 0 && o.n === 0) fail("-p 0 and -n 0 leave nothing to measure");
    return o;
}

function runSpark(o, model, threads) {
    const args = [o.spark, "bench", "engine", "--model", model, "--threads", String(threads), "-p", String(o.p), "-n", String(o.n),
        "-d", String(o.d), "--reps", String(o.reps), "--membw-size-mb", "64", "--json"];
    const r = spawnSync("dotnet", args, {encoding: "utf8", maxBuffer: 1 << 26});
    const last = (r.stdout ?? "").trim().split("\n").pop();
    if (r.status !== 0 || !last?.startsWith("{"))
        throw new Error(`spark bench engine failed (exit ${r.status}): ${(r.stderr || r.stdout || "").trim().slice(-400)}`);
    const j = JSON.parse(last);
    return {pp: o.p ? j.pp_tokens_per_s : null, tg: o.n ? j.tg_tokens_per_s : null, kernels: j.kernels};
}

let nodeLlama;
async function runLlama(o, model, threads) {
    nodeLlama ??= await import("node-llama-cpp").catch(() =>
        fail("node-llama-cpp is not installed: run `npm install` in bench/llama-cpp first"));
    const {getLlama, LlamaLogLevel} = nodeLlama;
    const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error, maxThreads: threads});
    const loaded = await llama.loadModel({modelPath: model, useMmap: true});
    const contextSize = Math.max(1024, o.d + Math.max(o.p, o.n) + 64);
    const context = await loaded.createContext({contextSize, batchSize: 512, threads, sequences: 1, flashAttention: o.flashAttention});
    const sequence = context.getSequence();
    const token = (i) => 1000 + ((i * 7919) % 30000); // spread over the vocabulary, like llama-bench's random tokens
    const tokens = (count, offset) => Array.from({length: count}, (_, i) => token(i + offset));
    const forget = (from) => sequence.eraseContextTokenRanges([{start: from, end: sequence.nextTokenIndex}]);
    try {
        if (o.d > 0) for (let at = 0; at < o.d; at += 512) await sequence.evaluateWithoutGeneratingNewTokens(tokens(Math.min(512, o.d - at), at));
        await sequence.evaluateWithoutGeneratingNewTokens(tokens(8, 7)); // warm-up, as spark bench's untimed first rep
        await forget(o.d);
        const pp = [], tg = [];
        for (let rep = 0; rep < o.reps; rep++) {
            if (o.p > 0) {
                const t0 = performance.now();
                for (let at = 0; at < o.p; at += 512) await sequence.evaluateWithoutGeneratingNewTokens(tokens(Math.min(512, o.p - at), at + rep));
                pp.push(o.p / ((performance.now() - t0) / 1000));
                await forget(o.d);
            }
            if (o.n > 0) {
                const t0 = performance.now();
                for (let i = 0; i < o.n; i++) await sequence.evaluateWithoutGeneratingNewTokens([token(i + rep)]);
                tg.push(o.n / ((performance.now() - t0) / 1000));
                await forget(o.d);
            }
        }
        return {pp: o.p ? median(pp) : null, tg: o.n ? median(tg) : null};
    } finally {
        await context.dispose();
        await loaded.dispose();
        await llama.dispose();
    }
}

function median(values) {
    const s = [...values].sort((a, b) => a - b);
    return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const o = parseArgs(process.argv.slice(2));
const rows = [];
for (const model of o.models) for (const threads of o.threads) rows.push({model, threads, spark: [], llama: []});
for (let round = 1; round <= o.rounds; round++) {
    for (const row of rows) {
        const s = runSpark(o, row.model, row.threads);
        row.kernels = s.kernels;
        row.spark.push(s);
        const l = await runLlama(o, row.model, row.threads);
        row.llama.push(l);
        const f = (x) => (x == null ? "-" : x.toFixed(1));
        console.error(`${new Date().toISOString().slice(11, 19)} round ${round}: ${basename(row.model)} t=${row.threads}  ` +
            `spark pp ${f(s.pp)} tg ${f(s.tg)}  llama.cpp pp ${f(l.pp)} tg ${f(l.tg)}`);
    }
}

const results = rows.map((row) => {
    const m = (list, key) => (o[key === "pp" ? "p" : "n"] ? median(list.map((x) => x[key])) : null);
    const sp = m(row.spark, "pp"), lp = m(row.llama, "pp"), st = m(row.spark, "tg"), lt = m(row.llama, "tg");
    return {model: basename(row.model), threads: row.threads, depth: o.d, kernels: row.kernels,
        spark_pp_tokens_per_s: sp, llama_pp_tokens_per_s: lp, pp_ratio: sp && lp ? sp / lp : null,
        spark_tg_tokens_per_s: st, llama_tg_tokens_per_s: lt, tg_ratio: st && lt ? st / lt : null};
});
const f1 = (x) => (x == null ? "-" : x.toFixed(1)), f2 = (x) => (x == null ? "-" : x.toFixed(2) + "×");
console.log(`| file | threads | depth | pp${o.p} spark | pp${o.p} llama.cpp | pp ratio | tg${o.n} spark | tg${o.n} llama.cpp | tg ratio |`);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const r of results)
    console.log(`| ${r.model} | ${r.threads} | ${r.depth} | ${f1(r.spark_pp_tokens_per_s)} | ${f1(r.llama_pp_tokens_per_s)} | ${f2(r.pp_ratio)} | ` +
        `${f1(r.spark_tg_tokens_per_s)} | ${f1(r.llama_tg_tokens_per_s)} | ${f2(r.tg_ratio)} |`);
console.log(`medians of ${o.rounds} interleaved round(s), each the median of ${o.reps} reps; llama.cpp: node-llama-cpp 3.22.1's prebuilt CPU build`);
const caveat = o.n > 0 && o.threads.some((t) => t > 1)
    ? "tg with more than one thread understates llama.cpp: node-llama-cpp starts ggml's worker threads anew for every decode call (no thread pool); compare tg at 1 thread"
    : null;
if (caveat) console.log(`note: ${caveat}`);
if (o.json) console.log(JSON.stringify({rounds: o.rounds, reps: o.reps, p: o.p, n: o.n, depth: o.d, caveat, results}));

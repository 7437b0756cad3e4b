// Bad input to compare.mjs: each gets exit code 2 and a message that names the problem, before anything is run or
// loaded (so these checks need neither node-llama-cpp nor a model). Run by .ci/run; SPARK_DLL names a built spark.dll.
import {spawnSync} from "node:child_process";
import {mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join} from "node:path";
import {fileURLToPath} from "node:url";

const script = join(dirname(fileURLToPath(import.meta.url)), "compare.mjs");
const spark = process.env.SPARK_DLL;
const folder = mkdtempSync(join(tmpdir(), "spark-compare-"));
const model = join(folder, "m.gguf");
writeFileSync(model, "GGUF"); // exists; never opened, because each case fails on its arguments first

const cases = [
    {args: ["--bogus"], says: "unknown option '--bogus'"},
    {args: [], says: "give at least one --model"},
    {args: ["--model", "/nonexistent/m.gguf"], says: "model file '/nonexistent/m.gguf' does not exist"},
    {args: ["--model", model, "--threads", "0"], says: "--threads takes a whole number ≥ 1, got '0'"},
    {args: ["--model", model, "--threads", "1,x"], says: "--threads takes a whole number ≥ 1, got 'x'"},
    {args: ["--model", model, "-p", "-5"], says: "-p takes a whole number ≥ 0, got '-5'"},
    {args: ["--model", model, "--rounds", "0"], says: "--rounds takes a whole number ≥ 1, got '0'"},
    {args: ["--model", model, "--flash-attention", "maybe"], says: "--flash-attention takes on or off, got 'maybe'"},
    {args: ["--model", model, "--spark", "/nonexistent/spark.dll"], says: "'/nonexistent/spark.dll' does not exist: build Spark first"},
    {args: ["--model", model, "-p", "0", "-n", "0", ...(spark ? ["--spark", spark] : [])], says: "-p 0 and -n 0 leave nothing to measure"},
];

let passed = 0, failed = 0;
for (const c of cases) {
    const r = spawnSync(process.execPath, [script, ...c.args], {encoding: "utf8", timeout: 30_000});
    const ok = r.status === 2 && r.stderr.includes(`compare: ${c.says}`) && r.stderr.includes("usage:");
    if (ok) passed++;
    else {
        failed++;
        console.log(`not ok - compare.mjs ${c.args.join(" ")}: exit ${r.status}, wanted 2 and '${c.says}'; stderr: ${r.stderr.slice(0, 300)}`);
        continue;
    }
    console.log(`ok - compare.mjs ${c.args.join(" ") || "(no arguments)"} → ${c.says}`);
}
const help = spawnSync(process.execPath, [script, "--help"], {encoding: "utf8", timeout: 30_000});
if (help.status === 0 && help.stdout.startsWith("usage: node compare.mjs")) { passed++; console.log("ok - --help prints the usage"); }
else { failed++; console.log(`not ok - --help: exit ${help.status}, stdout ${help.stdout.slice(0, 200)}`); }
rmSync(folder, {recursive: true, force: true});
console.log(`llama-cpp-compare: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

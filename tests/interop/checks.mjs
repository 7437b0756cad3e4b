// The interop suites' shared check runner: one "ok - NAME" / "not ok - NAME: why" line per check, and the final
// "LABEL: N passed, N failed" line that .ci/run adds to its totals.
const tally = { passed: 0, failed: 0 };

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

export async function check(name, body) {
  try {
    await body();
    tally.passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    tally.failed++;
    console.log(`not ok - ${name}: ${e?.stack ?? e}`);
  }
}

/** Prints the summary line and exits: 0 only when something ran and nothing failed. */
export function finish(label) {
  console.log(`${label}: ${tally.passed} passed, ${tally.failed} failed`);
  process.exit(tally.failed === 0 && tally.passed > 0 ? 0 : 1);
}

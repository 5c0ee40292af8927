/**
 * `npm test` streams the runner's TAP output and ends with exactly `Total: N passed, N failed, N skipped`
 * on a line of its own, keeping the run's exit code. Runs it on one small unit test file.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runTsx } from "./spawn.ts";

test("npm test -- <filter> streams TAP and ends with the Total line and the run's exit code", async () => {
  // Run from this test, the child inherits NODE_TEST_CONTEXT; npm test must still print TAP and its totals.
  const result = await runTsx("scripts/test.ts", ["tests/unit/cli-tap-summary.test.ts"], process.env);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /^TAP version 13$/m);
  assert.match(result.stdout, /^# pass 4$/m);
  const lines = result.stdout.trimEnd().split("\n");
  assert.equal(lines.at(-1), "Total: 4 passed, 0 failed, 0 skipped");
  assert.equal(lines.at(-2), "Of 4 tests: 0 todo (counted as skipped), 0 cancelled (counted as failed)");
});

test("npm test with a filter that matches nothing exits 2 and says so", async () => {
  const result = await runTsx("scripts/test.ts", ["no-such-test-file"], {
    ...process.env,
    NODE_TEST_CONTEXT: undefined,
  });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^No test files match no-such-test-file\. Check the path filter\.$/m);
});

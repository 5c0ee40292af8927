/**
 * The verdict reporter run by Playwright itself (no `verify` around it), on a tiny fixture project
 * (tests/fixtures-data/verdict): a flaky pass, a not-applicable check, an uncovered suite and an interrupted
 * run are each reported as what they are, and the process exits with the verdict's own code; with a signing key
 * the verdict is signed into verdict.dsse.json, or says in one line why it is not.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  computeReportSha256,
  envelopeMatchesVerdict,
  generateVerdictKeyPair,
  loadTrustedKeys,
  readVerdict,
  verifyEnvelope,
} from "../../lib/verdict/index.ts";
import { type CommandResult, childEnv, repoRoot, runCommand } from "./spawn.ts";

const cli = join(repoRoot, "node_modules", "@playwright", "test", "cli.js");
const config = join(repoRoot, "tests", "fixtures-data", "verdict", "playwright.config.ts");
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function playwright(
  project: string,
  grep: string,
  env: Record<string, string> = {},
  onSpawn?: (pid: number) => void,
): Promise<CommandResult & { runDir: string }> {
  const runDir = mkdtempSync(join(tmpdir(), "verdict-reporter-"));
  dirs.push(runDir);
  return runCommand(
    process.execPath,
    [cli, "test", "-c", config, "--project", project, "--grep", grep],
    childEnv({ HARNESS_RUN_DIR: runDir, FORCE_COLOR: "0", ...env }),
    { detached: true, ...(onSpawn ? { onSpawn } : {}) },
  ).then((result) => ({ ...result, runDir }));
}

const narrowed = (grep: string) => ({ HARNESS_NARROWED_BY: JSON.stringify([`--grep ${grep}`]) });

describe("the verdict reporter under plain Playwright", () => {
  const keys = mkdtempSync(join(tmpdir(), "verdict-reporter-keys-"));
  dirs.push(keys);
  const pair = generateVerdictKeyPair(keys);
  const withKey = (grep: string, file = pair.privateKeyFile) => ({
    HARNESS_VERDICT_KEY_FILE: file,
    ...narrowed(grep),
  });

  test("with a signing key the sealed verdict gets verdict.dsse.json: trusted, matching, report hash unchanged", async () => {
    const run = await playwright("smoke-dev", "@signable", withKey("@signable"));
    const verdict = readVerdict(join(run.runDir, "verdict.json"));
    assert.deepEqual([run.code, verdict.outcome], [0, "passed"], run.stdout + run.stderr);
    assert.equal(verdict.reportSha256, computeReportSha256(run.runDir), "the envelope is not a report file");
    const envelope = JSON.parse(readFileSync(join(run.runDir, "verdict.dsse.json"), "utf8"));
    const verified = verifyEnvelope(envelope, loadTrustedKeys(pair.publicKeyFile));
    assert.ok(verified.verified, JSON.stringify(verified));
    assert.deepEqual(envelopeMatchesVerdict(verified.statement, verdict), { matches: true });
    assert.match(run.stdout, /^ {2}signed: .*verdict\.dsse\.json$/m);
  });

  test("a verdict that cannot be signed, or a key that cannot be read: no envelope, one line why, the verdict's exit code", async () => {
    const unsignable = await playwright("smoke-dev", "@pass", withKey("@pass"));
    assert.equal(unsignable.code, 0, unsignable.stdout + unsignable.stderr);
    assert.equal(existsSync(join(unsignable.runDir, "verdict.dsse.json")), false);
    assert.match(
      unsignable.stderr,
      /^verdict: .*verdict\.json is not signed: it names no function under test, so it binds no bits/m,
    );

    const missing = join(keys, "nope.key");
    const broken = await playwright("smoke-dev", "@signable", withKey("@signable", missing));
    assert.equal(broken.code, 0, broken.stdout + broken.stderr);
    assert.equal(readVerdict(join(broken.runDir, "verdict.json")).exitCode, 0);
    assert.equal(existsSync(join(broken.runDir, "verdict.dsse.json")), false);
    assert.match(
      broken.stderr,
      /^verdict: not signed: The verdict key from HARNESS_VERDICT_KEY_FILE \(.*nope\.key\) cannot be used: the file does not exist\./m,
    );
  });

  test("a pass on retry is flaky: accepted by DEV's gate (exit 0), refused by PROD's (exit 1)", async () => {
    const dev = await playwright("smoke-dev", "@flaky", { FIXTURE_RETRIES: "1", ...narrowed("@flaky") });
    const devVerdict = readVerdict(join(dev.runDir, "verdict.json"));
    assert.deepEqual([dev.code, devVerdict.outcome, devVerdict.exitCode], [0, "passed", 0], dev.stdout);
    assert.equal(devVerdict.counts.flaky, 1);
    assert.equal(devVerdict.counts.passed, 0, "a flaky item is not counted as passed");
    assert.match(dev.stdout, /^Verdict: PASSED \(PARTIAL\) \(exit 0\)/m);

    const prod = await playwright("smoke-prod", "@flaky", { FIXTURE_RETRIES: "1", ...narrowed("@flaky") });
    const prodVerdict = readVerdict(join(prod.runDir, "verdict.json"));
    assert.deepEqual([prod.code, prodVerdict.outcome, prodVerdict.exitCode], [1, "failed", 1], prod.stdout);
    assert.match(
      prodVerdict.reasons.join("\n"),
      /flaky \(passed only on attempt 2; the first attempt failed: .*503.*PROD gate does not accept/,
    );
    assert.match(prod.stdout, /^Verdict: FAILED \(exit 1\)/m);
  });

  test("a not-applicable check is skipped with its reason and verifies nothing (exit 3)", async () => {
    const run = await playwright("smoke-dev", "@not-applicable", narrowed("@not-applicable"));
    const verdict = readVerdict(join(run.runDir, "verdict.json"));
    assert.deepEqual([run.code, verdict.outcome, verdict.exitCode], [3, "inconclusive", 3], run.stdout);
    assert.equal(verdict.counts.testsByStatus.notApplicable, 1);
    assert.equal(verdict.counts.testsByStatus.passed, 0);
    assert.equal(verdict.items[0]?.tests[0]?.reason, "no source environment");
  });

  test("a whole-suite run that covered only part of its suite is inconclusive, not passed (exit 3)", async () => {
    const run = await playwright("smoke-dev", "@pass");
    const verdict = readVerdict(join(run.runDir, "verdict.json"));
    assert.deepEqual([run.code, verdict.outcome, verdict.exitCode], [3, "inconclusive", 3], run.stdout);
    assert.equal(verdict.scope.complete, false);
    assert.match(verdict.reasons.join("\n"), /automated item\(s\) of the suite were not covered by this run/);
  });

  test("SIGINT: the run is interrupted, and exit code, verdict and printed word all say 130", async () => {
    let pid = 0;
    const running = playwright("smoke-dev", "@slow", narrowed("@slow"), (p) => {
      pid = p;
    });
    // The slow test leaves a marker once it runs; then interrupt the process group as a terminal's Ctrl-C does.
    const marker = () => dirs.some((dir) => existsSync(join(dir, "slow-started")));
    for (let waited = 0; !marker() && waited < 60_000; waited += 100) await sleep(100);
    assert.ok(pid > 0 && marker(), "the slow test never started");
    process.kill(-pid, "SIGINT");
    const run = await running;
    const verdict = readVerdict(join(run.runDir, "verdict.json"));
    assert.deepEqual(
      [run.code, verdict.outcome, verdict.exitCode],
      [130, "interrupted", 130],
      run.stdout + run.stderr,
    );
    assert.match(run.stdout, /^Verdict: INTERRUPTED \(exit 130\)/m);
  });
});

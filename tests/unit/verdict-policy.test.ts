import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  aggregateTestStatuses,
  classifyTest,
  combinedCodeSha256,
  decideOutcome,
  exitCodeFor,
  type Guard,
  isVerdictUsable,
  type RawTest,
  type Verdict,
  type VerdictItem,
  VerdictSchema,
} from "../../lib/verdict/index.ts";

function raw(overrides: Partial<RawTest>): RawTest {
  return {
    title: "t",
    file: "suites/smoke/x.spec.ts",
    project: "smoke-dev",
    outcome: "expected",
    lastStatus: "passed",
    annotations: [],
    durationMs: 5,
    evidence: [],
    ...overrides,
  };
}

function item(id: string, status: VerdictItem["status"]): VerdictItem {
  return { id, title: id, kind: "automated", status, tests: [], evidence: [] };
}

const passedGuard: Guard = { status: "passed" };

describe("classifyTest", () => {
  test("a passing test passes, a flaky one passes with a note", () => {
    assert.deepEqual(classifyTest(raw({})), { status: "passed" });
    assert.equal(classifyTest(raw({ outcome: "flaky" })).status, "passed");
  });

  test("an unexpected result fails, with the error or 'timed out' as reason", () => {
    assert.deepEqual(classifyTest(raw({ outcome: "unexpected", lastStatus: "failed", firstError: "boom" })), {
      status: "failed",
      reason: "boom",
    });
    assert.deepEqual(classifyTest(raw({ outcome: "unexpected", lastStatus: "timedOut" })), {
      status: "failed",
      reason: "timed out",
    });
  });

  test("a policy skip is skipped-by-policy; any other skip is inconclusive, not a pass", () => {
    const policy = raw({
      outcome: "skipped",
      lastStatus: "skipped",
      annotations: [{ type: "skipped-by-policy", description: "prod is read-only" }],
    });
    assert.deepEqual(classifyTest(policy), { status: "skipped-by-policy", reason: "prod is read-only" });
    const plain = raw({
      outcome: "skipped",
      lastStatus: "skipped",
      annotations: [{ type: "skip", description: "why" }],
    });
    assert.deepEqual(classifyTest(plain), { status: "inconclusive", reason: "skipped: why" });
  });

  test("an inconclusive annotation wins over the skip it causes", () => {
    const marked = raw({
      outcome: "skipped",
      lastStatus: "skipped",
      annotations: [{ type: "inconclusive", description: "no datapoints" }],
    });
    assert.deepEqual(classifyTest(marked), { status: "inconclusive", reason: "no datapoints" });
  });

  test("a failure because the target was unreachable is inconclusive, not failed", () => {
    const unreachable = raw({
      outcome: "unexpected",
      lastStatus: "failed",
      annotations: [{ type: "unreachable", description: "GET /health: ECONNREFUSED" }],
    });
    assert.deepEqual(classifyTest(unreachable), {
      status: "inconclusive",
      reason: "target unreachable: GET /health: ECONNREFUSED",
    });
  });

  test("a test that never ran or was interrupted is inconclusive", () => {
    assert.equal(classifyTest(raw({ outcome: "skipped", lastStatus: null })).status, "inconclusive");
    assert.equal(
      classifyTest(raw({ outcome: "unexpected", lastStatus: "interrupted" })).status,
      "inconclusive",
    );
  });
});

describe("aggregateTestStatuses", () => {
  test("any failure fails the item", () => {
    assert.equal(aggregateTestStatuses(["passed", "failed", "inconclusive"]), "failed");
  });
  test("inconclusive beats passed", () => {
    assert.equal(aggregateTestStatuses(["passed", "inconclusive"]), "inconclusive");
  });
  test("all skipped by policy is skipped-by-policy; mixed with a pass is passed", () => {
    assert.equal(aggregateTestStatuses(["skipped-by-policy", "skipped-by-policy"]), "skipped-by-policy");
    assert.equal(aggregateTestStatuses(["skipped-by-policy", "passed"]), "passed");
  });
  test("no tests is no data", () => {
    assert.equal(aggregateTestStatuses([]), "inconclusive");
  });
});

describe("exitCodeFor", () => {
  test("maps outcomes to 0/1/3", () => {
    assert.equal(exitCodeFor("passed"), 0);
    assert.equal(exitCodeFor("failed"), 1);
    assert.equal(exitCodeFor("inconclusive"), 3);
  });
  test("a guard stopped by the wrong account or bad credentials is a configuration error (2), unreachable is 3", () => {
    assert.equal(exitCodeFor("inconclusive", { status: "failed", kind: "account-mismatch" }), 2);
    assert.equal(exitCodeFor("inconclusive", { status: "failed", kind: "credentials" }), 2);
    assert.equal(exitCodeFor("inconclusive", { status: "failed", kind: "unreachable" }), 3);
  });
});

describe("decideOutcome", () => {
  const base = { guard: passedGuard, untracedTests: [], globalErrors: [], runStatus: "passed" as const };

  test("all passed or attested passes with exit 0", () => {
    const result = decideOutcome({ ...base, items: [item("a/1/x", "passed"), item("a/1/y", "attested")] });
    assert.equal(result.outcome, "passed");
    assert.equal(result.exitCode, 0);
  });

  test("a failed item or a missing attestation fails with exit 1 and names the item", () => {
    const failed = decideOutcome({
      ...base,
      items: [item("a/1/x", "failed"), item("a/1/y", "inconclusive")],
    });
    assert.deepEqual([failed.outcome, failed.exitCode], ["failed", 1]);
    assert.match(failed.reasons.join("\n"), /a\/1\/x: failed/);
    const missing = decideOutcome({
      ...base,
      items: [item("a/1/x", "passed"), item("a/1/z", "missing-attestation")],
    });
    assert.deepEqual([missing.outcome, missing.exitCode], ["failed", 1]);
  });

  test("an inconclusive item makes the run inconclusive (exit 3)", () => {
    const result = decideOutcome({
      ...base,
      items: [item("a/1/x", "passed"), item("a/1/y", "inconclusive")],
    });
    assert.deepEqual([result.outcome, result.exitCode], ["inconclusive", 3]);
  });

  test("nothing verified is not a pass: empty scope, or everything skipped by policy", () => {
    assert.equal(decideOutcome({ ...base, items: [] }).outcome, "inconclusive");
    assert.equal(decideOutcome({ ...base, items: [item("a/1/x", "skipped-by-policy")] }).exitCode, 3);
  });

  test("a failed untraced test still fails the run", () => {
    const result = decideOutcome({
      ...base,
      items: [item("a/1/x", "passed")],
      untracedTests: [{ title: "stray", file: "f", project: "p", status: "failed", durationMs: 1 }],
    });
    assert.equal(result.exitCode, 1);
  });

  test("a guard failure decides the run: account mismatch exit 2, alias missing exit 1", () => {
    const mismatch = decideOutcome({
      ...base,
      guard: { status: "failed", kind: "account-mismatch", message: "536580886816 vs 093646564004" },
      items: [],
    });
    assert.deepEqual([mismatch.outcome, mismatch.exitCode], ["inconclusive", 2]);
    const missing = decideOutcome({
      ...base,
      guard: { status: "failed", kind: "target-missing" },
      items: [],
    });
    assert.deepEqual([missing.outcome, missing.exitCode], ["failed", 1]);
  });

  test("load errors with nothing run are a usage error (exit 2); an interrupted run is inconclusive", () => {
    const load = decideOutcome({ ...base, items: [], globalErrors: ["unknown runbook item id x"] });
    assert.equal(load.exitCode, 2);
    const interrupted = decideOutcome({
      ...base,
      items: [item("a/1/x", "passed")],
      runStatus: "interrupted",
    });
    assert.equal(interrupted.exitCode, 3);
  });
});

describe("combinedCodeSha256", () => {
  test("one function: its own CodeSha256; several: an order-independent digest", () => {
    const fn = (name: string, sha: string) => ({
      functionName: name,
      alias: "latest-dev",
      functionVersion: "3",
      appVersion: "1.3.0",
      codeSha256: sha,
    });
    assert.equal(combinedCodeSha256([fn("a", "AAA=")]), "AAA=");
    const ab = combinedCodeSha256([fn("a", "AAA="), fn("b", "BBB=")]);
    assert.equal(ab, combinedCodeSha256([fn("b", "BBB="), fn("a", "AAA=")]));
    assert.notEqual(ab, combinedCodeSha256([fn("a", "AAA="), fn("b", "CCC=")]));
    assert.match(ab ?? "", /^combined:/);
    assert.equal(combinedCodeSha256([]), null);
  });
});

describe("isVerdictUsable", () => {
  const now = new Date("2026-11-22T12:00:00.000Z");
  const verdict: Verdict = VerdictSchema.parse({
    schemaVersion: 1,
    service: "tenant-instance-management",
    environment: "sit",
    suite: "pre-promotion",
    target: "AWS account 815856636111 (profile sit)",
    version: { alias: "latest-sit", functionVersion: "7", appVersion: "1.5.0" },
    codeSha256: "abc=",
    functions: [],
    runId: "20261122-110000-sit-pre-promotion-0a1b",
    harnessCommit: "deadbeef",
    startedAt: "2026-11-22T11:00:00.000Z",
    endedAt: "2026-11-22T11:30:00.000Z",
    guard: { status: "passed" },
    items: [],
    untracedTests: [],
    notCovered: [],
    counts: {
      items: 0,
      passed: 0,
      failed: 0,
      skippedByPolicy: 0,
      inconclusive: 0,
      attested: 0,
      missingAttestation: 0,
      tests: 0,
    },
    outcome: "passed",
    exitCode: 0,
    reasons: [],
    reportSha256: "f".repeat(64),
  });
  const expect = {
    service: "tenant-instance-management",
    env: "sit",
    codeSha256: "abc=",
    maxAgeMs: 3_600_000,
    now,
  };

  test("accepts a passing, fresh verdict for the same bits", () => {
    assert.deepEqual(isVerdictUsable(verdict, expect), { usable: true });
  });

  test("refuses other bits, another env, a stale or failed or unsealed verdict, each with a reason", () => {
    const reasonOf = (result: ReturnType<typeof isVerdictUsable>) =>
      result.usable ? "usable" : result.reason;
    assert.match(reasonOf(isVerdictUsable(verdict, { ...expect, codeSha256: "other=" })), /CodeSha256 abc=/);
    assert.match(reasonOf(isVerdictUsable(verdict, { ...expect, env: "prod" })), /for sit, not prod/);
    assert.match(reasonOf(isVerdictUsable(verdict, { ...expect, maxAgeMs: 60_000 })), /30 min old/);
    assert.match(
      reasonOf(isVerdictUsable({ ...verdict, outcome: "failed", exitCode: 1 }, expect)),
      /outcome is failed/,
    );
    assert.match(reasonOf(isVerdictUsable({ ...verdict, reportSha256: null }, expect)), /not sealed/);
    assert.match(reasonOf(isVerdictUsable({ ...verdict, suite: "smoke" }, expect)), /smoke suite/);
    assert.match(
      reasonOf(isVerdictUsable({ ...verdict, endedAt: "2026-11-22T13:00:00.000Z" }, expect)),
      /in the future/,
    );
  });
});

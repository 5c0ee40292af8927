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
} from "../../lib/verdict/index.ts";
import { verdictWith } from "./verdict-fixture.ts";

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
  test("a passing test passes; one that passed only on retry is flaky, not passed", () => {
    assert.deepEqual(classifyTest(raw({})), { status: "passed" });
    assert.equal(classifyTest(raw({ outcome: "flaky" })).status, "flaky");
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
  test("one code per outcome, as the README's table says", () => {
    assert.equal(exitCodeFor("passed"), 0);
    assert.equal(exitCodeFor("failed"), 1);
    assert.equal(exitCodeFor("error"), 2);
    assert.equal(exitCodeFor("inconclusive"), 3);
    assert.equal(exitCodeFor("interrupted"), 130);
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
    assert.deepEqual([mismatch.outcome, mismatch.exitCode], ["error", 2]);
    const unreachable = decideOutcome({
      ...base,
      guard: { status: "failed", kind: "unreachable", message: "connect ECONNREFUSED" },
      items: [],
    });
    assert.deepEqual([unreachable.outcome, unreachable.exitCode], ["inconclusive", 3]);
    const missing = decideOutcome({
      ...base,
      guard: { status: "failed", kind: "target-missing" },
      items: [],
    });
    assert.deepEqual([missing.outcome, missing.exitCode], ["failed", 1]);
  });

  test("load errors with nothing run are a usage error (exit 2); an interrupted run is interrupted (130)", () => {
    const load = decideOutcome({ ...base, items: [], globalErrors: ["unknown runbook item id x"] });
    assert.deepEqual([load.outcome, load.exitCode], ["error", 2]);
    const interrupted = decideOutcome({
      ...base,
      items: [item("a/1/x", "passed")],
      runStatus: "interrupted",
    });
    assert.deepEqual([interrupted.outcome, interrupted.exitCode], ["interrupted", 130]);
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
  const verdict: Verdict = verdictWith({
    environment: "sit",
    suite: "pre-promotion",
    target: "AWS account 815856636111 (profile sit)",
    version: { alias: "latest-sit", functionVersion: "7", appVersion: "1.5.0" },
    codeSha256: "abc=",
    runId: "20261122-110000-sit-pre-promotion-0a1b",
    harnessCommit: "deadbeef",
    startedAt: "2026-11-22T11:00:00.000Z",
    endedAt: "2026-11-22T11:30:00.000Z",
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
    assert.match(
      reasonOf(
        isVerdictUsable(
          {
            ...verdict,
            notCovered: ["tenant-deploy/8.2/no-error-logs-10min"],
            scope: { complete: false, narrowedBy: ["--grep @probe"], shard: null },
          },
          expect,
        ),
      ),
      /partial \(--grep @probe\): 1 item\(s\) of the suite were not checked/,
    );
    assert.match(reasonOf(isVerdictUsable({ ...verdict, suite: "smoke" }, expect)), /smoke suite/);
    assert.match(
      reasonOf(isVerdictUsable({ ...verdict, endedAt: "2026-11-22T13:00:00.000Z" }, expect)),
      /in the future/,
    );
  });
});

describe("honest results: not-applicable, flaky, partial runs, interruption", () => {
  const base = { guard: passedGuard, untracedTests: [], globalErrors: [], runStatus: "passed" as const };

  test("a not-applicable check is its own status, never a pass", () => {
    const result = classifyTest(
      raw({
        outcome: "skipped",
        lastStatus: "skipped",
        annotations: [{ type: "not-applicable", description: "DEV has no source environment" }],
      }),
    );
    assert.deepEqual(result, { status: "not-applicable", reason: "DEV has no source environment" });
    assert.equal(aggregateTestStatuses(["not-applicable"]), "not-applicable");
    assert.equal(aggregateTestStatuses(["not-applicable", "passed"]), "passed");
    assert.equal(aggregateTestStatuses(["not-applicable", "skipped-by-policy"]), "skipped-by-policy");
    assert.equal(
      decideOutcome({ ...base, items: [item("a/1/x", "not-applicable")] }).outcome,
      "inconclusive",
    );
  });

  test("a flaky test says which attempt passed and why the first failed", () => {
    const result = classifyTest(
      raw({ outcome: "flaky", attempts: 2, firstFailure: "expected 200, got 503" }),
    );
    assert.equal(result.status, "flaky");
    assert.match(result.reason ?? "", /attempt 2.*expected 200, got 503/);
    assert.equal(aggregateTestStatuses(["passed", "flaky"]), "flaky");
    assert.equal(aggregateTestStatuses(["flaky", "failed"]), "failed");
  });

  test("the gate policy decides a flaky item: accepted where allowed, failed where not (PROD)", () => {
    const items = [
      item("a/1/x", "passed"),
      { ...item("a/1/y", "flaky"), reason: "passed only on attempt 2" },
    ];
    const allowed = decideOutcome({ ...base, items, acceptFlaky: true });
    assert.equal(allowed.outcome, "passed");
    assert.match(allowed.reasons.join("\n"), /1 flaky item\(s\) accepted by the gate policy: a\/1\/y/);
    const prod = decideOutcome({ ...base, items, acceptFlaky: false, environmentName: "PROD" });
    assert.deepEqual([prod.outcome, prod.exitCode], ["failed", 1]);
    assert.match(prod.reasons.join("\n"), /a\/1\/y: flaky .*the PROD gate does not accept flaky checks/);
  });

  test("automated items not covered make an un-narrowed run inconclusive, never passed", () => {
    const result = decideOutcome({
      ...base,
      items: [item("a/1/x", "passed")],
      notCovered: ["a/1/y", "a/1/z"],
      scope: { narrowedBy: [], shard: null },
    });
    assert.deepEqual([result.outcome, result.exitCode], ["inconclusive", 3]);
    assert.match(
      result.reasons.join("\n"),
      /2 automated item\(s\) of the suite were not covered.*a\/1\/y, a\/1\/z/,
    );
  });

  test("a run narrowed on purpose may pass, but says it is partial", () => {
    const result = decideOutcome({
      ...base,
      items: [item("a/1/x", "passed")],
      notCovered: ["a/1/y"],
      scope: { narrowedBy: ["--grep @probe"], shard: null },
    });
    assert.equal(result.outcome, "passed");
    assert.match(
      result.reasons.join("\n"),
      /partial run \(--grep @probe\): 1 item\(s\) of the suite not covered/,
    );
    const shard = decideOutcome({
      ...base,
      items: [item("a/1/x", "passed")],
      notCovered: ["a/1/y"],
      scope: { narrowedBy: [], shard: "1/2" },
    });
    assert.equal(shard.outcome, "passed");
    assert.match(shard.reasons.join("\n"), /partial run \(--shard 1\/2\)/);
  });

  test("an interrupted run is interrupted (130), whatever else it saw", () => {
    const result = decideOutcome({
      ...base,
      runStatus: "interrupted",
      items: [item("a/1/x", "passed"), item("a/1/y", "failed")],
    });
    assert.deepEqual([result.outcome, result.exitCode], ["interrupted", 130]);
    assert.match(result.reasons.join("\n"), /a\/1\/y: failed/);
  });

  test("specs that did not load are an error (2), not a lack of data", () => {
    const result = decideOutcome({ ...base, items: [], globalErrors: ["SyntaxError in x.spec.ts"] });
    assert.deepEqual([result.outcome, result.exitCode], ["error", 2]);
  });
});

import { createHash } from "node:crypto";
import type {
  Counts,
  ExitCode,
  FunctionUnderTest,
  Guard,
  ItemStatus,
  Outcome,
  TestStatus,
  Verdict,
  VerdictItem,
  VerdictTest,
} from "./schema.ts";

/** Annotation types the fixtures write and the verdict reads. */
export const ANNOTATION = {
  runbookItem: "runbook-item",
  inconclusive: "inconclusive",
  skippedByPolicy: "skipped-by-policy",
  /** The test failed because the target could not be reached: no data, not a failed check. */
  unreachable: "unreachable",
  warning: "warning",
} as const;

/**
 * Attachment names of the account guard's records (fixtures/guard.ts writes them on the first test of each
 * worker and on the guard test; the verdict reporter reads them).
 */
export const GUARD_ATTACHMENT = {
  guard: "guard-result",
  version: "version-under-test",
  runContext: "run-context",
} as const;

export type Annotation = { type: string; description?: string | undefined };

/** A test as the reporter saw it, before the verdict's interpretation. */
export type RawTest = {
  title: string;
  file: string;
  project: string;
  /** Playwright's `TestCase.outcome()`. */
  outcome: "expected" | "unexpected" | "flaky" | "skipped";
  /** Status of the last result, or null when the test never ran (a dependency failed, the run stopped). */
  lastStatus: "passed" | "failed" | "timedOut" | "skipped" | "interrupted" | null;
  annotations: readonly Annotation[];
  durationMs: number;
  /** First line of the first error, already redacted. */
  firstError?: string | undefined;
  evidence: readonly string[];
};

/** Interprets one test: policy skips and inconclusive marks are not passes, and neither is a test that never ran. */
export function classifyTest(raw: RawTest): { status: TestStatus; reason?: string } {
  const find = (type: string) => raw.annotations.find((annotation) => annotation.type === type);
  const inconclusive = find(ANNOTATION.inconclusive);
  if (inconclusive) return { status: "inconclusive", reason: inconclusive.description ?? "no data" };
  if (raw.lastStatus === null) return { status: "inconclusive", reason: "did not run" };
  if (raw.lastStatus === "interrupted")
    return { status: "inconclusive", reason: "interrupted before it finished" };
  if (raw.outcome === "skipped") {
    const policy = find(ANNOTATION.skippedByPolicy);
    if (policy) return { status: "skipped-by-policy", reason: policy.description ?? "skipped by policy" };
    const skip = raw.annotations.find(
      (annotation) => annotation.type === "skip" || annotation.type === "fixme",
    );
    return { status: "inconclusive", reason: `skipped: ${skip?.description ?? "no reason given"}` };
  }
  if (raw.outcome === "unexpected") {
    const unreachable = find(ANNOTATION.unreachable);
    if (unreachable)
      return { status: "inconclusive", reason: `target unreachable: ${unreachable.description ?? ""}` };
    const reason = raw.lastStatus === "timedOut" ? "timed out" : (raw.firstError ?? "failed");
    return { status: "failed", reason };
  }
  if (raw.outcome === "flaky") return { status: "passed", reason: "passed on retry (flaky)" };
  return { status: "passed" };
}

/** An automated item's status from its tests: any failure fails it; no data or partial data is inconclusive. */
export function aggregateTestStatuses(statuses: readonly TestStatus[]): TestStatus {
  if (statuses.length === 0) return "inconclusive";
  if (statuses.includes("failed")) return "failed";
  if (statuses.includes("inconclusive")) return "inconclusive";
  if (statuses.every((status) => status === "skipped-by-policy")) return "skipped-by-policy";
  return "passed";
}

/** Counts items by status. */
export function countItems(items: readonly VerdictItem[], tests: number): Counts {
  const count = (status: ItemStatus) => items.filter((item) => item.status === status).length;
  return {
    items: items.length,
    passed: count("passed"),
    failed: count("failed"),
    skippedByPolicy: count("skipped-by-policy"),
    inconclusive: count("inconclusive"),
    attested: count("attested"),
    missingAttestation: count("missing-attestation"),
    tests,
  };
}

/** Exit code of an outcome (principle 8); a guard that stopped the run for configuration reasons gives 2. */
export function exitCodeFor(outcome: Outcome, guard?: Guard): ExitCode {
  if (guard?.status === "failed") {
    if (guard.kind === "account-mismatch" || guard.kind === "credentials") return 2;
    if (guard.kind === "unreachable") return 3;
  }
  if (outcome === "passed") return 0;
  if (outcome === "failed") return 1;
  return 3;
}

export type OutcomeInput = {
  guard: Guard;
  items: readonly VerdictItem[];
  untracedTests: readonly VerdictTest[];
  /** Errors outside any test (a spec that failed to load, a worker crash), redacted. */
  globalErrors: readonly string[];
  /** Playwright's overall status. */
  runStatus: "passed" | "failed" | "timedout" | "interrupted";
};

/** Decides the overall outcome, its exit code and the reasons, from the items and the run's context. */
export function decideOutcome(input: OutcomeInput): {
  outcome: Outcome;
  exitCode: ExitCode;
  reasons: string[];
} {
  const { guard, items, untracedTests, globalErrors, runStatus } = input;
  const done = (outcome: Outcome, reasons: string[], exitCode: ExitCode = exitCodeFor(outcome, guard)) => ({
    outcome,
    exitCode,
    reasons,
  });
  if (guard.status === "failed") {
    const reason = `account guard failed (${guard.kind ?? "error"}): ${guard.message ?? "no message"}`;
    return guard.kind === "target-missing" ? done("failed", [reason]) : done("inconclusive", [reason]);
  }
  const ran = [...items.flatMap((item) => item.tests), ...untracedTests];
  if (globalErrors.length > 0 && ran.every((test) => test.status === "inconclusive")) {
    return done(
      "inconclusive",
      globalErrors.map((error) => `error outside tests: ${error}`),
      2,
    );
  }
  const reasons: string[] = [];
  for (const item of items) {
    if (item.status === "failed" || item.status === "missing-attestation") {
      reasons.push(`${item.id}: ${item.status}${item.reason ? ` (${item.reason})` : ""}`);
    }
  }
  for (const test of untracedTests) {
    if (test.status === "failed") reasons.push(`untraced test failed: ${test.title}`);
  }
  if (globalErrors.length > 0) reasons.push(...globalErrors.map((error) => `error outside tests: ${error}`));
  if (reasons.length > 0) return done("failed", reasons);

  for (const item of items) {
    if (item.status === "inconclusive")
      reasons.push(`${item.id}: inconclusive (${item.reason ?? "no data"})`);
  }
  for (const test of untracedTests) {
    if (test.status === "inconclusive") reasons.push(`untraced test inconclusive: ${test.title}`);
  }
  if (runStatus === "interrupted" || runStatus === "timedout") reasons.push(`the run was ${runStatus}`);
  if (reasons.length > 0) return done("inconclusive", reasons);

  const verified = items.filter((item) => item.status === "passed" || item.status === "attested").length;
  const untracedPassed = untracedTests.filter((test) => test.status === "passed").length;
  if (verified + untracedPassed === 0) {
    return done("inconclusive", [
      items.length === 0
        ? "no test ran and no item is in scope: there is nothing to base a pass on"
        : "every item was skipped by policy: nothing was verified",
    ]);
  }
  return done("passed", [`${verified} item(s) verified`]);
}

/**
 * The verdict's codeSha256 for a service: a single function's own CodeSha256, or for several functions a
 * SHA-256 over their sorted `name:CodeSha256` lines (promotion scripts compute the same for comparison).
 */
export function combinedCodeSha256(functions: readonly FunctionUnderTest[]): string | null {
  if (functions.length === 0) return null;
  const [only] = functions;
  if (functions.length === 1 && only) return only.codeSha256;
  const lines = functions.map((fn) => `${fn.functionName}:${fn.codeSha256}`).sort();
  return `combined:${createHash("sha256").update(lines.join("\n")).digest("base64")}`;
}

export type UsabilityExpectation = {
  service: string;
  env: string;
  codeSha256: string;
  maxAgeMs: number;
  /** Defaults to pre-promotion: the gate promotion trusts. */
  suite?: string;
  now?: Date;
};

/** Whether a verdict may gate a promotion: passing, same service/env/suite, same bits, fresh, hashed. */
export function isVerdictUsable(
  verdict: Verdict,
  expect: UsabilityExpectation,
): { usable: true } | { usable: false; reason: string } {
  const refuse = (reason: string) => ({ usable: false as const, reason });
  const suite = expect.suite ?? "pre-promotion";
  if (verdict.service !== expect.service)
    return refuse(`the verdict is for ${verdict.service}, not ${expect.service}`);
  if (verdict.environment !== expect.env)
    return refuse(`the verdict is for ${verdict.environment}, not ${expect.env}`);
  if (verdict.suite !== suite) return refuse(`the verdict is from the ${verdict.suite} suite, not ${suite}`);
  if (verdict.outcome !== "passed" || verdict.exitCode !== 0) {
    return refuse(
      `the verdict's outcome is ${verdict.outcome} (exit ${verdict.exitCode}): ${verdict.reasons.join("; ")}`,
    );
  }
  if (verdict.codeSha256 === null) return refuse("the verdict records no CodeSha256, so it binds no bits");
  if (verdict.codeSha256 !== expect.codeSha256) {
    return refuse(
      `the verdict is for CodeSha256 ${verdict.codeSha256}, the bits to promote are ${expect.codeSha256}`,
    );
  }
  if (verdict.reportSha256 === null)
    return refuse("the verdict has no report hash, so its evidence is not sealed");
  const now = (expect.now ?? new Date()).getTime();
  const endedAt = Date.parse(verdict.endedAt);
  if (Number.isNaN(endedAt)) return refuse(`the verdict's endedAt ${verdict.endedAt} is not a date`);
  // A minute of clock skew between the gate's runner and the promotion's runner is tolerated.
  if (endedAt > now + 60_000)
    return refuse(`the verdict ended in the future (${verdict.endedAt}); check the clocks`);
  const ageMs = now - endedAt;
  if (ageMs > expect.maxAgeMs) {
    return refuse(
      `the verdict is ${Math.round(ageMs / 60_000)} min old, older than the allowed ${Math.round(expect.maxAgeMs / 60_000)} min`,
    );
  }
  return { usable: true };
}

import { createHash } from "node:crypto";
import {
  type Counts,
  EXIT_CODES,
  type ExitCode,
  type FunctionUnderTest,
  type Guard,
  type ItemStatus,
  type Outcome,
  type Scope,
  type TestCounts,
  type TestStatus,
  type Verdict,
  type VerdictItem,
  type VerdictTest,
} from "./schema.ts";

/** Annotation types the fixtures write and the verdict reads. */
export const ANNOTATION = {
  runbookItem: "runbook-item",
  inconclusive: "inconclusive",
  skippedByPolicy: "skipped-by-policy",
  /** The check has nothing to verify for this service and environment (a DEV run has no source environment). */
  notApplicable: "not-applicable",
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
  /** How many times the test ran (retries + 1). */
  attempts?: number | undefined;
  /** For a flaky test: the first line of the first failed attempt's error, redacted. */
  firstFailure?: string | undefined;
  evidence: readonly string[];
};

/** Interprets one test: policy skips, not-applicable checks, flaky passes and inconclusive marks are not passes. */
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
    const notApplicable = find(ANNOTATION.notApplicable);
    if (notApplicable)
      return { status: "not-applicable", reason: notApplicable.description ?? "not applicable here" };
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
  if (raw.outcome === "flaky") {
    const attempts = raw.attempts ?? 2;
    const first = raw.firstFailure ? `; the first attempt failed: ${raw.firstFailure}` : "";
    return { status: "flaky", reason: `passed only on attempt ${attempts}${first}` };
  }
  return { status: "passed" };
}

/**
 * An automated item's status from its tests: any failure fails it; no data or partial data is inconclusive;
 * a pass on retry makes it flaky; tests that were skipped by policy or do not apply count for nothing.
 */
export function aggregateTestStatuses(statuses: readonly TestStatus[]): TestStatus {
  if (statuses.length === 0) return "inconclusive";
  if (statuses.includes("failed")) return "failed";
  if (statuses.includes("inconclusive")) return "inconclusive";
  if (statuses.includes("flaky")) return "flaky";
  if (statuses.includes("passed")) return "passed";
  if (statuses.includes("skipped-by-policy")) return "skipped-by-policy";
  return "not-applicable";
}

/** Counts tests by status. */
export function countTests(tests: readonly VerdictTest[]): TestCounts {
  const count = (status: TestStatus) => tests.filter((test) => test.status === status).length;
  return {
    total: tests.length,
    passed: count("passed"),
    failed: count("failed"),
    flaky: count("flaky"),
    skippedByPolicy: count("skipped-by-policy"),
    notApplicable: count("not-applicable"),
    inconclusive: count("inconclusive"),
  };
}

/** Counts items by status, and the run's tests (each once, traced or not) by theirs. */
export function countItems(items: readonly VerdictItem[], tests: readonly VerdictTest[]): Counts {
  const count = (status: ItemStatus) => items.filter((item) => item.status === status).length;
  return {
    items: items.length,
    passed: count("passed"),
    failed: count("failed"),
    flaky: count("flaky"),
    skippedByPolicy: count("skipped-by-policy"),
    notApplicable: count("not-applicable"),
    inconclusive: count("inconclusive"),
    attested: count("attested"),
    missingAttestation: count("missing-attestation"),
    tests: tests.length,
    testsByStatus: countTests(tests),
  };
}

/** Exit code of an outcome (principle 8; README's table): one code per outcome, nothing else decides it. */
export function exitCodeFor(outcome: Outcome): ExitCode {
  return EXIT_CODES[outcome];
}

export type OutcomeInput = {
  guard: Guard;
  items: readonly VerdictItem[];
  untracedTests: readonly VerdictTest[];
  /** Errors outside any test (a spec that failed to load, a worker crash), redacted. */
  globalErrors: readonly string[];
  /** Playwright's overall status. */
  runStatus: "passed" | "failed" | "timedout" | "interrupted";
  /** Automated items of the suite that no test of this run covered. */
  notCovered?: readonly string[];
  /** What part of the suite the run was meant to cover (defaults to the whole suite, unsharded). */
  scope?: Pick<Scope, "narrowedBy" | "shard">;
  /** The environment's gate policy: whether an item that passed only on retry may pass the gate. */
  acceptFlaky?: boolean;
  /** The environment's name for reasons, e.g. "PROD". */
  environmentName?: string;
};

/** A short list for a reason line: the first few ids and how many more. */
function listIds(ids: readonly string[], max = 5): string {
  const shown = ids.slice(0, max).join(", ");
  return ids.length > max ? `${shown} and ${ids.length - max} more` : shown;
}

/** Decides the overall outcome, its exit code and the reasons, from the items and the run's context. */
export function decideOutcome(input: OutcomeInput): {
  outcome: Outcome;
  exitCode: ExitCode;
  reasons: string[];
} {
  const { guard, items, untracedTests, globalErrors, runStatus } = input;
  const notCovered = input.notCovered ?? [];
  const narrowedBy = input.scope?.narrowedBy ?? [];
  const shard = input.scope?.shard ?? null;
  const done = (outcome: Outcome, reasons: string[]) => ({
    outcome,
    exitCode: exitCodeFor(outcome),
    reasons,
  });
  if (guard.status === "failed") {
    const reason = `account guard failed (${guard.kind ?? "error"}): ${guard.message ?? "no message"}`;
    if (runStatus === "interrupted") return done("interrupted", ["the run was interrupted", reason]);
    if (guard.kind === "target-missing") return done("failed", [reason]);
    if (guard.kind === "account-mismatch" || guard.kind === "credentials") return done("error", [reason]);
    return done("inconclusive", [reason]);
  }
  const ran = [...items.flatMap((item) => item.tests), ...untracedTests];
  if (globalErrors.length > 0 && ran.every((test) => test.status === "inconclusive")) {
    return done(
      runStatus === "interrupted" ? "interrupted" : "error",
      globalErrors.map((error) => `error outside tests: ${error}`),
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
  const flaky = items.filter((item) => item.status === "flaky");
  if (flaky.length > 0 && input.acceptFlaky === false) {
    for (const item of flaky) {
      reasons.push(
        `${item.id}: flaky (${item.reason ?? "passed only on retry"}); the ${input.environmentName ?? "environment's"} gate does not accept flaky checks`,
      );
    }
  }
  if (globalErrors.length > 0) reasons.push(...globalErrors.map((error) => `error outside tests: ${error}`));
  if (runStatus === "interrupted") return done("interrupted", ["the run was interrupted", ...reasons]);
  if (reasons.length > 0) return done("failed", reasons);

  for (const item of items) {
    if (item.status === "inconclusive")
      reasons.push(`${item.id}: inconclusive (${item.reason ?? "no data"})`);
  }
  for (const test of untracedTests) {
    if (test.status === "inconclusive") reasons.push(`untraced test inconclusive: ${test.title}`);
  }
  if (runStatus === "timedout") reasons.push("the run timed out");
  // A run that was not narrowed on purpose must cover its whole suite: a missing shard, a spec that did not
  // load or a test that was removed leaves items unchecked, and unchecked is not passed.
  if (notCovered.length > 0 && narrowedBy.length === 0 && shard === null) {
    reasons.push(
      `${notCovered.length} automated item(s) of the suite were not covered by this run (${listIds(notCovered)}); a partial run is never a passing gate`,
    );
  }
  if (reasons.length > 0) return done("inconclusive", reasons);

  const verified = items.filter(
    (item) => item.status === "passed" || item.status === "attested" || item.status === "flaky",
  ).length;
  const untracedPassed = untracedTests.filter((test) => test.status === "passed").length;
  if (verified + untracedPassed === 0) {
    return done("inconclusive", [
      items.length === 0
        ? "no test ran and no item is in scope: there is nothing to base a pass on"
        : "every item was skipped by policy or does not apply here: nothing was verified",
    ]);
  }
  const passReasons = [`${verified} item(s) verified`];
  if (flaky.length > 0)
    passReasons.push(
      `${flaky.length} flaky item(s) accepted by the gate policy: ${listIds(flaky.map((i) => i.id))}`,
    );
  if (narrowedBy.length > 0 || shard !== null) {
    const how = [...narrowedBy, ...(shard ? [`--shard ${shard}`] : [])].join(" ");
    passReasons.push(
      `partial run (${how}): ${notCovered.length} item(s) of the suite not covered; a promotion does not accept it`,
    );
  }
  return done("passed", passReasons);
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
  if (!verdict.scope.complete) {
    const how = [
      ...verdict.scope.narrowedBy,
      ...(verdict.scope.shard ? [`shard ${verdict.scope.shard}`] : []),
    ];
    return refuse(
      `the verdict is partial (${how.join(", ") || "not every item covered"}): ${verdict.notCovered.length} item(s) of the suite were not checked`,
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

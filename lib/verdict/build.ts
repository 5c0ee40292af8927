import type { EnvironmentId, Runbook, RunbookItem, ServiceId } from "../../runbooks/schema.ts";
import {
  ANNOTATION,
  aggregateTestStatuses,
  classifyTest,
  combinedCodeSha256,
  countItems,
  decideOutcome,
  type RawTest,
} from "./policy.ts";
import type {
  AttestationRef,
  FunctionUnderTest,
  Guard,
  Verdict,
  VerdictItem,
  VerdictSuite,
  VerdictTest,
} from "./schema.ts";

/**
 * How an attested item of the run's scope stands, decided before the verdict is built (lib/checks
 * decideAttestedItem: signature, role, bits, expiry, approvals): attested with the accepted records, or why not.
 */
export type AttestedDecision =
  | { status: "attested"; attestations: readonly AttestationRef[] }
  | { status: "missing-attestation"; reason: string };

export type BuildVerdictInput = {
  service: ServiceId;
  environment: EnvironmentId;
  suite: VerdictSuite;
  target: string;
  runId: string;
  harnessCommit: string;
  startedAt: string;
  endedAt: string;
  runbooks: readonly Runbook[];
  tests: readonly RawTest[];
  guard: Guard;
  functions: readonly FunctionUnderTest[];
  /** The decision for each attested item in scope (absent: missing, with a reason that says so). */
  attestations: ReadonlyMap<string, AttestedDecision>;
  globalErrors: readonly string[];
  runStatus: "passed" | "failed" | "timedout" | "interrupted";
  now: Date;
  /** How the user narrowed the run on purpose (`--grep @probe`, `--item <id>`); empty or absent when not. */
  narrowedBy?: readonly string[];
  /** The shard (`"1/2"`) when this verdict covers one shard of a sharded run before the merge. */
  shard?: string | null;
  /** The environment's gate policy on flaky checks (runbooks: PROD does not accept them). */
  acceptFlaky?: boolean;
  /** The environment's display name for reasons. */
  environmentName?: string;
};

/** The attested items a verdict of this service, environment and suite looks up. */
export function attestedItemsInScope(
  runbooks: readonly Runbook[],
  service: ServiceId,
  environment: EnvironmentId,
  suite: VerdictSuite,
): RunbookItem[] {
  return runbooks.flatMap((runbook) =>
    runbook.service !== service
      ? []
      : runbook.sections.flatMap((section) =>
          section.items.filter(
            (item) =>
              item.kind === "attested" &&
              item.environments.includes(environment) &&
              (item.suite ?? section.suite) === suite,
          ),
        ),
  );
}

/**
 * Which attested items a narrowed run still answers for: all when it was not narrowed, those its `--item`
 * selectors name (an id or a section) when it was, none when only `--grep` narrowed it.
 */
function selectedByNarrowing(narrowedBy: readonly string[]): (id: string) => boolean {
  if (narrowedBy.length === 0) return () => true;
  const selectors = narrowedBy.flatMap((how) =>
    how.startsWith("--item ") ? [how.slice(7).trim().replace(/\/+$/, "")] : [],
  );
  return (id) => selectors.some((sel) => id === sel || id.startsWith(`${sel}/`) || id.startsWith(`${sel}.`));
}

type ScopedItem = { item: RunbookItem; inSuite: boolean; applies: boolean };

/** Every item of the runbooks, marked whether it applies to this service and environment and whether its section belongs to the suite. */
function itemsFor(input: BuildVerdictInput): Map<string, ScopedItem> {
  const out = new Map<string, ScopedItem>();
  for (const runbook of input.runbooks) {
    for (const section of runbook.sections) {
      for (const item of section.items) {
        const applies = runbook.service === input.service && item.environments.includes(input.environment);
        out.set(item.id, {
          item,
          inSuite: applies && (item.suite ?? section.suite) === input.suite,
          applies,
        });
      }
    }
  }
  return out;
}

function byTitle(a: VerdictTest, b: VerdictTest): number {
  return a.file.localeCompare(b.file) || a.title.localeCompare(b.title) || a.project.localeCompare(b.project);
}

/**
 * Builds the verdict from the run's tests, the runbooks and the attestations. Pure apart from the attestation
 * lookup, and independent of test order, so a sharded-and-merged run gives the same items as an unsharded one.
 */
export function buildVerdict(input: BuildVerdictInput): Verdict {
  const scope = itemsFor(input);
  const testsByItem = new Map<string, { test: VerdictTest; evidence: readonly string[] }[]>();
  const untracedTests: VerdictTest[] = [];
  // Every test once, whether it names one item, several or none: what the summary counts by status.
  const testsOnce: VerdictTest[] = [];
  for (const raw of input.tests) {
    const { status, reason } = classifyTest(raw);
    const test: VerdictTest = {
      title: raw.title,
      file: raw.file,
      project: raw.project,
      status,
      durationMs: Math.round(raw.durationMs),
      ...(reason === undefined ? {} : { reason }),
    };
    // A test may name the same check in several environments' sections (5.1, 6.4 and 7.4 are one health
    // invoke); only the items that apply to this run's service and environment are counted.
    const ids = [
      ...new Set(
        raw.annotations
          .filter((annotation) => annotation.type === ANNOTATION.runbookItem && annotation.description)
          .map((annotation) => annotation.description ?? "")
          .filter((id) => scope.get(id)?.applies ?? true),
      ),
    ];
    testsOnce.push(test);
    if (ids.length === 0) untracedTests.push(test);
    for (const id of ids)
      testsByItem.set(id, [...(testsByItem.get(id) ?? []), { test, evidence: raw.evidence }]);
  }

  const functions = [...input.functions].sort((a, b) => a.functionName.localeCompare(b.functionName));
  const primary = input.functions[0];
  const codeSha256 = combinedCodeSha256(functions);
  const items: VerdictItem[] = [];
  const notCovered: string[] = [];

  for (const [id, entries] of testsByItem) {
    const tests = entries.map((entry) => entry.test).sort(byTitle);
    const status = aggregateTestStatuses(tests.map((test) => test.status));
    const firstReason = tests.find((test) => test.status === status && test.reason)?.reason;
    items.push({
      id,
      title: scope.get(id)?.item.title ?? null,
      kind: "automated",
      status,
      tests,
      evidence: [...new Set(entries.flatMap((entry) => entry.evidence))].sort(),
      ...(status !== "passed" && firstReason ? { reason: firstReason } : {}),
    });
  }

  const selected = selectedByNarrowing(input.narrowedBy ?? []);
  for (const [id, { item, inSuite }] of scope) {
    if (!inSuite || testsByItem.has(id)) continue;
    if (item.kind === "automated") {
      notCovered.push(id);
      continue;
    }
    // A run narrowed on purpose answers for what it selected: an attested item it did not select is left out,
    // not reported as missing, and counts as not covered (the verdict is partial and no gate accepts it).
    if (!selected(id)) {
      notCovered.push(id);
      continue;
    }
    const decision: AttestedDecision = input.attestations.get(id) ?? {
      status: "missing-attestation",
      reason: "no attestation was looked up for it",
    };
    const [first, ...more] = decision.status === "attested" ? decision.attestations : [];
    items.push(
      decision.status === "attested" && first
        ? {
            id,
            title: item.title,
            kind: "attested",
            status: "attested",
            tests: [],
            evidence: [],
            attestation: first,
            ...(more.length > 0 ? { approvals: [first, ...more] } : {}),
          }
        : {
            id,
            title: item.title,
            kind: "attested",
            status: "missing-attestation",
            tests: [],
            evidence: [],
            reason: decision.status === "attested" ? "no accepted attestation" : decision.reason,
          },
    );
  }

  items.sort((a, b) => a.id.localeCompare(b.id));
  untracedTests.sort(byTitle);
  notCovered.sort();
  const narrowedBy = [...(input.narrowedBy ?? [])];
  const shard = input.shard ?? null;
  const { outcome, exitCode, reasons } = decideOutcome({
    guard: input.guard,
    items,
    untracedTests,
    globalErrors: input.globalErrors,
    runStatus: input.runStatus,
    notCovered,
    scope: { narrowedBy, shard },
    ...(input.acceptFlaky === undefined ? {} : { acceptFlaky: input.acceptFlaky }),
    ...(input.environmentName === undefined ? {} : { environmentName: input.environmentName }),
  });
  return {
    schemaVersion: 2,
    service: input.service,
    environment: input.environment,
    suite: input.suite,
    target: input.target,
    version: primary
      ? { alias: primary.alias, functionVersion: primary.functionVersion, appVersion: primary.appVersion }
      : null,
    codeSha256,
    functions,
    runId: input.runId,
    harnessCommit: input.harnessCommit,
    startedAt: input.startedAt,
    endedAt: input.endedAt,
    guard: input.guard,
    items,
    untracedTests,
    notCovered,
    scope: { complete: notCovered.length === 0 && shard === null, narrowedBy, shard },
    counts: countItems(items, testsOnce),
    outcome,
    exitCode,
    reasons,
    reportSha256: null,
  };
}

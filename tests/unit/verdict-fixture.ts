/** A schema-valid verdict for the harness's own tests: a passing DEV smoke run, with what a test changes. */
import { countItems, type Verdict, VerdictSchema } from "../../lib/verdict/index.ts";

export function verdictWith(overrides: Partial<Verdict> = {}): Verdict {
  return VerdictSchema.parse({
    schemaVersion: 2,
    service: "tenant-instance-management",
    environment: "dev",
    suite: "smoke",
    target: "SANDBOX (embedded, 127.0.0.1)",
    version: null,
    codeSha256: null,
    functions: [],
    runId: "r-1",
    harnessCommit: "abc",
    startedAt: "2026-12-01T00:00:00.000Z",
    endedAt: "2026-12-01T00:01:00.000Z",
    guard: { status: "passed" },
    items: [],
    untracedTests: [],
    notCovered: [],
    scope: { complete: true, narrowedBy: [], shard: null },
    counts: countItems([], []),
    outcome: "passed",
    exitCode: 0,
    reasons: [],
    reportSha256: null,
    ...overrides,
  });
}

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  type BuildVerdictInput,
  buildVerdict,
  computeReportSha256,
  type RawTest,
  reportFiles,
  VerdictSchema,
} from "../../lib/verdict/index.ts";
import type { Runbook } from "../../runbooks/schema.ts";

const runbook: Runbook = {
  id: "tenant-deploy",
  title: "Tenant Lambda Deployment Runbook",
  service: "tenant-instance-management",
  source: "seeds/tenant-lambda-deployment-runbook.md",
  sections: [
    {
      number: "5.1",
      title: "Health Check",
      suite: "smoke",
      items: [
        {
          id: "tenant-deploy/5.1/direct-invoke",
          title: "Direct invoke",
          kind: "automated",
          environments: ["dev", "sit", "prod"],
          thresholds: [],
        },
        {
          id: "tenant-deploy/5.1/uncovered",
          title: "Not tested here",
          kind: "automated",
          environments: ["dev"],
          thresholds: [],
        },
      ],
    },
    {
      number: "5.2",
      title: "API Gateway",
      suite: "smoke",
      items: [
        {
          id: "tenant-deploy/5.2/api-health",
          title: "API health",
          kind: "automated",
          environments: ["dev"],
          thresholds: [],
        },
        {
          id: "tenant-deploy/5.2/signed-off",
          title: "QA signed off",
          kind: "attested",
          environments: ["dev"],
          attestedBy: "qa-lead",
          thresholds: [],
        },
        {
          id: "tenant-deploy/5.2/prod-only",
          title: "Prod only",
          kind: "attested",
          environments: ["prod"],
          thresholds: [],
        },
      ],
    },
    {
      number: "7.1",
      title: "Pre-promotion",
      suite: "pre-promotion",
      items: [
        {
          id: "tenant-deploy/7.1/change-approved",
          title: "CR",
          kind: "attested",
          environments: ["dev"],
          thresholds: [],
        },
      ],
    },
  ],
};

const verifies = (...ids: string[]) => ids.map((id) => ({ type: "runbook-item", description: id }));

function rawTest(title: string, ids: string[], overrides: Partial<RawTest> = {}): RawTest {
  return {
    title,
    file: "suites/smoke/health.spec.ts",
    project: "smoke-dev",
    outcome: "expected",
    lastStatus: "passed",
    annotations: verifies(...ids),
    durationMs: 12.4,
    evidence: [],
    ...overrides,
  };
}

function input(tests: RawTest[], overrides: Partial<BuildVerdictInput> = {}): BuildVerdictInput {
  return {
    service: "tenant-instance-management",
    environment: "dev",
    suite: "smoke",
    target: "SANDBOX (embedded, 127.0.0.1)",
    runId: "20261122-060000-dev-smoke-abcd",
    harnessCommit: "abc123",
    startedAt: "2026-11-22T06:00:00.000Z",
    endedAt: "2026-11-22T06:01:00.000Z",
    runbooks: [runbook],
    tests,
    guard: { status: "passed" },
    functions: [
      {
        functionName: "bbws-tenant-instance-management-dev",
        alias: "latest-dev",
        functionVersion: "3",
        appVersion: "1.4.0",
        codeSha256: "sha=",
      },
    ],
    attestations: new Map([
      [
        "tenant-deploy/5.2/signed-off",
        {
          status: "missing-attestation",
          reason: "no attestation file attestations/dev/tenant-deploy__5.2__signed-off",
        },
      ],
    ]),
    globalErrors: [],
    runStatus: "passed",
    now: new Date("2026-11-22T06:01:00.000Z"),
    ...overrides,
  };
}

const attested: BuildVerdictInput["attestations"] = new Map([
  [
    "tenant-deploy/5.2/signed-off",
    {
      status: "attested",
      attestations: [
        {
          file: "attestations/dev/x.json",
          by: "q@bbws.example",
          role: "qa-lead",
          at: "2026-11-21T00:00:00.000Z",
          reference: "CHG-7",
        },
      ],
    },
  ],
]);

describe("buildVerdict", () => {
  const tests = [
    rawTest("5.1 invoke", ["tenant-deploy/5.1/direct-invoke"], { evidence: ["evidence/a.json"] }),
    rawTest("5.2 health", ["tenant-deploy/5.2/api-health", "tenant-deploy/5.1/direct-invoke"]),
  ];

  test("produces a schema-valid verdict with the items tested, the suite's attested items and what was not covered", () => {
    const verdict = buildVerdict(input(tests));
    assert.equal(VerdictSchema.safeParse(verdict).success, true);
    assert.deepEqual(
      verdict.items.map((item) => [item.id, item.status]),
      [
        ["tenant-deploy/5.1/direct-invoke", "passed"],
        ["tenant-deploy/5.2/api-health", "passed"],
        ["tenant-deploy/5.2/signed-off", "missing-attestation"],
      ],
    );
    assert.deepEqual(verdict.notCovered, ["tenant-deploy/5.1/uncovered"]);
    assert.deepEqual(verdict.items[0]?.evidence, ["evidence/a.json"]);
    assert.equal(verdict.items[0]?.tests.length, 2);
    assert.equal(verdict.codeSha256, "sha=");
    assert.deepEqual(verdict.version, { alias: "latest-dev", functionVersion: "3", appVersion: "1.4.0" });
    // Only the smoke suite's attested items count: the pre-promotion change request is not in scope.
    assert.equal(verdict.outcome, "failed");
    assert.equal(verdict.exitCode, 1);
    assert.equal(verdict.counts.missingAttestation, 1);
  });

  test("an attestation on file for the right role makes the run pass once every automated item is covered", () => {
    const verdict = buildVerdict(input(tests, { attestations: attested }));
    assert.equal(verdict.items.find((item) => item.kind === "attested")?.status, "attested");
    // tenant-deploy/5.1/uncovered has no test in this run: a whole-suite run that skipped it is not a pass.
    assert.deepEqual([verdict.outcome, verdict.exitCode], ["inconclusive", 3]);
    assert.match(
      verdict.reasons.join("\n"),
      /1 automated item\(s\) of the suite were not covered by this run \(tenant-deploy\/5\.1\/uncovered\)/,
    );
    assert.deepEqual(verdict.scope, { complete: false, narrowedBy: [], shard: null });
    const narrowed = buildVerdict(
      input(tests, { attestations: attested, narrowedBy: ["--item tenant-deploy/5.2"] }),
    );
    assert.deepEqual([narrowed.outcome, narrowed.exitCode], ["passed", 0]);
    assert.deepEqual(narrowed.scope, {
      complete: false,
      narrowedBy: ["--item tenant-deploy/5.2"],
      shard: null,
    });
    const covered = buildVerdict(
      input([...tests, rawTest("5.1 uncovered", ["tenant-deploy/5.1/uncovered"])], {
        attestations: attested,
      }),
    );
    assert.deepEqual([covered.outcome, covered.exitCode, covered.scope.complete], ["passed", 0, true]);
  });

  test("a run narrowed on purpose leaves out the attested items it did not select, instead of calling them missing", () => {
    const byItem = buildVerdict(input(tests, { narrowedBy: ["--item tenant-deploy/5.1"] }));
    assert.equal(
      byItem.items.find((item) => item.kind === "attested"),
      undefined,
    );
    assert.deepEqual([byItem.outcome, byItem.scope.complete], ["passed", false]);
    const byGrep = buildVerdict(input(tests, { narrowedBy: ["--grep health"] }));
    assert.equal(
      byGrep.items.find((item) => item.kind === "attested"),
      undefined,
    );
    const bySection = buildVerdict(input(tests, { narrowedBy: ["--item tenant-deploy/5.2"] }));
    assert.equal(bySection.items.find((item) => item.kind === "attested")?.status, "missing-attestation");
    assert.equal(bySection.outcome, "failed");
  });

  test("is independent of test order, as a merged sharded run needs", () => {
    const a = buildVerdict(input(tests));
    const b = buildVerdict(input([...tests].reverse()));
    assert.deepEqual(a.items, b.items);
  });

  test("counts only the named items that apply to the run's environment", () => {
    const sitOnly: Runbook = {
      ...runbook,
      sections: [
        ...runbook.sections,
        {
          number: "6.4",
          title: "SIT verification",
          suite: "smoke",
          items: [
            {
              id: "tenant-deploy/6.4/health-direct-invoke",
              title: "SIT invoke",
              kind: "automated",
              environments: ["sit"],
              thresholds: [],
            },
          ],
        },
      ],
    };
    const verdict = buildVerdict(
      input(
        [rawTest("invoke", ["tenant-deploy/5.1/direct-invoke", "tenant-deploy/6.4/health-direct-invoke"])],
        {
          runbooks: [sitOnly],
        },
      ),
    );
    assert.deepEqual(
      verdict.items.filter((item) => item.kind === "automated").map((item) => item.id),
      ["tenant-deploy/5.1/direct-invoke"],
    );
  });

  test("one failing test fails every item it verifies", () => {
    const failing = [
      tests[0] as RawTest,
      rawTest("5.2 health", ["tenant-deploy/5.2/api-health", "tenant-deploy/5.1/direct-invoke"], {
        outcome: "unexpected",
        lastStatus: "failed",
        firstError: "expected 200, got 500",
      }),
    ];
    const verdict = buildVerdict(input(failing));
    const statuses = Object.fromEntries(verdict.items.map((item) => [item.id, item.status]));
    assert.equal(statuses["tenant-deploy/5.1/direct-invoke"], "failed");
    assert.equal(statuses["tenant-deploy/5.2/api-health"], "failed");
    assert.equal(verdict.items[0]?.reason, "expected 200, got 500");
  });
});

describe("computeReportSha256", () => {
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "report-hash-"));
    mkdirSync(join(dir, "html"));
    writeFileSync(join(dir, "html", "index.html"), "<html>");
    writeFileSync(join(dir, "junit.xml"), "<testsuites/>");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("covers every report file but not verdict.json, and changes when any report byte changes", () => {
    const first = computeReportSha256(dir);
    assert.match(first, /^[0-9a-f]{64}$/);
    writeFileSync(join(dir, "verdict.json"), "{}");
    writeFileSync(join(dir, "verdict.shard-1-of-2.json"), "{}");
    assert.equal(computeReportSha256(dir), first);
    writeFileSync(join(dir, "html", "verdict.json"), "{}");
    assert.notEqual(computeReportSha256(dir), first, "only top-level verdict files are exempt");
    rmSync(join(dir, "html", "verdict.json"));
    assert.deepEqual(reportFiles(dir), ["html/index.html", "junit.xml"]);
    writeFileSync(join(dir, "junit.xml"), "<testsuites />");
    assert.notEqual(computeReportSha256(dir), first);
  });
});

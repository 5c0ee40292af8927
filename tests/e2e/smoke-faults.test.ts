/**
 * The smoke suite against the sandbox's fault builds: each defect makes the suite fail, and the failing
 * test names the endpoint and the runbook item. Only the affected tests run (--grep) to keep this fast,
 * and DEV, SIT and PROD each take one fault at a time, checked in parallel.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runSuite, type TestSandbox, tail, useTestSandbox } from "./support.ts";

interface FaultCase {
  name: string;
  /** Environment the fault build goes to; faults caught by read-only tests use PROD, so three run at once. */
  env: "dev" | "sit" | "prod";
  round: 1 | 2;
  fault: { kind: string; route?: string; delayMs?: number };
  /** Test title pattern of the tests that exercise the faulty endpoint. */
  grep: string;
  /** The runbook item whose failure the verdict must show. */
  item: string;
  /** What the failing test's title or error must say: the endpoint, the item (our specs say it), and why. */
  mentions: string[];
}

/**
 * The budget the fault runs use: the runbook's 3000 ms plus room for this busy test machine, so only the
 * injected delay (well above it) can exceed it.
 */
const FAULT_LATENCY_BUDGET_MS = 5_000;

const cases: FaultCase[] = [
  {
    name: "endpoint-5xx on POST /tenants/{id}/park",
    env: "dev",
    round: 1,
    fault: { kind: "endpoint-5xx", route: "POST /tenants/{id}/park" },
    grep: "park and unpark a tenant",
    item: "tenant-deploy/1.2/tenant-routes",
    mentions: [
      "POST /tenants/{id}/park (tenant-park)",
      "tenant-deploy/1.2/tenant-routes",
      "status 500, expected 200",
    ],
  },
  {
    name: "contract-drift on GET /tenants/{id}",
    env: "prod",
    round: 1,
    fault: { kind: "contract-drift", route: "GET /tenants/{id}" },
    grep: "returns an existing tenant and 404",
    item: "tenant-deploy/5.3/get-tenant-by-id",
    mentions: ["GET /tenants/{id} (get-tenant)", "tenant-deploy/5.3/get-tenant-by-id", "status:"],
  },
  {
    name: "auth-not-enforced",
    env: "sit",
    round: 2,
    fault: { kind: "auth-not-enforced" },
    grep: "without a token, or with a forged one",
    item: "tenant-deploy/5.2/tenants-require-auth",
    mentions: ["GET /tenants (list-tenants)", "tenant-deploy/5.2/tenants-require-auth", "expected 401"],
  },
  {
    name: "writes-not-persisted",
    env: "sit",
    round: 1,
    fault: { kind: "writes-not-persisted" },
    grep: "create, get, update and soft delete a tenant",
    item: "tenant-deploy/1.2/tenant-routes",
    mentions: [
      "GET /tenants/{id} (get-tenant)",
      "tenant-deploy/1.2/tenant-routes",
      "status 404, expected 200",
    ],
  },
  {
    name: "wrong-version",
    env: "prod",
    round: 2,
    fault: { kind: "wrong-version" },
    grep: "GET /health through the API URL",
    item: "tenant-deploy/5.2/api-health",
    mentions: ["GET /health", "-rogue"],
  },
  {
    name: "slow-endpoint on PUT /instances/{id}/size beyond its latency budget",
    env: "dev",
    round: 2,
    fault: {
      kind: "slow-endpoint",
      route: "PUT /instances/{id}/size",
      delayMs: FAULT_LATENCY_BUDGET_MS + 2_000,
    },
    grep: "create, get, list, update, scale, suspend",
    item: "tenant-deploy/5.3/scale-instance",
    mentions: [
      "PUT /instances/{id}/size (scale-instance)",
      "tenant-deploy/5.3/scale-instance",
      `over the latency budget of ${FAULT_LATENCY_BUDGET_MS} ms`,
    ],
  },
];

async function checkFault(sandbox: TestSandbox, faultCase: FaultCase): Promise<void> {
  const { env } = faultCase;
  await sandbox.sandbox.deploy({ env, appVersion: "1.5.0", fault: faultCase.fault });
  const run = await runSuite(sandbox, {
    env,
    suite: "smoke",
    grep: faultCase.grep,
    extraEnv: { [`HARNESS_${env.toUpperCase()}_HTTP_LATENCY_BUDGET_MS`]: String(FAULT_LATENCY_BUDGET_MS) },
  });
  const context = `${faultCase.name} on ${env}:\n${tail(run)}`;
  assert.equal(run.code, 1, `the suite must fail (exit 1): ${context}`);
  assert.equal(run.verdict?.outcome, "failed", context);
  const item = run.verdict?.items.find((candidate) => candidate.id === faultCase.item);
  assert.equal(item?.status, "failed", `item ${faultCase.item} must fail: ${context}`);
  const failing = item?.tests.filter((candidate) => candidate.status === "failed") ?? [];
  assert.ok(failing.length > 0, `no failed test under ${faultCase.item}: ${context}`);
  const said = failing.map((candidate) => `${candidate.title}\n${candidate.reason ?? ""}`).join("\n");
  for (const mention of faultCase.mentions) {
    assert.ok(said.includes(mention), `the failing test does not say "${mention}":\n${said}`);
  }
}

describe("smoke suite on fault builds", { timeout: 600_000 }, () => {
  const sandbox = useTestSandbox();

  for (const round of [1, 2] as const) {
    const batch = cases.filter((faultCase) => faultCase.round === round);
    test(`fails on ${batch.map((faultCase) => `${faultCase.name} (${faultCase.env})`).join(", ")}`, async () => {
      await Promise.all(batch.map((faultCase) => checkFault(sandbox, faultCase)));
    });
  }
});

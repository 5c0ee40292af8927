/**
 * The smoke suite against the sandbox's fault builds: each defect makes the suite fail, and the failing
 * test names the endpoint and the runbook item. Only the affected tests run (--grep) to keep this fast;
 * DEV and SIT take one fault each at a time, in parallel.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runSmoke, startTestSandbox, type TestSandbox, tail } from "./smoke-support.ts";

interface FaultCase {
  name: string;
  fault: { kind: string; route?: string; delayMs?: number };
  /** Test title pattern of the tests that exercise the faulty endpoint. */
  grep: string;
  /** The runbook item whose failure the verdict must show. */
  item: string;
  /** What the failing test's title or error must say: the endpoint, and why. */
  mentions: string[];
}

const cases: FaultCase[] = [
  {
    name: "endpoint-5xx on POST /tenants/{id}/park",
    fault: { kind: "endpoint-5xx", route: "POST /tenants/{id}/park" },
    grep: "park and unpark a tenant",
    item: "tenant-deploy/1.2/tenant-routes",
    mentions: ["POST /tenants/{id}/park (tenant-park)", "status 500, expected 200"],
  },
  {
    name: "contract-drift on GET /tenants/{id}",
    fault: { kind: "contract-drift", route: "GET /tenants/{id}" },
    grep: "returns an existing tenant and 404",
    item: "tenant-deploy/5.3/get-tenant-by-id",
    mentions: ["GET /tenants/{id} (get-tenant)", "status:"],
  },
  {
    name: "auth-not-enforced",
    fault: { kind: "auth-not-enforced" },
    grep: "without a token, or with a forged one",
    item: "tenant-deploy/5.2/tenants-require-auth",
    mentions: ["GET /tenants (list-tenants)", "expected 401"],
  },
  {
    name: "writes-not-persisted",
    fault: { kind: "writes-not-persisted" },
    grep: "create, get, update and soft delete a tenant",
    item: "tenant-deploy/1.2/tenant-routes",
    mentions: ["GET /tenants/{id} (get-tenant)", "status 404, expected 200"],
  },
  {
    name: "wrong-version",
    fault: { kind: "wrong-version" },
    grep: "GET /health through the API URL",
    item: "tenant-deploy/5.2/api-health",
    mentions: ["GET /health", "-rogue"],
  },
  {
    name: "slow-endpoint on PUT /instances/{id}/size beyond the 3000 ms budget",
    fault: { kind: "slow-endpoint", route: "PUT /instances/{id}/size", delayMs: 3_500 },
    grep: "create, get, list, update, scale, suspend",
    item: "tenant-deploy/5.3/scale-instance",
    mentions: ["PUT /instances/{id}/size (scale-instance)", "over the latency budget of 3000 ms"],
  },
];

async function checkFault(sandbox: TestSandbox, env: "dev" | "sit", faultCase: FaultCase): Promise<void> {
  await sandbox.sandbox.deploy({ env, appVersion: "1.5.0", fault: faultCase.fault });
  const run = await runSmoke(sandbox, { env, grep: faultCase.grep });
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
  let sandbox: TestSandbox;
  before(async () => {
    sandbox = await startTestSandbox();
  });
  after(async () => {
    await sandbox?.close();
  });

  for (let index = 0; index < cases.length; index += 2) {
    const pair = cases.slice(index, index + 2);
    test(`fails on ${pair.map((faultCase) => faultCase.name).join(" / ")}`, async () => {
      const envs = ["dev", "sit"] as const;
      await Promise.all(
        pair.map((faultCase, position) => checkFault(sandbox, envs[position] ?? "dev", faultCase)),
      );
    });
  }
});

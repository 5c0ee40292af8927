import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import type { BuildSpec } from "../../sandbox/packaging/index.ts";
import {
  coldStart,
  type LoadedPackage,
  startTenantApiFixture,
  type TenantApiFixture,
} from "./tenant-api-fixture.ts";

// Each fault is compiled into its own package; the good build shares the tables and is the reference.
let fixture: TenantApiFixture;
let good: LoadedPackage;

before(async () => {
  fixture = await startTenantApiFixture();
  good = await fixture.load({ service: "tenant-instance-management", appVersion: "3.1.0" });
});
after(async () => {
  await fixture.close();
});

const faulty = (fault: NonNullable<BuildSpec["fault"]>) =>
  fixture.load({ service: "tenant-instance-management", appVersion: "3.1.0", fault });

const TenantRef = z.looseObject({ id: z.string(), status: z.string() });

async function newTenant(api: LoadedPackage = good): Promise<string> {
  const response = await api.request({
    method: "POST",
    path: "/tenants",
    body: { name: "Fault Co", contactEmail: "f@co.example" },
  });
  assert.equal(response.status, 201, response.rawBody);
  return TenantRef.parse(response.body).id;
}

const errorLines = (lines: string[]) => lines.filter((line) => line.includes("ERROR"));

describe("faults built into packages", () => {
  test("endpoint-5xx: the default route (tenant park) answers 500 and logs ERROR, others work", async () => {
    const api = await faulty({ kind: "endpoint-5xx" });
    const id = await newTenant();
    for (let i = 0; i < 3; i += 1) {
      const response = await api.request({ method: "POST", path: `/tenants/${id}/park` });
      assert.equal(response.status, 500);
      assert.equal(
        z.object({ error: z.object({ code: z.string() }) }).parse(response.body).error.code,
        "InternalError",
      );
      assert.ok(errorLines(response.stderr).length > 0, "the failure is logged at ERROR");
    }
    assert.equal((await api.request({ method: "GET", path: `/tenants/${id}` })).status, 200);
    assert.equal(
      TenantRef.parse((await good.request({ method: "GET", path: `/tenants/${id}` })).body).status,
      "active",
    );
    assert.equal(
      (await good.request({ method: "POST", path: `/tenants/${id}/park` })).status,
      200,
      "the good build parks",
    );
  });

  test("endpoint-5xx on a chosen route", async () => {
    const api = await faulty({ kind: "endpoint-5xx", route: "GET /invitations" });
    assert.equal((await api.request({ method: "GET", path: "/invitations" })).status, 500);
    assert.equal((await api.request({ method: "GET", path: "/tenants" })).status, 200);
  });

  test("slow-endpoint: the route sleeps delayMs before answering, other routes do not", async () => {
    // The lower bound is exact; the upper bound on the other route leaves room for a loaded machine.
    const api = await faulty({ kind: "slow-endpoint", delayMs: 1000 });
    const id = await newTenant();
    const timed = async (path: string) => {
      const started = performance.now();
      const response = await api.request({ method: "GET", path });
      assert.equal(response.status, 200);
      return performance.now() - started;
    };
    assert.ok((await timed("/tenants")) >= 1000);
    assert.ok((await timed(`/tenants/${id}`)) < 1000);
  });

  test("contract-drift: GET /tenants/{id} loses status and returns createdAt as a number", async () => {
    const api = await faulty({ kind: "contract-drift" });
    const id = await newTenant();
    const drifted = z
      .record(z.string(), z.unknown())
      .parse((await api.request({ method: "GET", path: `/tenants/${id}` })).body);
    assert.equal(drifted.id, id);
    assert.equal("status" in drifted, false);
    assert.equal(typeof drifted.createdAt, "number");
    const page = z
      .object({ items: z.array(TenantRef) })
      .parse((await api.request({ method: "GET", path: "/tenants" })).body);
    assert.ok(page.items.length > 0, "other routes keep the contract");
  });

  test("auth-not-enforced: requests without a valid token are served", async () => {
    const api = await faulty({ kind: "auth-not-enforced" });
    assert.equal((await api.request({ method: "GET", path: "/tenants", token: null })).status, 200);
    assert.equal((await api.request({ method: "GET", path: "/tenants", token: "garbage" })).status, 200);
    assert.equal((await good.request({ method: "GET", path: "/tenants", token: null })).status, 401);
  });

  test("health-crash: GET /health fails the invocation, other routes work", async () => {
    const api = await faulty({ kind: "health-crash" });
    await assert.rejects(api.invokeRaw({ httpMethod: "GET", path: "/health", headers: {} }), /health-crash/);
    assert.equal((await api.request({ method: "GET", path: "/tenants" })).status, 200);
  });

  test("flaky: about half of all invocations crash, on every route, health included", async () => {
    const api = await faulty({ kind: "flaky" });
    let crashed = 0;
    for (let i = 0; i < 200; i++) {
      await api.invokeRaw({ httpMethod: "GET", path: "/health", headers: {} }).catch((error: unknown) => {
        assert.match(String(error), /flaky/);
        crashed += 1;
      });
    }
    // Binomial(200, 0.5): outside 60..140 has a probability far below 1e-8.
    assert.ok(crashed > 60 && crashed < 140, `${crashed} of 200 crashed`);
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, () =>
        api.request({ method: "GET", path: "/tenants" }).then(
          (r) => r.status,
          () => "crashed",
        ),
      ),
    );
    assert.ok(outcomes.includes("crashed") && outcomes.includes(200), outcomes.join(","));
  });

  test("writes-not-persisted: creates and updates answer success but the table does not change", async () => {
    const api = await faulty({ kind: "writes-not-persisted" });
    const created = await api.request({
      method: "POST",
      path: "/tenants",
      body: { name: "Ghost", contactEmail: "g@co.example" },
    });
    assert.equal(created.status, 201);
    const ghost = TenantRef.parse(created.body).id;
    assert.equal((await good.request({ method: "GET", path: `/tenants/${ghost}` })).status, 404);
    const newest = await fixture.dynamo.send(
      new QueryCommand({
        TableName: "bbws-tenants-dev",
        KeyConditionExpression: "PK = :pk",
        ExpressionAttributeValues: { ":pk": "TENANT#" },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    assert.notEqual(newest.Items?.[0]?.SK, ghost, "the recent-writes query does not see it");

    const real = await newTenant();
    const parked = await api.request({ method: "POST", path: `/tenants/${real}/park` });
    assert.equal(parked.status, 200);
    assert.equal(TenantRef.parse(parked.body).status, "parked");
    assert.equal(
      TenantRef.parse((await good.request({ method: "GET", path: `/tenants/${real}` })).body).status,
      "active",
    );
  });

  test("wrong-version: health reports a version other than the manifest's", async () => {
    const api = await faulty({ kind: "wrong-version" });
    const health = z
      .object({ version: z.string() })
      .parse((await api.request({ method: "GET", path: "/health", token: null })).body);
    assert.notEqual(health.version, "3.1.0");
    assert.equal(health.version, "3.1.0-rogue");
    const reference = z
      .object({ version: z.string() })
      .parse((await good.request({ method: "GET", path: "/health", token: null })).body);
    assert.equal(reference.version, "3.1.0");
  });

  test("log-errors: correct answers, but an ERROR line on every request", async () => {
    const api = await faulty({ kind: "log-errors" });
    for (const path of ["/health", "/tenants"]) {
      const response = await api.request({ method: "GET", path });
      assert.equal(response.status, 200);
      const lines = errorLines(response.stderr);
      assert.equal(lines.length, 1);
      assert.equal(z.object({ level: z.literal("ERROR") }).parse(JSON.parse(lines[0] ?? "")).level, "ERROR");
    }
    const reference = await good.request({ method: "GET", path: "/tenants" });
    assert.deepEqual(errorLines([...reference.stdout, ...reference.stderr]), []);
  });
});

describe("cold start in a Lambda-like worker", () => {
  const listTenants = async () => ({
    httpMethod: "GET",
    path: "/tenants",
    headers: { Authorization: `Bearer ${await fixture.idToken()}` },
    requestContext: { requestId: "cold" },
  });
  // Read when the tests run: the fixture sets the function's environment in before().
  const baseEnv = () => {
    const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _inherited, ...env } = process.env;
    return env;
  };

  test("a healthy build logs no ERROR line, not even the SDK's Node version warning", async () => {
    const { result, lines } = await coldStart(good, await listTenants(), baseEnv());
    assert.equal(z.object({ statusCode: z.number() }).parse(result).statusCode, 200);
    assert.deepEqual(
      lines.filter((line) => line.startsWith("ERROR")),
      [],
    );
    assert.equal(lines.filter((line) => line.startsWith("INFO")).length, 1);
  });

  test("the SDK warning would be an ERROR line if the function did not opt out", async () => {
    // Proves the previous test can fail: with the opt-out explicitly off, the warning shows up.
    const { lines } = await coldStart(good, await listTenants(), {
      ...baseEnv(),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "false",
    });
    assert.ok(lines.some((line) => line.startsWith("ERROR") && line.includes("NodeVersionSupportWarning")));
  });
});

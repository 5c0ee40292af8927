import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { z } from "zod";
import type { BuildSpec } from "../../sandbox/packaging/index.ts";
import { type LoadedPackage, startTenantApiFixture, type TenantApiFixture } from "./tenant-api-fixture.ts";

// The Access Management packages, built and run like the sandbox deploys them.
let fixture: TenantApiFixture;
const functions: Partial<Record<"authorizer" | "roles" | "audit", LoadedPackage>> = {};

const access = (accessFunction: "authorizer" | "roles" | "audit", fault?: BuildSpec["fault"]) =>
  fixture.load({
    service: "access-management",
    appVersion: "1.3.0",
    accessFunction,
    ...(fault ? { fault } : {}),
  });

function loaded(name: "authorizer" | "roles" | "audit"): LoadedPackage {
  const fn = functions[name];
  assert.ok(fn, `${name} was loaded in before()`);
  return fn;
}

before(async () => {
  fixture = await startTenantApiFixture();
  for (const name of ["authorizer", "roles", "audit"] as const) functions[name] = await access(name);
});
after(async () => {
  await fixture.close();
});

const Health = z.strictObject({
  status: z.literal("healthy"),
  version: z.string(),
  service: z.literal("access-management"),
  function: z.enum(["authorizer", "roles", "audit"]),
});
const Policy = z.object({
  principalId: z.string(),
  policyDocument: z.object({
    Version: z.literal("2012-10-17"),
    Statement: z.array(
      z.object({
        Action: z.literal("execute-api:Invoke"),
        Effect: z.enum(["Allow", "Deny"]),
        Resource: z.string(),
      }),
    ),
  }),
});
const methodArn = "arn:aws:execute-api:eu-west-1:536580886816:o158f3j653/v1/GET/tenants";

describe("access management functions", () => {
  test("each function's health names the service, version and function", async () => {
    for (const name of ["authorizer", "roles", "audit"] as const) {
      const { result } = await loaded(name).invokeRaw({ httpMethod: "GET", path: "/health", headers: {} });
      const proxy = z
        .object({ statusCode: z.literal(200), body: z.string(), headers: z.record(z.string(), z.string()) })
        .parse(result);
      assert.deepEqual(Health.parse(JSON.parse(proxy.body)), {
        status: "healthy",
        version: "1.3.0",
        service: "access-management",
        function: name,
      });
      assert.ok(proxy.headers["x-request-id"]);
    }
  });

  test("roles lists the fixed roles; audit returns an empty page; both validate paging", async () => {
    const roles = await loaded("roles").request({ method: "GET", path: "/roles", token: null });
    assert.equal(roles.status, 200);
    const page = z
      .object({
        items: z.array(z.object({ id: z.string(), permissions: z.array(z.string()) })),
        nextToken: z.null(),
      })
      .parse(roles.body);
    assert.deepEqual(
      page.items.map((role) => role.id),
      ["admin", "member", "viewer"],
    );
    const audit = await loaded("audit").request({
      method: "GET",
      path: "/audit/events",
      token: null,
      query: { limit: "10" },
    });
    assert.deepEqual(audit.body, { items: [], nextToken: null });
    for (const query of [{ limit: "0" }, { nextToken: "abc" }, { since: "yesterday" }]) {
      const response = await loaded("audit").request({
        method: "GET",
        path: "/audit/events",
        token: null,
        query,
      });
      assert.equal(response.status, 400, JSON.stringify(query));
      assert.equal(
        z.object({ error: z.object({ code: z.string() }) }).parse(response.body).error.code,
        "ValidationError",
      );
    }
  });

  test("a function serves only its own route", async () => {
    assert.equal((await loaded("audit").request({ method: "GET", path: "/roles", token: null })).status, 404);
    assert.equal(
      (await loaded("roles").request({ method: "POST", path: "/authorize", token: null, body: {} })).status,
      404,
    );
  });

  test("the authorizer allows a valid Cognito token and denies others", async () => {
    const authorize = async (body: unknown) => {
      const response = await loaded("authorizer").request({
        method: "POST",
        path: "/authorize",
        token: null,
        body,
      });
      return { status: response.status, body: response.body };
    };
    const allowed = await authorize({ token: await fixture.idToken(), methodArn });
    assert.equal(allowed.status, 200);
    const allow = Policy.parse(allowed.body);
    assert.equal(allow.policyDocument.Statement[0]?.Effect, "Allow");
    assert.equal(allow.principalId, "user-123");
    assert.equal(allow.policyDocument.Statement[0]?.Resource, methodArn);

    for (const token of [await fixture.forgedToken(), await fixture.idToken({ aud: "other" }), "garbage"]) {
      const denied = await authorize({ token, methodArn });
      assert.equal(denied.status, 200);
      assert.equal(Policy.parse(denied.body).policyDocument.Statement[0]?.Effect, "Deny");
    }
    assert.equal((await authorize({ token: "x" })).status, 400);
    assert.equal((await authorize({ token: "x", methodArn: "not-an-arn" })).status, 400);
    assert.equal((await authorize(undefined)).status, 400);
  });

  test("faults are built into access packages too", async () => {
    const rogue = await access("roles", { kind: "wrong-version" });
    const health = Health.parse((await rogue.request({ method: "GET", path: "/health", token: null })).body);
    assert.equal(health.version, "1.3.0-rogue");

    const crash = await access("audit", { kind: "health-crash" });
    await assert.rejects(crash.invokeRaw({ httpMethod: "GET", path: "/health", headers: {} }));

    const broken = await access("roles", { kind: "endpoint-5xx" });
    const failed = await broken.request({ method: "GET", path: "/roles", token: null });
    assert.equal(failed.status, 500);
    assert.ok(failed.stderr.some((line) => line.includes('"level":"ERROR"')));

    const open = await access("authorizer", { kind: "auth-not-enforced" });
    const allowed = await open.request({
      method: "POST",
      path: "/authorize",
      token: null,
      body: { token: "garbage", methodArn },
    });
    assert.equal(Policy.parse(allowed.body).policyDocument.Statement[0]?.Effect, "Allow");
  });
});

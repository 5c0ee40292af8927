import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import {
  type LoadedPackage,
  type Request,
  type Response,
  startTenantApiFixture,
  type TenantApiFixture,
} from "./tenant-api-fixture.ts";

const TenantIdPattern = /^ten_[0-9a-hjkmnp-tv-z]{26}$/;
const IsoTime = z.iso.datetime();
const TenantBody = z.strictObject({
  id: z.string().regex(TenantIdPattern),
  name: z.string(),
  contactEmail: z.string(),
  plan: z.enum(["starter", "business", "enterprise"]),
  status: z.enum(["active", "parked", "deleted"]),
  parentId: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  deletedAt: IsoTime.nullable(),
});
const InstanceBody = z.strictObject({
  id: z.string().regex(/^ins_/),
  tenantId: z.string(),
  name: z.string(),
  size: z.enum(["small", "medium", "large"]),
  status: z.enum(["running", "suspended"]),
  wordpressVersion: z.string(),
  lastBackupId: z.string().nullable(),
  lastRestoredBackupId: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
const BackupBody = z.strictObject({
  id: z.string().regex(/^bak_/),
  instanceId: z.string(),
  label: z.string().nullable(),
  createdAt: IsoTime,
  snapshot: z.strictObject({
    name: z.string(),
    size: z.enum(["small", "medium", "large"]),
    wordpressVersion: z.string(),
  }),
});
const InvitationBody = z.strictObject({
  id: z.string().regex(/^inv_/),
  tenantId: z.string(),
  email: z.string(),
  role: z.enum(["admin", "member", "viewer"]),
  status: z.enum(["pending", "cancelled"]),
  sentCount: z.number().int().min(1),
  lastSentAt: IsoTime,
  expiresAt: IsoTime,
  tags: z.record(z.string(), z.string()),
  createdAt: IsoTime,
});
const TenantUserBody = z.strictObject({
  tenantId: z.string(),
  userId: z.string(),
  role: z.enum(["admin", "member", "viewer"]),
  assignedAt: IsoTime,
});
const HierarchyBody = z.strictObject({
  tenantId: z.string(),
  parentId: z.string().nullable(),
  childIds: z.array(z.string()),
});
const ErrorBody = z.strictObject({
  error: z.strictObject({ code: z.string(), message: z.string().min(10) }),
  requestId: z.string().min(1),
});
const pageOf = <T extends z.ZodType>(item: T) =>
  z.strictObject({ items: z.array(item), nextToken: z.string().nullable() });

let fixture: TenantApiFixture;
let api: LoadedPackage;

before(async () => {
  fixture = await startTenantApiFixture();
  api = await fixture.load({ service: "tenant-instance-management", appVersion: "1.4.0" });
});
after(async () => {
  await fixture.close();
});

/** Sends a request and asserts the status, returning the response for further checks. */
async function call(request: Request, status: number): Promise<Response> {
  const response = await api.request(request);
  assert.equal(
    response.status,
    status,
    `${request.method} ${request.path} -> ${response.status} ${response.rawBody}`,
  );
  assert.ok(response.headers["x-request-id"], "every response carries x-request-id");
  return response;
}

/** Asserts a contract error: status, code, body shape, and (optionally) that the message names `field`. */
async function callError(request: Request, status: number, code: string, field?: string): Promise<string> {
  const response = await call(request, status);
  const body = ErrorBody.parse(response.body);
  assert.equal(body.error.code, code);
  assert.equal(body.requestId, response.headers["x-request-id"]);
  if (field !== undefined)
    assert.match(body.error.message, new RegExp(`\\b${field}\\b`), `message names ${field}`);
  return body.error.message;
}

const createTenant = async (body: Record<string, unknown> = {}) =>
  TenantBody.parse(
    (
      await call(
        {
          method: "POST",
          path: "/tenants",
          body: { name: "Acme", contactEmail: "ops@acme.example", ...body },
        },
        201,
      )
    ).body,
  );
const createInstance = async (tenantId: string, body: Record<string, unknown> = {}) =>
  InstanceBody.parse(
    (
      await call(
        {
          method: "POST",
          path: `/tenants/${tenantId}/instances`,
          body: { name: "site", size: "small", ...body },
        },
        201,
      )
    ).body,
  );

describe("health and request plumbing", () => {
  test("GET /health answers without a token and reports the manifest's version", async () => {
    const response = await call({ method: "GET", path: "/health", token: null }, 200);
    const body = z
      .strictObject({
        status: z.literal("healthy"),
        version: z.string(),
        service: z.literal("tenant-instance-management"),
        environment: z.string(),
        timestamp: IsoTime,
      })
      .parse(response.body);
    assert.equal(body.version, "1.4.0");
    assert.equal(body.environment, "dev");
  });

  test("the runbook's direct invoke payload {httpMethod, path, headers} works", async () => {
    const { result } = await api.invokeRaw({ httpMethod: "GET", path: "/health", headers: {} });
    const parsed = z.object({ statusCode: z.literal(200), body: z.string() }).parse(result);
    assert.equal(
      z.object({ status: z.string(), version: z.string() }).parse(JSON.parse(parsed.body)).status,
      "healthy",
    );
  });

  test("one structured JSON log line per request, no ERROR on success", async () => {
    const response = await call({ method: "GET", path: "/tenants" }, 200);
    assert.equal(response.stdout.length, 1);
    const line = z
      .object({
        level: z.literal("INFO"),
        method: z.literal("GET"),
        path: z.literal("/tenants"),
        status: z.literal(200),
        durationMs: z.number().min(0),
        requestId: z.string(),
      })
      .parse(JSON.parse(response.stdout[0] ?? ""));
    assert.equal(line.requestId, response.headers["x-request-id"]);
    assert.deepEqual(response.stderr, []);
    assert.doesNotMatch(response.stdout.join("\n"), /ERROR/);
  });

  test("x-request-id is API Gateway's request id", async () => {
    const { result } = await api.invokeRaw({
      httpMethod: "GET",
      path: "/health",
      headers: {},
      requestContext: { requestId: "req-from-apigw" },
    });
    assert.equal(
      z.object({ headers: z.record(z.string(), z.string()) }).parse(result).headers["x-request-id"],
      "req-from-apigw",
    );
  });

  test("unknown routes and methods are 404 NotFound", async () => {
    await callError({ method: "GET", path: "/nope" }, 404, "NotFound");
    await callError({ method: "PATCH", path: "/tenants" }, 404, "NotFound");
    await callError({ method: "GET", path: "/tenants/x/y/z/w" }, 404, "NotFound");
  });

  test("a payload that is not a proxy event is a 400", async () => {
    const { result } = await api.invokeRaw({ hello: "world" });
    assert.equal(z.object({ statusCode: z.number() }).parse(result).statusCode, 400);
  });
});

describe("tenants", () => {
  test("create, get, update, park, unpark, delete with lifecycle conflicts", async () => {
    const tenant = await createTenant({ tags: { "harness-run-id": "run-1" } });
    assert.equal(tenant.status, "active");
    assert.equal(tenant.plan, "starter");
    assert.equal(tenant.parentId, null);
    assert.equal(tenant.deletedAt, null);
    assert.deepEqual(tenant.tags, { "harness-run-id": "run-1" });

    assert.deepEqual(
      TenantBody.parse((await call({ method: "GET", path: `/tenants/${tenant.id}` }, 200)).body),
      tenant,
    );

    const updated = TenantBody.parse(
      (
        await call(
          { method: "PUT", path: `/tenants/${tenant.id}`, body: { plan: "business", name: "Acme Ltd" } },
          200,
        )
      ).body,
    );
    assert.equal(updated.plan, "business");
    assert.equal(updated.name, "Acme Ltd");
    assert.equal(updated.contactEmail, tenant.contactEmail);
    assert.ok(updated.updatedAt >= tenant.updatedAt);

    await callError({ method: "POST", path: `/tenants/${tenant.id}/unpark` }, 409, "Conflict");
    const parked = TenantBody.parse(
      (await call({ method: "POST", path: `/tenants/${tenant.id}/park` }, 200)).body,
    );
    assert.equal(parked.status, "parked");
    await callError({ method: "POST", path: `/tenants/${tenant.id}/park` }, 409, "Conflict");
    const unparked = TenantBody.parse(
      (await call({ method: "POST", path: `/tenants/${tenant.id}/unpark` }, 200)).body,
    );
    assert.equal(unparked.status, "active");

    const deleted = TenantBody.parse(
      (await call({ method: "DELETE", path: `/tenants/${tenant.id}` }, 200)).body,
    );
    assert.equal(deleted.status, "deleted");
    assert.ok(deleted.deletedAt);
    await callError({ method: "DELETE", path: `/tenants/${tenant.id}` }, 409, "Conflict");
    await callError({ method: "PUT", path: `/tenants/${tenant.id}`, body: { name: "x" } }, 409, "Conflict");
    await callError({ method: "POST", path: `/tenants/${tenant.id}/park` }, 409, "Conflict");
    const stillThere = TenantBody.parse(
      (await call({ method: "GET", path: `/tenants/${tenant.id}` }, 200)).body,
    );
    assert.equal(stillThere.status, "deleted");
  });

  test("validation errors name the bad field", async () => {
    const missing = await callError(
      { method: "POST", path: "/tenants", body: { contactEmail: "a@b.example" } },
      400,
      "ValidationError",
      "name",
    );
    assert.match(missing, /name: is required/);
    const everyProblem = await callError(
      { method: "POST", path: "/tenants", body: { name: 5, contactEmail: "x", plan: "gold" } },
      400,
      "ValidationError",
    );
    assert.match(
      everyProblem,
      /name: must be a string; contactEmail: must be an email address; plan: must be one of/,
    );
    await callError(
      { method: "POST", path: "/tenants", body: { name: "A", contactEmail: "not-an-email" } },
      400,
      "ValidationError",
      "contactEmail",
    );
    await callError(
      { method: "POST", path: "/tenants", body: { name: "A", contactEmail: "a@b.example", plan: "gold" } },
      400,
      "ValidationError",
      "plan",
    );
    await callError(
      { method: "POST", path: "/tenants", body: { name: "x".repeat(101), contactEmail: "a@b.example" } },
      400,
      "ValidationError",
      "name",
    );
    await callError(
      { method: "POST", path: "/tenants", body: { name: "A", contactEmail: "a@b.example", colour: "red" } },
      400,
      "ValidationError",
      "colour",
    );
    const manyTags = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, "v"]));
    await callError(
      { method: "POST", path: "/tenants", body: { name: "A", contactEmail: "a@b.example", tags: manyTags } },
      400,
      "ValidationError",
      "tags",
    );
    await callError(
      { method: "POST", path: "/tenants", body: { name: "A", contactEmail: "a@b.example", tags: { k: 1 } } },
      400,
      "ValidationError",
      "tags",
    );
    await callError(
      { method: "POST", path: "/tenants", rawBody: "{not json" },
      400,
      "ValidationError",
      "body",
    );
    await callError({ method: "POST", path: "/tenants" }, 400, "ValidationError", "body");
    await callError({ method: "POST", path: "/tenants", body: [1, 2] }, 400, "ValidationError", "body");
    const tenant = await createTenant();
    await callError(
      { method: "PUT", path: `/tenants/${tenant.id}`, body: {} },
      400,
      "ValidationError",
      "name",
    );
    await callError(
      { method: "PUT", path: `/tenants/${tenant.id}`, body: { status: "parked" } },
      400,
      "ValidationError",
      "status",
    );
  });

  test("unknown and malformed ids are 404; an unknown parentId is 404", async () => {
    await callError({ method: "GET", path: "/tenants/ten_00000000000000000000000000" }, 404, "NotFound");
    await callError({ method: "GET", path: "/tenants/123" }, 404, "NotFound");
    await callError({ method: "PUT", path: "/tenants/123", body: { name: "x" } }, 404, "NotFound");
    await callError({ method: "DELETE", path: "/tenants/123" }, 404, "NotFound");
    await callError({ method: "POST", path: "/tenants/123/park" }, 404, "NotFound");
    await callError({ method: "POST", path: "/tenants/123/unpark" }, 404, "NotFound");
    await callError(
      {
        method: "POST",
        path: "/tenants",
        body: { name: "A", contactEmail: "a@b.example", parentId: "ten_00000000000000000000000000" },
      },
      404,
      "NotFound",
    );
    const parent = await createTenant();
    const child = await createTenant({ parentId: parent.id });
    assert.equal(child.parentId, parent.id);
  });

  test("ids are time-sortable: newer ids sort after older ones", async () => {
    const first = await createTenant();
    const second = await createTenant();
    const third = await createTenant();
    assert.ok(first.id < second.id && second.id < third.id);
  });

  test("list hides deleted tenants by default and filters by status", async () => {
    const kept = await createTenant();
    const gone = await createTenant();
    await call({ method: "DELETE", path: `/tenants/${gone.id}` }, 200);
    const all = await listAll("/tenants", {}, TenantBody);
    assert.ok(all.some((tenant) => tenant.id === kept.id));
    assert.ok(!all.some((tenant) => tenant.id === gone.id));
    assert.ok(all.every((tenant) => tenant.status !== "deleted"));
    const deleted = await listAll("/tenants", { status: "deleted" }, TenantBody);
    assert.ok(deleted.some((tenant) => tenant.id === gone.id));
    assert.ok(deleted.every((tenant) => tenant.status === "deleted"));
    await callError(
      { method: "GET", path: "/tenants", query: { status: "gone" } },
      400,
      "ValidationError",
      "status",
    );
  });

  test("the runbook's recent-writes query returns the newest tenant", async () => {
    const newest = await createTenant({ name: "Newest" });
    const result = await fixture.dynamo.send(
      new QueryCommand({
        TableName: "bbws-tenants-dev",
        KeyConditionExpression: "PK = :pk",
        ExpressionAttributeValues: { ":pk": "TENANT#" },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    assert.equal(result.Items?.length, 1);
    assert.equal(result.Items?.[0]?.SK, newest.id);
    assert.equal(result.Items?.[0]?.name, "Newest");
  });
});

/** Walks every page of a list with `limit`, asserting each page's shape and size. */
async function listAll<T extends z.ZodType>(
  path: string,
  query: Record<string, string>,
  item: T,
  limit = 100,
): Promise<z.infer<T>[]> {
  const items: z.infer<T>[] = [];
  let nextToken: string | null = null;
  let pages = 0;
  do {
    const pageQuery: Record<string, string> = {
      ...query,
      limit: String(limit),
      ...(nextToken ? { nextToken } : {}),
    };
    const page = pageOf(item).parse((await call({ method: "GET", path, query: pageQuery }, 200)).body);
    assert.ok(page.items.length <= limit);
    if (page.nextToken !== null) assert.equal(page.items.length, limit, "a page followed by another is full");
    items.push(...page.items);
    nextToken = page.nextToken;
    pages += 1;
    assert.ok(pages < 100, "pagination terminates");
  } while (nextToken !== null);
  return items;
}

describe("instances", () => {
  test("full lifecycle: create, get, update, scale, suspend, resume, backup, restore, delete", async () => {
    const tenant = await createTenant();
    const instance = await createInstance(tenant.id, { name: "blog", size: "small", tags: { team: "web" } });
    assert.equal(instance.status, "running");
    assert.equal(instance.wordpressVersion, "6.5.2");
    assert.equal(instance.tenantId, tenant.id);
    assert.equal(instance.lastBackupId, null);
    assert.deepEqual(
      InstanceBody.parse((await call({ method: "GET", path: `/instances/${instance.id}` }, 200)).body),
      instance,
    );

    const backup = BackupBody.parse(
      (await call({ method: "POST", path: `/instances/${instance.id}/backup` }, 201)).body,
    );
    assert.equal(backup.instanceId, instance.id);
    assert.equal(backup.label, null);
    assert.deepEqual(backup.snapshot, { name: "blog", size: "small", wordpressVersion: "6.5.2" });
    const afterBackup = InstanceBody.parse(
      (await call({ method: "GET", path: `/instances/${instance.id}` }, 200)).body,
    );
    assert.equal(afterBackup.lastBackupId, backup.id);
    const labelled = BackupBody.parse(
      (
        await call(
          { method: "POST", path: `/instances/${instance.id}/backup`, body: { label: "before upgrade" } },
          201,
        )
      ).body,
    );
    assert.equal(labelled.label, "before upgrade");

    const updated = InstanceBody.parse(
      (
        await call(
          {
            method: "PUT",
            path: `/instances/${instance.id}`,
            body: { name: "blog-v2", wordpressVersion: "6.6.1" },
          },
          200,
        )
      ).body,
    );
    assert.equal(updated.name, "blog-v2");
    assert.equal(updated.wordpressVersion, "6.6.1");
    const scaled = InstanceBody.parse(
      (await call({ method: "PUT", path: `/instances/${instance.id}/size`, body: { size: "large" } }, 200))
        .body,
    );
    assert.equal(scaled.size, "large");

    const suspended = InstanceBody.parse(
      (await call({ method: "POST", path: `/instances/${instance.id}/suspend` }, 200)).body,
    );
    assert.equal(suspended.status, "suspended");
    await callError({ method: "POST", path: `/instances/${instance.id}/suspend` }, 409, "Conflict");
    await callError(
      { method: "PUT", path: `/instances/${instance.id}/size`, body: { size: "small" } },
      409,
      "Conflict",
    );
    await callError(
      { method: "POST", path: `/instances/${instance.id}/restore`, body: { backupId: backup.id } },
      409,
      "Conflict",
    );
    const resumed = InstanceBody.parse(
      (await call({ method: "POST", path: `/instances/${instance.id}/resume` }, 200)).body,
    );
    assert.equal(resumed.status, "running");
    await callError({ method: "POST", path: `/instances/${instance.id}/resume` }, 409, "Conflict");

    const restored = InstanceBody.parse(
      (
        await call(
          { method: "POST", path: `/instances/${instance.id}/restore`, body: { backupId: backup.id } },
          200,
        )
      ).body,
    );
    assert.equal(restored.name, "blog");
    assert.equal(restored.size, "small");
    assert.equal(restored.wordpressVersion, "6.5.2");
    assert.equal(restored.lastRestoredBackupId, backup.id);
    assert.equal(restored.lastBackupId, labelled.id);

    const other = await createInstance(tenant.id);
    const otherBackup = BackupBody.parse(
      (await call({ method: "POST", path: `/instances/${other.id}/backup` }, 201)).body,
    );
    await callError(
      { method: "POST", path: `/instances/${instance.id}/restore`, body: { backupId: otherBackup.id } },
      404,
      "NotFound",
    );
    await callError(
      { method: "POST", path: `/instances/${instance.id}/restore`, body: { backupId: "bak_x" } },
      404,
      "NotFound",
    );
    await callError(
      { method: "POST", path: `/instances/${instance.id}/restore`, body: {} },
      400,
      "ValidationError",
      "backupId",
    );

    const deleted = await call({ method: "DELETE", path: `/instances/${instance.id}` }, 204);
    assert.equal(deleted.rawBody, "");
    await callError({ method: "GET", path: `/instances/${instance.id}` }, 404, "NotFound");
    await callError({ method: "DELETE", path: `/instances/${instance.id}` }, 404, "NotFound");
    const backups = await fixture.dynamo.send(
      new QueryCommand({
        TableName: "bbws-instances-dev",
        KeyConditionExpression: "PK = :pk",
        ExpressionAttributeValues: { ":pk": `INSTANCE#${instance.id}#BACKUPS` },
      }),
    );
    assert.equal(backups.Count, 0, "deleting an instance removes its backups");
  });

  test("creation needs an active tenant; bad input is a 400 naming the field", async () => {
    const tenant = await createTenant();
    await callError(
      { method: "POST", path: `/tenants/${tenant.id}/instances`, body: { name: "a", size: "huge" } },
      400,
      "ValidationError",
      "size",
    );
    await callError(
      { method: "POST", path: `/tenants/${tenant.id}/instances`, body: { size: "small" } },
      400,
      "ValidationError",
      "name",
    );
    await callError(
      {
        method: "POST",
        path: `/tenants/${tenant.id}/instances`,
        body: { name: "a", size: "small", wordpressVersion: "latest" },
      },
      400,
      "ValidationError",
      "wordpressVersion",
    );
    await callError(
      {
        method: "POST",
        path: "/tenants/ten_00000000000000000000000000/instances",
        body: { name: "a", size: "small" },
      },
      404,
      "NotFound",
    );
    await call({ method: "POST", path: `/tenants/${tenant.id}/park` }, 200);
    await callError(
      { method: "POST", path: `/tenants/${tenant.id}/instances`, body: { name: "a", size: "small" } },
      409,
      "Conflict",
    );
    await call({ method: "POST", path: `/tenants/${tenant.id}/unpark` }, 200);
    const instance = await createInstance(tenant.id);
    await callError(
      { method: "PUT", path: `/instances/${instance.id}`, body: {} },
      400,
      "ValidationError",
      "name",
    );
    await callError(
      { method: "PUT", path: `/instances/${instance.id}`, body: { size: "large" } },
      400,
      "ValidationError",
      "size",
    );
    await callError(
      { method: "PUT", path: `/instances/${instance.id}/size`, body: {} },
      400,
      "ValidationError",
      "size",
    );
    await callError(
      { method: "POST", path: `/instances/${instance.id}/backup`, body: { label: 5 } },
      400,
      "ValidationError",
      "label",
    );
    const missing: Array<[string, string, unknown]> = [
      ["GET", "/instances/ins_missing", undefined],
      ["PUT", "/instances/ins_missing", { name: "x" }],
      ["DELETE", "/instances/ins_missing", undefined],
      ["PUT", "/instances/ins_missing/size", { size: "small" }],
      ["POST", "/instances/ins_missing/suspend", undefined],
      ["POST", "/instances/ins_missing/resume", undefined],
      ["POST", "/instances/ins_missing/backup", undefined],
      ["POST", "/instances/ins_missing/restore", { backupId: "bak_x" }],
    ];
    for (const [method, path, body] of missing) {
      await callError({ method, path, ...(body === undefined ? {} : { body }) }, 404, "NotFound");
    }
  });

  test("list is scoped to the tenant, newest first, and pages", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const created: string[] = [];
    for (let i = 0; i < 5; i += 1) created.push((await createInstance(tenant.id, { name: `site-${i}` })).id);
    await createInstance(other.id);
    const listed = await listAll(`/tenants/${tenant.id}/instances`, {}, InstanceBody, 2);
    assert.deepEqual(
      listed.map((instance) => instance.id),
      [...created].reverse(),
    );
    await callError(
      { method: "GET", path: "/tenants/ten_00000000000000000000000000/instances" },
      404,
      "NotFound",
    );
  });
});

describe("pagination", () => {
  test("tenants page newest first over more than one page without gaps or repeats", async () => {
    for (let i = 0; i < 5; i += 1) await createTenant({ name: `page-${i}` });
    const everything = await listAll("/tenants", {}, TenantBody, 100);
    const paged = await listAll("/tenants", {}, TenantBody, 2);
    assert.ok(everything.length >= 5);
    assert.deepEqual(
      paged.map((tenant) => tenant.id),
      everything.map((tenant) => tenant.id),
    );
    const ids = paged.map((tenant) => tenant.id);
    assert.deepEqual(ids, [...ids].sort().reverse(), "newest first");
  });

  test("default limit is 20", async () => {
    for (let i = 0; i < 21; i += 1) await createTenant({ name: `bulk-${i}` });
    const page = pageOf(TenantBody).parse((await call({ method: "GET", path: "/tenants" }, 200)).body);
    assert.equal(page.items.length, 20);
    assert.notEqual(page.nextToken, null);
  });

  test("invalid limit, nextToken or query parameters are 400s naming them", async () => {
    for (const limit of ["0", "101", "abc", "1.5", "-1", ""]) {
      await callError({ method: "GET", path: "/tenants", query: { limit } }, 400, "ValidationError", "limit");
    }
    await callError(
      { method: "GET", path: "/tenants", query: { nextToken: "!!!" } },
      400,
      "ValidationError",
      "nextToken",
    );
    await callError(
      { method: "GET", path: "/tenants", query: { nextToken: "bm90LWpzb24" } },
      400,
      "ValidationError",
      "nextToken",
    );
    const foreign = Buffer.from(
      JSON.stringify({ PK: "INVITATION#", SK: "inv_00000000000000000000000000" }),
    ).toString("base64url");
    await callError(
      { method: "GET", path: "/tenants", query: { nextToken: foreign } },
      400,
      "ValidationError",
      "nextToken",
    );
    await callError(
      { method: "GET", path: "/tenants", query: { sort: "name" } },
      400,
      "ValidationError",
      "sort",
    );

    const tenant = await createTenant();
    const otherTenant = await createTenant();
    for (let i = 0; i < 3; i += 1) await createInstance(tenant.id);
    const first = pageOf(InstanceBody).parse(
      (await call({ method: "GET", path: `/tenants/${tenant.id}/instances`, query: { limit: "1" } }, 200))
        .body,
    );
    assert.ok(first.nextToken);
    // A token of one tenant's list is not valid for another tenant's list.
    await callError(
      { method: "GET", path: `/tenants/${otherTenant.id}/instances`, query: { nextToken: first.nextToken } },
      400,
      "ValidationError",
      "nextToken",
    );
    await callError(
      { method: "GET", path: "/invitations", query: { limit: "500" } },
      400,
      "ValidationError",
      "limit",
    );
    await callError(
      { method: "GET", path: `/tenants/${tenant.id}/users`, query: { nextToken: "e30" } },
      400,
      "ValidationError",
      "nextToken",
    );
  });
});

describe("invitations", () => {
  test("create, get, resend, cancel with lifecycle conflicts", async () => {
    const tenant = await createTenant();
    const invitation = InvitationBody.parse(
      (
        await call(
          {
            method: "POST",
            path: "/invitations",
            body: { tenantId: tenant.id, email: "new@acme.example", role: "member" },
          },
          201,
        )
      ).body,
    );
    assert.equal(invitation.status, "pending");
    assert.equal(invitation.sentCount, 1);
    assert.equal(invitation.lastSentAt, invitation.createdAt);
    assert.equal(Date.parse(invitation.expiresAt) - Date.parse(invitation.createdAt), 7 * 86_400_000);
    assert.deepEqual(
      InvitationBody.parse((await call({ method: "GET", path: `/invitations/${invitation.id}` }, 200)).body),
      invitation,
    );

    await new Promise((resolve) => setTimeout(resolve, 5));
    const resent = InvitationBody.parse(
      (await call({ method: "POST", path: `/invitations/${invitation.id}/resend` }, 200)).body,
    );
    assert.equal(resent.sentCount, 2);
    assert.ok(resent.lastSentAt > invitation.lastSentAt);
    const cancelled = InvitationBody.parse(
      (await call({ method: "DELETE", path: `/invitations/${invitation.id}` }, 200)).body,
    );
    assert.equal(cancelled.status, "cancelled");
    assert.equal(cancelled.sentCount, 2);
    await callError({ method: "DELETE", path: `/invitations/${invitation.id}` }, 409, "Conflict");
    await callError({ method: "POST", path: `/invitations/${invitation.id}/resend` }, 409, "Conflict");
    for (const [method, path] of [
      ["GET", "/invitations/inv_missing"],
      ["DELETE", "/invitations/inv_missing"],
      ["POST", "/invitations/inv_missing/resend"],
    ] as const) {
      await callError({ method, path }, 404, "NotFound");
    }
  });

  test("validation, unknown and deleted tenants", async () => {
    const tenant = await createTenant();
    const base = { tenantId: tenant.id, email: "x@acme.example", role: "viewer" };
    await callError(
      { method: "POST", path: "/invitations", body: { ...base, email: "nope" } },
      400,
      "ValidationError",
      "email",
    );
    await callError(
      { method: "POST", path: "/invitations", body: { ...base, role: "owner" } },
      400,
      "ValidationError",
      "role",
    );
    await callError(
      { method: "POST", path: "/invitations", body: { email: "x@acme.example", role: "viewer" } },
      400,
      "ValidationError",
      "tenantId",
    );
    await callError(
      { method: "POST", path: "/invitations", body: { ...base, tenantId: "ten_00000000000000000000000000" } },
      404,
      "NotFound",
    );
    const gone = await createTenant();
    await call({ method: "DELETE", path: `/tenants/${gone.id}` }, 200);
    await callError(
      { method: "POST", path: "/invitations", body: { ...base, tenantId: gone.id } },
      409,
      "Conflict",
    );
    await callError(
      { method: "GET", path: "/invitations", query: { status: "accepted" } },
      400,
      "ValidationError",
      "status",
    );
  });

  test("list filters by tenant and status, newest first, across pages", async () => {
    const tenant = await createTenant();
    const noise = await createTenant();
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const response = await call(
        {
          method: "POST",
          path: "/invitations",
          body: { tenantId: tenant.id, email: `u${i}@acme.example`, role: "viewer" },
        },
        201,
      );
      ids.push(InvitationBody.parse(response.body).id);
      await call(
        {
          method: "POST",
          path: "/invitations",
          body: { tenantId: noise.id, email: `n${i}@acme.example`, role: "viewer" },
        },
        201,
      );
    }
    await call({ method: "DELETE", path: `/invitations/${ids[0]}` }, 200);
    const mine = await listAll("/invitations", { tenantId: tenant.id }, InvitationBody, 2);
    assert.deepEqual(
      mine.map((invitation) => invitation.id),
      [...ids].reverse(),
    );
    const pending = await listAll(
      "/invitations",
      { tenantId: tenant.id, status: "pending" },
      InvitationBody,
      2,
    );
    assert.deepEqual(
      pending.map((invitation) => invitation.id),
      ids.slice(1).reverse(),
    );
    const cancelled = await listAll(
      "/invitations",
      { tenantId: tenant.id, status: "cancelled" },
      InvitationBody,
    );
    assert.deepEqual(
      cancelled.map((invitation) => invitation.id),
      [ids[0]],
    );
  });
});

describe("tenant users", () => {
  test("assign, list, remove with conflicts and 404s", async () => {
    const tenant = await createTenant();
    const user = TenantUserBody.parse(
      (
        await call(
          { method: "POST", path: `/tenants/${tenant.id}/users`, body: { userId: "user-a", role: "admin" } },
          201,
        )
      ).body,
    );
    assert.deepEqual(
      { tenantId: user.tenantId, userId: user.userId, role: user.role },
      { tenantId: tenant.id, userId: "user-a", role: "admin" },
    );
    await callError(
      { method: "POST", path: `/tenants/${tenant.id}/users`, body: { userId: "user-a", role: "viewer" } },
      409,
      "Conflict",
    );
    await callError(
      { method: "POST", path: `/tenants/${tenant.id}/users`, body: { userId: "user-b", role: "boss" } },
      400,
      "ValidationError",
      "role",
    );
    await callError(
      { method: "POST", path: `/tenants/${tenant.id}/users`, body: { role: "viewer" } },
      400,
      "ValidationError",
      "userId",
    );
    await callError(
      {
        method: "POST",
        path: `/tenants/${tenant.id}/users`,
        body: { userId: "x".repeat(129), role: "viewer" },
      },
      400,
      "ValidationError",
      "userId",
    );
    await callError(
      {
        method: "POST",
        path: "/tenants/ten_00000000000000000000000000/users",
        body: { userId: "u", role: "viewer" },
      },
      404,
      "NotFound",
    );
    for (const userId of ["user-b", "user-c", "user-d"]) {
      await call(
        { method: "POST", path: `/tenants/${tenant.id}/users`, body: { userId, role: "member" } },
        201,
      );
    }
    const listed = await listAll(`/tenants/${tenant.id}/users`, {}, TenantUserBody, 3);
    assert.deepEqual(
      listed.map((entry) => entry.userId),
      ["user-a", "user-b", "user-c", "user-d"],
    );
    const removed = await call({ method: "DELETE", path: `/tenants/${tenant.id}/users/user-a` }, 204);
    assert.equal(removed.rawBody, "");
    await callError({ method: "DELETE", path: `/tenants/${tenant.id}/users/user-a` }, 404, "NotFound");
    await callError(
      { method: "DELETE", path: "/tenants/ten_00000000000000000000000000/users/user-b" },
      404,
      "NotFound",
    );
    await callError(
      { method: "GET", path: "/tenants/ten_00000000000000000000000000/users" },
      404,
      "NotFound",
    );
    const federated = "auth0|alice@acme.example";
    await call(
      { method: "POST", path: `/tenants/${tenant.id}/users`, body: { userId: federated, role: "viewer" } },
      201,
    );
    await call(
      { method: "DELETE", path: `/tenants/${tenant.id}/users/${encodeURIComponent(federated)}` },
      204,
    );
    const assignment = await fixture.dynamo.send(
      new GetCommand({
        TableName: "bbws-tenants-dev",
        Key: { PK: `TENANT#${tenant.id}#USERS`, SK: "user-b" },
      }),
    );
    assert.equal(assignment.Item?.role, "member", "assignments live at PK TENANT#<id>#USERS");
  });
});

describe("hierarchy", () => {
  test("set and clear a parent, list children, refuse cycles", async () => {
    const root = await createTenant({ name: "root" });
    const middle = await createTenant({ name: "middle" });
    const leaf = await createTenant({ name: "leaf" });
    const setParent = async (id: string, parentId: string | null) =>
      HierarchyBody.parse(
        (await call({ method: "PUT", path: `/tenants/${id}/hierarchy`, body: { parentId } }, 200)).body,
      );

    assert.deepEqual(await setParent(middle.id, root.id), {
      tenantId: middle.id,
      parentId: root.id,
      childIds: [],
    });
    assert.deepEqual(await setParent(leaf.id, middle.id), {
      tenantId: leaf.id,
      parentId: middle.id,
      childIds: [],
    });
    assert.deepEqual(await setParent(root.id, null), {
      tenantId: root.id,
      parentId: null,
      childIds: [middle.id],
    });
    assert.deepEqual(await setParent(middle.id, root.id), {
      tenantId: middle.id,
      parentId: root.id,
      childIds: [leaf.id],
    });

    await callError(
      { method: "PUT", path: `/tenants/${root.id}/hierarchy`, body: { parentId: leaf.id } },
      409,
      "Conflict",
    );
    await callError(
      { method: "PUT", path: `/tenants/${root.id}/hierarchy`, body: { parentId: root.id } },
      409,
      "Conflict",
    );
    await callError(
      {
        method: "PUT",
        path: `/tenants/${root.id}/hierarchy`,
        body: { parentId: "ten_00000000000000000000000000" },
      },
      404,
      "NotFound",
    );
    await callError(
      { method: "PUT", path: "/tenants/ten_00000000000000000000000000/hierarchy", body: { parentId: null } },
      404,
      "NotFound",
    );
    await callError(
      { method: "PUT", path: `/tenants/${root.id}/hierarchy`, body: {} },
      400,
      "ValidationError",
      "parentId",
    );
    await callError(
      { method: "PUT", path: `/tenants/${root.id}/hierarchy`, body: { parentId: 7 } },
      400,
      "ValidationError",
      "parentId",
    );

    const cleared = await setParent(leaf.id, null);
    assert.equal(cleared.parentId, null);
    const leafNow = TenantBody.parse((await call({ method: "GET", path: `/tenants/${leaf.id}` }, 200)).body);
    assert.equal(leafNow.parentId, null);
  });
});

describe("storage layout", () => {
  test("items sit under the contract's partition keys", async () => {
    const tenant = await createTenant();
    const instance = await createInstance(tenant.id);
    const invitation = InvitationBody.parse(
      (
        await call(
          {
            method: "POST",
            path: "/invitations",
            body: { tenantId: tenant.id, email: "s@acme.example", role: "admin" },
          },
          201,
        )
      ).body,
    );
    const get = (TableName: string, PK: string, SK: string) =>
      fixture.dynamo.send(new GetCommand({ TableName, Key: { PK, SK } }));
    assert.equal((await get("bbws-tenants-dev", "TENANT#", tenant.id)).Item?.name, "Acme");
    assert.equal((await get("bbws-instances-dev", "INSTANCE#", instance.id)).Item?.tenantId, tenant.id);
    assert.equal(
      (await get("bbws-invitations-dev", "INVITATION#", invitation.id)).Item?.email,
      "s@acme.example",
    );
    const byTenant = await fixture.dynamo.send(
      new QueryCommand({
        TableName: "bbws-instances-dev",
        IndexName: "byTenant",
        KeyConditionExpression: "tenantId = :t",
        ExpressionAttributeValues: { ":t": tenant.id },
      }),
    );
    assert.deepEqual(
      byTenant.Items?.map((item) => item.SK),
      [instance.id],
    );
  });
});

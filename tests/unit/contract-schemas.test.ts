import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { z } from "zod";
import {
  assertError,
  assertSuccess,
  BackupSchema,
  ContractViolationError,
  CreateTenantRequestSchema,
  checkError,
  checkSuccess,
  ErrorBodySchema,
  HealthSchema,
  HierarchySchema,
  InstanceSchema,
  InvitationSchema,
  operationIds,
  operations,
  SetHierarchyRequestSchema,
  TenantPageSchema,
  TenantSchema,
  TenantUserSchema,
  UpdateTenantRequestSchema,
} from "../../lib/contract/index.ts";

const contractDoc = readFileSync(join(import.meta.dirname, "../../docs/tenant-api-contract.md"), "utf8");
const at = "2026-11-22T05:46:31.123Z";

// Examples written from the contract page's Resources block (field for field).
const examples = {
  Tenant: {
    id: "ten_01JD5Y3ZV7Q8",
    name: "Acme Ltd",
    contactEmail: "ops@acme.example",
    plan: "starter",
    status: "active",
    parentId: null,
    tags: { "harness-run-id": "run-1" },
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
  },
  Instance: {
    id: "ins_01JD5Y40AA",
    tenantId: "ten_01JD5Y3ZV7Q8",
    name: "acme-blog",
    size: "small",
    status: "running",
    wordpressVersion: "6.5.2",
    lastBackupId: null,
    lastRestoredBackupId: null,
    tags: {},
    createdAt: at,
    updatedAt: at,
  },
  Backup: {
    id: "bak_01JD5Y41BB",
    instanceId: "ins_01JD5Y40AA",
    label: null,
    createdAt: at,
    snapshot: { name: "acme-blog", size: "small", wordpressVersion: "6.5.2" },
  },
  Invitation: {
    id: "inv_01JD5Y42CC",
    tenantId: "ten_01JD5Y3ZV7Q8",
    email: "new.user@acme.example",
    role: "member",
    status: "pending",
    sentCount: 1,
    lastSentAt: at,
    expiresAt: "2026-11-29T05:46:31.123Z",
    tags: {},
    createdAt: at,
  },
  TenantUser: { tenantId: "ten_01JD5Y3ZV7Q8", userId: "user-42", role: "admin", assignedAt: at },
  Hierarchy: { tenantId: "ten_01JD5Y3ZV7Q8", parentId: null, childIds: ["ten_01JD5Y3ZV7Q9"] },
  Health: {
    status: "healthy",
    version: "1.4.0",
    service: "tenant-instance-management",
    environment: "dev",
    timestamp: at,
  },
} as const;

const resourceNames = [
  "Tenant",
  "Instance",
  "Backup",
  "Invitation",
  "TenantUser",
  "Hierarchy",
  "Health",
] as const;
const schemas: Record<(typeof resourceNames)[number], z.ZodObject> = {
  Tenant: TenantSchema,
  Instance: InstanceSchema,
  Backup: BackupSchema,
  Invitation: InvitationSchema,
  TenantUser: TenantUserSchema,
  Hierarchy: HierarchySchema,
  Health: HealthSchema,
};

/** Field names per resource as the contract page lists them in its Resources block. */
function documentedFields(): Map<string, string[]> {
  const block = /## Resources\s+```\n([\s\S]*?)```/.exec(contractDoc)?.[1];
  assert.ok(block, "the contract page has a Resources code block");
  const fields = new Map<string, string[]>();
  const starts = [...block.matchAll(/^(\w+) \{/gm)];
  starts.forEach((start, index) => {
    const body = block.slice((start.index ?? 0) + start[0].length, starts[index + 1]?.index ?? block.length);
    // Only top-level fields: drop nested objects (Backup.snapshot's body) before collecting names.
    const flat = body.replace(/\{[^{}]*\}/g, "");
    fields.set(
      start[1] ?? "",
      [...flat.matchAll(/(\w+):/g)].map((field) => field[1] ?? ""),
    );
  });
  return fields;
}

describe("resource schemas", () => {
  test("name exactly the fields the contract page lists for each resource", () => {
    const documented = documentedFields();
    assert.deepEqual([...documented.keys()].sort(), Object.keys(schemas).sort());
    for (const [name, schema] of Object.entries(schemas)) {
      assert.deepEqual(Object.keys(schema.shape).sort(), [...(documented.get(name) ?? [])].sort(), name);
    }
  });

  for (const name of resourceNames) {
    const example = examples[name];
    const schema = schemas[name];
    test(`${name} accepts the contract's example`, () => {
      const result = schema.safeParse(example);
      assert.ok(result.success, result.success ? "" : result.error.message);
    });

    test(`${name} rejects a missing field, a wrong type and an undocumented field`, () => {
      for (const field of Object.keys(example)) {
        const missing = Object.fromEntries(Object.entries(example).filter(([key]) => key !== field));
        assert.equal(schema.safeParse(missing).success, false, `${name} without ${field}`);
        const value: unknown = Reflect.get(example, field);
        const wrong = typeof value === "number" ? "12345" : 12345;
        assert.equal(
          schema.safeParse({ ...example, [field]: wrong }).success,
          false,
          `${name}.${field} = ${wrong}`,
        );
      }
      assert.equal(
        schema.safeParse({ ...example, internalPk: "TENANT#" }).success,
        false,
        `${name} + extra field`,
      );
    });
  }

  test("enumerations and formats follow the contract", () => {
    const bad = [
      { ...examples.Tenant, plan: "free" },
      { ...examples.Tenant, status: "suspended" },
      { ...examples.Tenant, contactEmail: "not-an-email" },
      { ...examples.Tenant, id: "12345" },
      { ...examples.Tenant, createdAt: "22/11/2026" },
      { ...examples.Tenant, name: "" },
      { ...examples.Tenant, tags: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, "v"])) },
    ];
    for (const tenant of bad)
      assert.equal(TenantSchema.safeParse(tenant).success, false, JSON.stringify(tenant));
    assert.equal(InvitationSchema.safeParse({ ...examples.Invitation, sentCount: 0 }).success, false);
    assert.equal(InvitationSchema.safeParse({ ...examples.Invitation, role: "owner" }).success, false);
    assert.equal(HealthSchema.safeParse({ ...examples.Health, status: "degraded" }).success, false);
    assert.equal(HealthSchema.safeParse({ ...examples.Health, service: "other" }).success, false);
    assert.equal(InstanceSchema.safeParse({ ...examples.Instance, size: "xl" }).success, false);
  });

  test("pages and the error envelope", () => {
    assert.ok(TenantPageSchema.safeParse({ items: [examples.Tenant], nextToken: null }).success);
    assert.ok(TenantPageSchema.safeParse({ items: [], nextToken: "abc" }).success);
    assert.equal(
      TenantPageSchema.safeParse({ items: [examples.Tenant] }).success,
      false,
      "nextToken is required",
    );
    assert.equal(TenantPageSchema.safeParse({ tenants: [examples.Tenant], nextToken: null }).success, false);
    const error = { error: { code: "NotFound", message: "Tenant ten_x does not exist." }, requestId: "r-1" };
    assert.ok(ErrorBodySchema.safeParse(error).success);
    assert.equal(
      ErrorBodySchema.safeParse({ ...error, error: { code: "Gone", message: "x" } }).success,
      false,
    );
    assert.equal(ErrorBodySchema.safeParse({ message: "Internal server error" }).success, false);
  });
});

describe("request schemas", () => {
  test("create-tenant needs name and contactEmail; plan, parentId and tags are optional", () => {
    assert.ok(CreateTenantRequestSchema.safeParse({ name: "A", contactEmail: "a@b.example" }).success);
    assert.equal(CreateTenantRequestSchema.safeParse({ name: "A" }).success, false);
    assert.equal(
      CreateTenantRequestSchema.safeParse({ name: "A", contactEmail: "a@b.example", plan: "x" }).success,
      false,
    );
  });

  test("updates need at least one field; hierarchy takes a parent id or null", () => {
    assert.equal(UpdateTenantRequestSchema.safeParse({}).success, false);
    assert.ok(UpdateTenantRequestSchema.safeParse({ plan: "business" }).success);
    assert.ok(SetHierarchyRequestSchema.safeParse({ parentId: null }).success);
    assert.ok(SetHierarchyRequestSchema.safeParse({ parentId: "ten_1" }).success);
    assert.equal(SetHierarchyRequestSchema.safeParse({}).success, false);
  });
});

describe("operations table", () => {
  // | 1   | health | GET /health | - | 200 Health (no auth) | ... |
  const rows = [
    ...contractDoc.matchAll(
      /^\|\s*(\d+)\s*\|\s*([a-z-]+)\s*\|\s*(GET|POST|PUT|DELETE) (\S+)\s*\|[^|]*(?:\\\|[^|]*)*\|\s*(\d{3})/gm,
    ),
  ];

  test("matches the contract page's table row for row: id, method, path, success status", () => {
    assert.equal(rows.length, 27, "the contract page lists 27 operations");
    const documented = rows.map(([, , id, method, path, status]) => ({
      id,
      method,
      path,
      status: Number(status),
    }));
    const ours = operationIds.map((id) => ({
      id,
      method: operations[id].method,
      path: operations[id].path,
      status: operations[id].success.status,
    }));
    assert.deepEqual(ours, documented);
  });

  test("only GET is read-only, and only /health is unauthenticated", () => {
    for (const id of operationIds) {
      assert.equal(operations[id].mutating, operations[id].method !== "GET", id);
      assert.equal(operations[id].auth, id === "health" ? "none" : "bearer", id);
    }
  });
});

describe("response checks", () => {
  const headers = { "x-request-id": "req-1" };

  test("accept a conforming success and return the typed body", () => {
    const tenant = assertSuccess("get-tenant", { status: 200, body: examples.Tenant, headers });
    assert.equal(tenant.id, examples.Tenant.id);
    assert.equal(
      assertSuccess("delete-instance", { status: 204, body: undefined, text: "", headers }),
      undefined,
    );
  });

  test("name the endpoint and every problem when a response drifts", () => {
    const drifted = { ...examples.Tenant, status: "ACTIVE", plan: undefined };
    const result = checkSuccess("tenant-park", { status: 200, body: drifted, headers });
    assert.equal(result.ok, false);
    assert.ok(
      !result.ok && result.problems.some((line) => line.startsWith("status:")),
      "names the status field",
    );
    assert.ok(!result.ok && result.problems.some((line) => line.startsWith("plan:")), "names the plan field");
    assert.throws(
      () => assertSuccess("tenant-park", { status: 500, body: { message: "boom" }, headers }),
      (error: unknown) =>
        error instanceof ContractViolationError &&
        error.message.includes("POST /tenants/{id}/park (tenant-park)") &&
        error.message.includes("status 500, expected 200"),
    );
  });

  test("a 204 with a body, or a response without x-request-id, is drift", () => {
    assert.equal(checkSuccess("user-remove", { status: 204, body: {}, text: "{}", headers }).ok, false);
    assert.equal(checkSuccess("get-tenant", { status: 200, body: examples.Tenant, headers: {} }).ok, false);
  });

  test("errors need the envelope and a code that fits the status", () => {
    const notFound = { error: { code: "NotFound", message: "no such tenant" }, requestId: "r" };
    assert.equal(
      assertError("get-tenant", { status: 404, body: notFound, headers }, 404).error.code,
      "NotFound",
    );
    assert.equal(
      checkError({ status: 404, body: { ...notFound, error: { code: "Conflict", message: "x" } } }, 404).ok,
      false,
    );
    assert.equal(checkError({ status: 200, body: examples.Tenant }, 401).ok, false);
  });
});

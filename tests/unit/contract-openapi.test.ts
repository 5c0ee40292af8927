import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  buildOpenApiDocument,
  buildPath,
  documentOperationIds,
  lintContractCoverage,
  lintOpenApi,
  matchOperation,
  operationIds,
  PathParameterError,
} from "../../lib/contract/index.ts";

const root = join(import.meta.dirname, "../..");

/** A deep copy to break on purpose. */
function fresh(): Record<string, unknown> {
  return structuredClone(buildOpenApiDocument());
}

/** The live object at a key path, to change in place. */
function live(node: unknown, ...keys: string[]): object {
  let current: unknown = node;
  for (const key of keys) current = Reflect.get(Object(current), key);
  assert.ok(typeof current === "object" && current !== null, `${keys.join(".")} is an object`);
  return current;
}

/** A shallow copy of the object at a key path, to read fields from. */
function at(node: unknown, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(live(node, ...keys)));
}

describe("OpenAPI document", () => {
  test("is valid OpenAPI 3.1 with exactly the 27 contract operations", () => {
    const document = buildOpenApiDocument({ serverUrl: "http://127.0.0.1:1" });
    assert.deepEqual(lintOpenApi(document), []);
    assert.deepEqual(lintContractCoverage(document), []);
    assert.deepEqual(documentOperationIds(document), [...operationIds]);
    assert.equal(operationIds.length, 27);
    assert.equal(Reflect.get(document, "openapi"), "3.1.0");
  });

  test("component schemas carry the zod constraints (required fields, enums, no extra fields)", () => {
    const tenant = at(buildOpenApiDocument(), "components", "schemas", "Tenant");
    assert.deepEqual([...(Array.isArray(tenant.required) ? tenant.required : [])].sort(), [
      "contactEmail",
      "createdAt",
      "deletedAt",
      "id",
      "name",
      "parentId",
      "plan",
      "status",
      "tags",
      "updatedAt",
    ]);
    assert.equal(tenant.additionalProperties, false);
    assert.deepEqual(at(tenant, "properties", "status").enum, ["active", "parked", "deleted"]);
    assert.equal(tenant.$schema, undefined, "components carry no dialect keyword of their own");
    const page = at(buildOpenApiDocument(), "components", "schemas", "TenantPage");
    assert.deepEqual(at(page, "properties", "items", "items"), { $ref: "#/components/schemas/Tenant" });
  });

  test("operations reference their request and response components, and errors as shared responses", () => {
    const document = buildOpenApiDocument();
    const park = at(document, "paths", "/tenants/{id}/park", "post");
    assert.equal(park.operationId, "tenant-park");
    assert.equal(park["x-mutating"], true);
    assert.deepEqual(at(park, "responses", "200", "content", "application/json", "schema"), {
      $ref: "#/components/schemas/Tenant",
    });
    assert.deepEqual(at(park, "responses", "401"), { $ref: "#/components/responses/Unauthorized" });
    assert.deepEqual(at(park, "responses", "409"), { $ref: "#/components/responses/Conflict" });
    const health = at(document, "paths", "/health", "get");
    assert.deepEqual(health.security, [], "health needs no token");
    assert.equal(at(health, "responses")["401"], undefined);
    const restore = at(document, "paths", "/instances/{id}/restore", "post");
    assert.deepEqual(at(restore, "requestBody", "content", "application/json", "schema"), {
      $ref: "#/components/schemas/RestoreInstanceRequest",
    });
    const list = at(document, "paths", "/tenants", "get");
    const names = (Array.isArray(list.parameters) ? list.parameters : []).map((p: unknown) =>
      Reflect.get(Object(p), "name"),
    );
    assert.deepEqual(names, ["limit", "nextToken", "status"]);
  });
});

describe("OpenAPI lint", () => {
  test("finds a dangling $ref", () => {
    const document = fresh();
    Reflect.deleteProperty(live(document, "components", "schemas"), "Hierarchy");
    const problems = lintOpenApi(document);
    assert.ok(
      problems.some((line) => line.includes("#/components/schemas/Hierarchy does not resolve")),
      problems.join("\n"),
    );
  });

  test("finds an undeclared path parameter and a duplicate operation id", () => {
    const document = fresh();
    Reflect.set(live(document, "paths", "/tenants/{id}/users/{userId}", "delete"), "parameters", [
      { name: "id", in: "path", required: true, schema: { type: "string" } },
    ]);
    Reflect.set(live(document, "paths", "/instances/{id}", "get"), "operationId", "get-tenant");
    const problems = lintOpenApi(document);
    assert.ok(
      problems.some((line) => line.includes("path parameter {userId} is not declared")),
      problems.join("\n"),
    );
    assert.ok(
      problems.some((line) => line.includes("operationId get-tenant is also used")),
      problems.join("\n"),
    );
  });

  test("finds a structurally broken document and a missing or moved operation", () => {
    assert.ok(lintOpenApi({ openapi: "3.0.3", info: { title: "x", version: "1" }, paths: {} }).length > 0);
    assert.ok(lintOpenApi({ openapi: "3.1.0", paths: {} }).some((line) => line.startsWith("info")));
    const document = fresh();
    const paths = live(document, "paths");
    Reflect.deleteProperty(paths, "/invitations/{id}/resend");
    Reflect.set(paths, "/tenants/{id}/parking", live(paths, "/tenants/{id}/park"));
    Reflect.deleteProperty(paths, "/tenants/{id}/park");
    const problems = lintContractCoverage(document);
    assert.ok(problems.includes("operation invitation-resend (POST /invitations/{id}/resend) is missing"));
    assert.ok(
      problems.some((line) => line.startsWith("operation tenant-park is at POST /tenants/{id}/parking")),
    );
  });

  test("npm run contract -- openapi --out writes a document that lint accepts, and lint rejects a broken file", () => {
    const dir = mkdtempSync(join(tmpdir(), "contract-"));
    try {
      const out = join(dir, "openapi.json");
      const tsx = join(root, "node_modules/.bin/tsx");
      const written = spawnSync(tsx, ["scripts/contract.ts", "openapi", "--out", out], {
        cwd: root,
        encoding: "utf8",
      });
      assert.equal(written.status, 0, written.stderr);
      assert.deepEqual(lintOpenApi(JSON.parse(readFileSync(out, "utf8"))), []);
      const linted = spawnSync(tsx, ["scripts/contract.ts", "lint", out], { cwd: root, encoding: "utf8" });
      assert.equal(linted.status, 0, linted.stderr);
      assert.match(linted.stdout, /valid OpenAPI 3\.1 with all 27 operations/);
      const broken = fresh();
      Reflect.deleteProperty(live(broken, "paths"), "/health");
      writeFileSync(out, JSON.stringify(broken));
      const failed = spawnSync(tsx, ["scripts/contract.ts", "lint", out], { cwd: root, encoding: "utf8" });
      assert.equal(failed.status, 1);
      assert.match(failed.stderr, /operation health \(GET \/health\) is missing/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("paths", () => {
  test("build encoded paths and refuse missing parameters", () => {
    assert.equal(
      buildPath("user-remove", { id: "ten_1", userId: "a/b c" }),
      "/tenants/ten_1/users/a%2Fb%20c",
    );
    assert.equal(buildPath("list-tenants"), "/tenants");
    assert.throws(() => buildPath("get-tenant", {}), PathParameterError);
  });

  test("match concrete requests to operations, including query strings and trailing slashes", () => {
    assert.equal(matchOperation("GET", "/health"), "health");
    assert.equal(matchOperation("get", "/tenants?limit=5&status=parked"), "list-tenants");
    assert.equal(matchOperation("POST", "/tenants/ten_1/park"), "tenant-park");
    assert.equal(matchOperation("DELETE", "/tenants/ten_1/users/u-1"), "user-remove");
    assert.equal(matchOperation("PUT", "/instances/ins_1/size/"), "scale-instance");
    assert.equal(matchOperation("PATCH", "/tenants/ten_1"), undefined);
    assert.equal(matchOperation("GET", "/tenants/ten_1/unknown"), undefined);
    const document = buildOpenApiDocument();
    for (const id of operationIds) {
      const path = buildPath(id, { id: "x_1", userId: "u" });
      const method = documentMethodOf(document, id);
      assert.equal(matchOperation(method, path), id, `${method} ${path}`);
    }
  });
});

/** The method under which the generated document lists an operation id. */
function documentMethodOf(document: unknown, id: string): string {
  for (const [, item] of Object.entries(at(document, "paths"))) {
    for (const [method, operation] of Object.entries(Object(item))) {
      if (Reflect.get(Object(operation), "operationId") === id) return method;
    }
  }
  return "none";
}

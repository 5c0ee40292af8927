import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  computeCoverage,
  coverageSummaryLine,
  declaredTestsFromPlaywrightJson,
  formatCoverage,
  operationAnnotations,
  operationIds,
} from "../../lib/contract/index.ts";

const base = "http://127.0.0.1:4000";

describe("coverage from the request log", () => {
  test("attributes each answered request to its operation and test", () => {
    const report = computeCoverage({
      requests: [
        { method: "GET", url: `${base}/health`, test: "health > answers", status: 200 },
        { method: "POST", url: `${base}/tenants/ten_1/park`, test: "tenants > lifecycle", status: 200 },
        { method: "POST", url: `${base}/tenants/ten_1/park`, test: "tenants > lifecycle", status: 409 },
        { method: "GET", url: `${base}/tenants?limit=2`, test: "tenants > list", status: 200 },
        { method: "GET", url: `${base}/nope`, test: "misc > unknown route", status: 404 },
        // Refused by the read-only policy: nothing was sent, nothing was exercised.
        { method: "DELETE", url: `${base}/tenants/ten_1`, test: "tenants > delete", status: null },
      ],
    });
    assert.equal(report.total, 27);
    assert.equal(report.covered, 3);
    assert.equal(report.unmatchedRequests, 1);
    const park = report.operations.find((row) => row.id === "tenant-park");
    assert.deepEqual(park?.exercisedBy, ["tenants > lifecycle"]);
    assert.deepEqual(park?.statuses, { "200": 1, "409": 1 });
    assert.equal(park?.endpoint, "POST /tenants/{id}/park");
    assert.ok(report.uncovered.includes("delete-tenant"));
    assert.match(
      coverageSummaryLine(report),
      /^Endpoint coverage: 3\/27 operations exercised; not exercised: create-tenant/,
    );
  });

  test("strips a stage prefix of the base URL and reports full coverage", () => {
    const requests = operationIds.map((id) => ({
      method: "GET",
      url: "https://api.example.test/prod/health",
      test: id,
      status: 200,
    }));
    const report = computeCoverage({ requests, baseUrl: "https://api.example.test/prod/" });
    assert.deepEqual(report.operations.find((row) => row.id === "health")?.requests, 27);
    const all = computeCoverage({
      requests: operationIds.map((id) => ({
        method: operationMethod(id),
        url: `${base}${examplePath(id)}`,
        test: `t-${id}`,
        status: 200,
      })),
    });
    assert.equal(all.covered, 27);
    assert.equal(coverageSummaryLine(all), "Endpoint coverage: 27/27 operations exercised");
    assert.match(
      formatCoverage(all),
      /ok {3}user-remove +DELETE \/tenants\/\{id\}\/users\/\{userId\} +200x1\n {7}- t-user-remove/,
    );
  });
});

describe("declared operations from a Playwright list", () => {
  test("walks nested suites and reads operation annotations and tags", () => {
    const listed = {
      config: {},
      suites: [
        {
          title: "tenants.spec.ts",
          file: "tenants.spec.ts",
          specs: [],
          suites: [
            {
              title: "tenants",
              specs: [
                {
                  title: "lifecycle",
                  tags: ["@smoke", "@mutating"],
                  tests: [
                    {
                      projectName: "smoke",
                      annotations: [
                        ...operationAnnotations("tenant-park", "tenant-unpark"),
                        { type: "verifies", description: "tenant-deploy/1.2/tenant-routes" },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const declared = declaredTestsFromPlaywrightJson(listed);
    assert.equal(declared.length, 1);
    assert.equal(declared[0]?.test, "tenants.spec.ts > tenants > lifecycle");
    assert.deepEqual(declared[0]?.operations, ["tenant-park", "tenant-unpark"]);
    assert.deepEqual(declared[0]?.tags, ["@smoke", "@mutating"]);
    const report = computeCoverage({ declared, requests: [] });
    assert.deepEqual(report.operations.find((row) => row.id === "tenant-unpark")?.declaredBy, [
      "tenants.spec.ts > tenants > lifecycle",
    ]);
    assert.throws(() => declaredTestsFromPlaywrightJson({ suites: "nope" }));
  });
});

function operationMethod(id: string): string {
  const methods: Record<string, string> = {};
  for (const [name, method] of [
    ["create-tenant", "POST"],
    ["update-tenant", "PUT"],
    ["delete-tenant", "DELETE"],
    ["tenant-park", "POST"],
    ["tenant-unpark", "POST"],
    ["create-instance", "POST"],
    ["update-instance", "PUT"],
    ["delete-instance", "DELETE"],
    ["scale-instance", "PUT"],
    ["instance-suspend", "POST"],
    ["instance-resume", "POST"],
    ["instance-backup", "POST"],
    ["instance-restore", "POST"],
    ["invitation-create", "POST"],
    ["invitation-cancel", "DELETE"],
    ["invitation-resend", "POST"],
    ["user-assign", "POST"],
    ["user-remove", "DELETE"],
    ["hierarchy-manage", "PUT"],
  ] as const) {
    methods[name] = method;
  }
  return methods[id] ?? "GET";
}

function examplePath(id: string): string {
  const paths: Record<string, string> = {
    health: "/health",
    "create-tenant": "/tenants",
    "list-tenants": "/tenants",
    "get-tenant": "/tenants/ten_1",
    "update-tenant": "/tenants/ten_1",
    "delete-tenant": "/tenants/ten_1",
    "tenant-park": "/tenants/ten_1/park",
    "tenant-unpark": "/tenants/ten_1/unpark",
    "create-instance": "/tenants/ten_1/instances",
    "get-instance": "/instances/ins_1",
    "list-instances": "/tenants/ten_1/instances",
    "update-instance": "/instances/ins_1",
    "delete-instance": "/instances/ins_1",
    "scale-instance": "/instances/ins_1/size",
    "instance-suspend": "/instances/ins_1/suspend",
    "instance-resume": "/instances/ins_1/resume",
    "instance-backup": "/instances/ins_1/backup",
    "instance-restore": "/instances/ins_1/restore",
    "invitation-create": "/invitations",
    "invitation-list": "/invitations",
    "invitation-get": "/invitations/inv_1",
    "invitation-cancel": "/invitations/inv_1",
    "invitation-resend": "/invitations/inv_1/resend",
    "user-assign": "/tenants/ten_1/users",
    "user-list": "/tenants/ten_1/users",
    "user-remove": "/tenants/ten_1/users/u-1",
    "hierarchy-manage": "/tenants/ten_1/hierarchy",
  };
  return paths[id] ?? "/unknown";
}

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type ExpectedTableKeys,
  judgeApiAnswers,
  judgeReadOnlyRefusal,
  judgeResourcesExist,
  judgeTableKeys,
  judgeUserPoolName,
  type ResourcePresence,
  type TableKeys,
  TENANT_TABLE_KEYS,
} from "../../lib/checks/infrastructure.ts";
import { expandTemplate } from "../../lib/checks/names.ts";

const fn = (name: string, exists = true): ResourcePresence => ({ kind: "function", name, exists });

describe("judgeResourcesExist", () => {
  test("every resource present passes, naming them", () => {
    const finding = judgeResourcesExist("function", [
      fn("bbws-tenant-instance-management-sit"),
      fn("bbws-access-sit"),
    ]);
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      "All 2 functions exist: bbws-tenant-instance-management-sit, bbws-access-sit.",
    );
  });

  test("one resource is not pluralised", () => {
    const finding = judgeResourcesExist("log group", [
      { kind: "log group", name: "/aws/lambda/bbws-access-sit", exists: true },
    ]);
    assert.equal(finding.reason, "All 1 log group exist: /aws/lambda/bbws-access-sit.");
  });

  test("one missing fails, naming it with its detail and what to do", () => {
    const finding = judgeResourcesExist("function", [
      fn("bbws-tenant-instance-management-sit"),
      { kind: "function", name: "bbws-access-sit", exists: false, detail: "GetFunctionConfiguration: 404" },
    ]);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      "function bbws-access-sit (GetFunctionConfiguration: 404) does not exist. Create it (the service's Terraform) before promoting into this environment.",
    );
  });

  test("several missing are all named", () => {
    const finding = judgeResourcesExist("function", [fn("a", false), fn("b", false), fn("c")]);
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /^function a; function b do not exist\. Create them \(the service's Terraform\)/,
    );
  });

  test("none listed is inconclusive and points at the service's names", () => {
    const finding = judgeResourcesExist("log group", []);
    assert.equal(finding.status, "inconclusive");
    assert.equal(
      finding.reason,
      "No log group is named for this service and environment, so there is nothing to check. Check runbooks/services.ts.",
    );
  });
});

describe("judgeTableKeys", () => {
  const env = "sit";
  const expected: Record<string, ExpectedTableKeys> = Object.fromEntries(
    Object.entries(TENANT_TABLE_KEYS).map(([template, keys]) => [expandTemplate(template, { env }), keys]),
  );
  const pkSk = ["PK:HASH:S", "SK:RANGE:S"];
  const asDeployed = (): TableKeys[] => [
    { table: "bbws-tenants-sit", exists: true, keys: pkSk, indexes: {} },
    {
      table: "bbws-instances-sit",
      exists: true,
      keys: pkSk,
      indexes: { byTenant: ["tenantId:HASH:S", "SK:RANGE:S"], byStatus: ["status:HASH:S"] },
    },
    { table: "bbws-invitations-sit", exists: true, keys: pkSk, indexes: {} },
  ];
  const replace = (table: string, over: Partial<TableKeys>): TableKeys[] =>
    asDeployed().map((t) => (t.table === table ? { ...t, ...over } : t));

  test("the expansion names the environment's tables", () => {
    assert.deepEqual(Object.keys(expected).sort(), [
      "bbws-instances-sit",
      "bbws-invitations-sit",
      "bbws-tenants-sit",
    ]);
  });

  test("tables with the expected keys pass; an extra index does no harm", () => {
    const finding = judgeTableKeys(asDeployed(), expected);
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      "All 3 tables have the key schema the code expects (bbws-tenants-sit: PK:HASH:S, SK:RANGE:S; bbws-instances-sit: PK:HASH:S, SK:RANGE:S; bbws-invitations-sit: PK:HASH:S, SK:RANGE:S).",
    );
  });

  test("a key of the wrong type fails, naming both schemas and what to do", () => {
    const finding = judgeTableKeys(
      replace("bbws-tenants-sit", { keys: ["PK:HASH:S", "SK:RANGE:N"] }),
      expected,
    );
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      "bbws-tenants-sit has keys PK:HASH:S, SK:RANGE:N, the code expects PK:HASH:S, SK:RANGE:S. The function reads and writes these keys: fix the table definition before promoting.",
    );
  });

  test("a table without a range key says which keys it has", () => {
    const finding = judgeTableKeys(replace("bbws-invitations-sit", { keys: ["PK:HASH:S"] }), expected);
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /^bbws-invitations-sit has keys PK:HASH:S, the code expects PK:HASH:S, SK:RANGE:S\./,
    );
  });

  test("a missing byTenant index fails, naming the index and its keys", () => {
    const finding = judgeTableKeys(replace("bbws-instances-sit", { indexes: {} }), expected);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      "bbws-instances-sit has no index byTenant (tenantId:HASH:S, SK:RANGE:S). The function reads and writes these keys: fix the table definition before promoting.",
    );
  });

  test("a byTenant index with other keys fails", () => {
    const finding = judgeTableKeys(
      replace("bbws-instances-sit", { indexes: { byTenant: ["tenantId:HASH:S"] } }),
      expected,
    );
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /^bbws-instances-sit index byTenant has keys tenantId:HASH:S, the code expects tenantId:HASH:S, SK:RANGE:S\./,
    );
  });

  test("a missing table fails, and every problem is listed at once", () => {
    const found = replace("bbws-tenants-sit", { exists: false, keys: [] }).map((t) =>
      t.table === "bbws-instances-sit" ? { ...t, indexes: {} } : t,
    );
    const finding = judgeTableKeys(found, expected);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      "bbws-tenants-sit does not exist; bbws-instances-sit has no index byTenant (tenantId:HASH:S, SK:RANGE:S). The function reads and writes these keys: fix the table definition before promoting.",
    );
  });

  test("a table of another environment is one the harness knows no schema for", () => {
    const finding = judgeTableKeys(
      [...asDeployed(), { table: "bbws-tenants-prod", exists: true, keys: pkSk, indexes: {} }],
      expected,
    );
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /^bbws-tenants-prod: the harness knows no expected key schema for it\./);
  });

  test("no table described is inconclusive", () => {
    const finding = judgeTableKeys([], expected);
    assert.equal(finding.status, "inconclusive");
    assert.equal(finding.reason, "No table was described, so no key schema could be compared.");
  });
});

describe("judgeUserPoolName", () => {
  const pool = (name: string): ResourcePresence => ({
    kind: "user pool",
    name,
    exists: true,
    detail: "eu-west-1_AbC123",
  });

  test("the pool the runbook names passes", () => {
    const finding = judgeUserPoolName(pool("bbws-user-pool-sit"), "bbws-user-pool-sit");
    assert.equal(finding.status, "passed");
    assert.equal(finding.reason, "User pool eu-west-1_AbC123 is bbws-user-pool-sit.");
  });

  test("another environment's pool fails: the configured id points elsewhere", () => {
    const finding = judgeUserPoolName(pool("bbws-user-pool-dev"), "bbws-user-pool-sit");
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      "The configured user pool eu-west-1_AbC123 is named bbws-user-pool-dev, not bbws-user-pool-sit: the environment's cognito.userPoolId points at another pool.",
    );
  });

  test("a pool that does not exist fails as a missing resource, with what to set", () => {
    const finding = judgeUserPoolName(
      {
        kind: "user pool",
        name: "(no userPoolId configured)",
        exists: false,
        detail: "set cognito.userPoolId",
      },
      "bbws-user-pool-sit",
    );
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /^user pool \(no userPoolId configured\) \(set cognito\.userPoolId\) does not exist\. Create it/,
    );
  });
});

describe("judgeApiAnswers", () => {
  const url = "https://api.sit.bbws.example";

  test("any HTTP status is an answer, a 5xx included", () => {
    const ok = judgeApiAnswers(url, { status: 200 });
    assert.equal(ok.status, "passed");
    assert.equal(ok.reason, `The API answers at ${url} (GET /health: 200).`);
    const error = judgeApiAnswers(url, { status: 503 });
    assert.equal(error.status, "passed");
    assert.match(error.reason, /\(GET \/health: 503\)\.$/);
  });

  test("nothing answering fails with the cause and where to look", () => {
    const finding = judgeApiAnswers(url, { unreachable: "getaddrinfo ENOTFOUND api.sit.bbws.example" });
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `Nothing answers at ${url}: getaddrinfo ENOTFOUND api.sit.bbws.example. Check the environment's apiUrl and that the API Gateway is deployed.`,
    );
  });
});

describe("judgeReadOnlyRefusal", () => {
  test("a mutating request refused before it was sent passes", () => {
    const finding = judgeReadOnlyRefusal("PROD", {
      refused: true,
      message: "PROD is read-only: POST /tenants is not sent",
    });
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      "PROD is read-only: the mutating request was refused before it was sent (PROD is read-only: POST /tenants is not sent).",
    );
  });

  test("a mutating request that was sent fails, whatever the status, and says where the policy is", () => {
    const finding = judgeReadOnlyRefusal("PROD", { refused: false, status: 403 });
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      "A mutating request reached PROD (HTTP 403): the read-only policy did not stop it. Check policy.readOnly in runbooks/environments.ts and the API client.",
    );
  });
});

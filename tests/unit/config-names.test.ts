import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  alarmPrefix,
  aliasName,
  deploymentsTable,
  expandTemplate,
  functionNames,
  isBackupAlias,
  logGroup,
  serviceNames,
  ssmParameter,
  tableNames,
} from "../../lib/config/index.ts";
import { services } from "../../runbooks/index.ts";

const tenant = services["tenant-instance-management"];
const access = services["access-management"];

describe("names", () => {
  test("the tenant service's names match the runbook (sections 2.3, 4.3, 8, 9.4)", () => {
    assert.deepEqual(functionNames(tenant, "sit"), ["bbws-tenant-instance-management-sit"]);
    assert.equal(aliasName(tenant, "prod"), "latest-prod");
    assert.equal(alarmPrefix(tenant, "dev"), "bbws-tenant-instance-management-dev");
    assert.equal(
      logGroup("bbws-tenant-instance-management-dev"),
      "/aws/lambda/bbws-tenant-instance-management-dev",
    );
    assert.deepEqual(tableNames(tenant, "prod"), [
      "bbws-tenants-prod",
      "bbws-instances-prod",
      "bbws-invitations-prod",
    ]);
    assert.equal(deploymentsTable(tenant, "sit"), "bbws-deployments-sit");
    assert.equal(ssmParameter(tenant, "sit"), null);
    assert.ok(isBackupAlias(tenant, "backup-sit-v2"));
    assert.ok(!isBackupAlias(tenant, "latest-sit"));
  });

  test("the access service's names match its runbook (sections 3.2 and 4.3)", () => {
    assert.deepEqual(functionNames(access, "dev"), [
      "bbws-access-dev-lambda-authorizer",
      "bbws-access-dev-lambda-roles",
      "bbws-access-dev-lambda-audit",
    ]);
    assert.equal(alarmPrefix(access, "prod"), "bbws-access-prod");
    assert.equal(ssmParameter(access, "sit"), "/bbws-access/sit/deployed-version");
    assert.equal(deploymentsTable(access, "sit"), null);
    assert.deepEqual(tableNames(access, "sit"), []);
    const all = serviceNames(access, "sit");
    assert.equal(all.alias, "latest-sit");
    assert.equal(all.logGroups["bbws-access-sit-lambda-roles"], "/aws/lambda/bbws-access-sit-lambda-roles");
  });

  test("an unknown placeholder is a bug and throws", () => {
    assert.throws(() => expandTemplate("bbws-{stage}", { env: "dev" }), /uses \{stage\}/);
  });
});

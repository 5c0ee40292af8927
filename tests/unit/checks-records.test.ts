import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DeploymentRecord } from "../../lib/checks/expected.ts";
import type { VersionInfo } from "../../lib/checks/lambda.ts";
import { judgeDeploymentRecord } from "../../lib/checks/records.ts";

const table = "bbws-deployments-sit";
const functionName = "bbws-tenant-instance-management-sit";
const aliased: VersionInfo = {
  functionVersion: "4",
  appVersion: "1.5.0",
  codeSha256: "sha-4",
  lastModified: "2026-11-22T05:59:00.000+0000",
  state: "Active",
  lastUpdateStatus: "Successful",
};

function record(overrides: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    PK: `DEPLOYMENT#${functionName}`,
    SK: "2026-11-22T06:00:00Z",
    functionName,
    functionVersion: "4",
    appVersion: "1.5.0",
    codeSha256: "sha-4",
    deployedAt: "2026-11-22T06:00:00Z",
    sourceEnvironment: "dev",
    ...overrides,
  };
}

const judge = (records: readonly DeploymentRecord[], sourceEnvironment: string | null = "dev") =>
  judgeDeploymentRecord({ table, functionName, aliased, records, sourceEnvironment });

describe("judgeDeploymentRecord", () => {
  test("a record that describes the deployed bits passes", () => {
    const finding = judge([record()]);
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `${table} records ${functionName} version 4 (app 1.5.0, CodeSha256 sha-4) deployed at 2026-11-22T06:00:00Z from dev.`,
    );
  });

  test("an app version with a leading v is the same app version", () => {
    assert.equal(judge([record({ appVersion: "v1.5.0" })]).status, "passed");
  });

  test("DEV (no source environment) does not check the record's source", () => {
    const finding = judge([record({ sourceEnvironment: null })], null);
    assert.equal(finding.status, "passed");
    assert.ok(finding.reason.endsWith("deployed at 2026-11-22T06:00:00Z."));
  });

  test("no record of the version fails, naming the newest record", () => {
    const finding = judge([record({ functionVersion: "3", deployedAt: "2026-11-21T06:00:00Z" })]);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `${table} has no record of ${functionName} version 4 (app 1.5.0); the newest record is version 3 from 2026-11-21T06:00:00Z. Record the deployment (runbook "record metadata" step).`,
    );
  });

  test("no record at all fails without a newest record", () => {
    const finding = judge([]);
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /has no record of .* version 4 \(app 1\.5\.0\)\. Record the deployment/);
  });

  test("a record of other bits fails, listing every difference", () => {
    const finding = judge([
      record({ codeSha256: "sha-other", appVersion: "1.4.0", sourceEnvironment: "sit" }),
    ]);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `The ${table} record of ${functionName} version 4 (2026-11-22T06:00:00Z) has codeSha256 sha-other instead of sha-4, appVersion 1.4.0 instead of 1.5.0, sourceEnvironment sit instead of dev: it does not describe the deployed bits. Correct the record.`,
    );
  });

  test("a promoted record without a source environment fails", () => {
    const finding = judge([record({ sourceEnvironment: undefined })]);
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /has sourceEnvironment null instead of dev/);
  });
});

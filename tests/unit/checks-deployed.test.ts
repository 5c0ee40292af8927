import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { deploymentTime } from "../../lib/checks/deployed.ts";
import type { DeploymentRecord } from "../../lib/checks/expected.ts";
import { versionInfo } from "./lambda-state.ts";

const fn = "bbws-tenant-instance-management-sit";

function record(functionVersion: string, deployedAt: string): DeploymentRecord {
  return {
    PK: `DEPLOYMENT#${fn}`,
    SK: `${deployedAt}#${functionVersion}`,
    functionName: fn,
    functionVersion,
    appVersion: "1.5.0",
    codeSha256: "sha",
    deployedAt,
  };
}

describe("deploymentTime", () => {
  const aliased = versionInfo({ lastModified: "2026-11-22T05:59:00.000+0000" });
  const now = new Date("2026-11-22T07:00:00Z");

  test("the record of the aliased version, when there is one", () => {
    const records = [record("5", "2026-11-23T06:00:00Z"), record("4", "2026-11-22T06:00:00Z")];
    assert.deepEqual(deploymentTime(aliased, records, now), {
      deployedAt: new Date("2026-11-22T06:00:00Z"),
      deployedAtSource: "deployment record 2026-11-22T06:00:00Z#4",
    });
  });

  test("else the version's LastModified", () => {
    assert.deepEqual(deploymentTime(aliased, [record("3", "2026-11-21T06:00:00Z")], now), {
      deployedAt: new Date("2026-11-22T05:59:00.000Z"),
      deployedAtSource: "LastModified of version 4",
    });
  });

  test("an unreadable time opens the window now", () => {
    const result = deploymentTime({ ...aliased, lastModified: "" }, [], now);
    assert.equal(result.deployedAt, now);
  });
});

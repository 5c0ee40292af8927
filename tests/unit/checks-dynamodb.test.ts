import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { judgeRecentWrite, judgeTablesActive, type TableStatus } from "../../lib/checks/dynamodb.ts";

const tenants = "bbws-tenants-sit";
const deployments = "bbws-deployments-sit";
const status = (table: string, s: string): TableStatus => ({
  table,
  status: s,
  itemCount: s === "MISSING" ? null : 3,
});

describe("judgeTablesActive", () => {
  test("every table ACTIVE passes, naming them", () => {
    const finding = judgeTablesActive([status(tenants, "ACTIVE"), status(deployments, "ACTIVE")]);
    assert.equal(finding.status, "passed");
    assert.equal(finding.reason, `All 2 tables are ACTIVE (${tenants}, ${deployments}).`);
  });

  test("a missing table fails", () => {
    const finding = judgeTablesActive([status(tenants, "MISSING"), status(deployments, "ACTIVE")]);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `${tenants} is MISSING. The function cannot serve requests that need it; check the tables before going on.`,
    );
  });

  test("several tables not ACTIVE are all named", () => {
    const finding = judgeTablesActive([status(tenants, "UPDATING"), status(deployments, "CREATING")]);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `${tenants} is UPDATING; ${deployments} is CREATING. The function cannot serve requests that need them; check the tables before going on.`,
    );
  });

  test("no table described is inconclusive, not a pass", () => {
    const finding = judgeTablesActive([]);
    assert.equal(finding.status, "inconclusive");
    assert.match(finding.reason, /^No table was described/);
  });
});

describe("judgeRecentWrite", () => {
  test("an item under the partition key passes, naming it", () => {
    const newest = { PK: "TENANT#", SK: "2026-11-22T06:00:00Z#t-1", updatedAt: null };
    const finding = judgeRecentWrite(tenants, "TENANT#", newest);
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `The recent-writes query on ${tenants} returned 2026-11-22T06:00:00Z#t-1 (the newest item under TENANT#).`,
    );
    assert.deepEqual(finding.evidence, { table: tenants, partitionKey: "TENANT#", newest });
  });

  test("no item fails: nothing written is readable", () => {
    const finding = judgeRecentWrite(tenants, "TENANT#", null);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `The recent-writes query on ${tenants} (PK = TENANT#, newest first) returned no item: nothing written is readable. Check that writes persist.`,
    );
  });
});

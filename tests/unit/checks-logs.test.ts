import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { judgeErrorLogs, type LogMatch, type LogSearch } from "../../lib/checks/logs.ts";

const logGroup = "/aws/lambda/bbws-tenant-instance-management-sit";
const since = new Date("2026-11-22T06:00:00.000Z");

function search(matches: readonly LogMatch[], overrides: Partial<LogSearch> = {}): LogSearch {
  return {
    logGroup,
    pattern: "ERROR",
    since,
    groupExists: true,
    matches,
    total: matches.length,
    ...overrides,
  };
}

const match = (message: string): LogMatch => ({
  logStream: "2026/11/22/[4]abc",
  timestamp: "2026-11-22T06:01:00.000Z",
  message,
});

describe("judgeErrorLogs", () => {
  test("no ERROR event since the deployment passes", () => {
    const finding = judgeErrorLogs(search([]));
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `No ERROR events in ${logGroup} since the deployment at 2026-11-22T06:00:00.000Z.`,
    );
  });

  test("one ERROR event fails, quoting it", () => {
    const finding = judgeErrorLogs(search([match("ERROR boom")]));
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `1 ERROR event in ${logGroup} since the deployment at 2026-11-22T06:00:00.000Z; first: ERROR boom. The matches are attached (redacted).`,
    );
    assert.equal(finding.evidence.total, 1);
    assert.equal(finding.evidence.filterPattern, "ERROR");
  });

  test("the total counts beyond the matches kept, and the quote is cut at 200 characters", () => {
    const long = `ERROR ${"x".repeat(300)}`;
    const finding = judgeErrorLogs(search([match(long)], { total: 120 }));
    assert.equal(finding.status, "failed");
    assert.ok(finding.reason.startsWith(`120 ERROR events in ${logGroup}`));
    assert.ok(finding.reason.includes(`first: ${long.slice(0, 200)}. The matches`));
  });

  test("a count without kept matches fails without a quote", () => {
    const finding = judgeErrorLogs(search([], { total: 2 }));
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /^2 ERROR events in .* at 2026-11-22T06:00:00\.000Z\. The matches are attached/,
    );
  });

  test("another pattern is named in the reason", () => {
    const finding = judgeErrorLogs(search([], { pattern: "Task timed out" }));
    assert.match(finding.reason, /^No Task timed out events in /);
  });

  test("a missing log group is inconclusive: nothing could be searched", () => {
    const finding = judgeErrorLogs(search([], { groupExists: false }));
    assert.equal(finding.status, "inconclusive");
    assert.equal(
      finding.reason,
      `Log group ${logGroup} does not exist, so its ERROR events cannot be searched. Check the function's logging (runbook 2.3 log group).`,
    );
    assert.deepEqual(finding.evidence, { logGroup });
  });
});

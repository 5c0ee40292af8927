import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type AlarmInfo,
  type AlarmTransition,
  judgeAlarmHistory,
  judgeAlarmStates,
} from "../../lib/checks/alarms.ts";

const prefix = "bbws-tenant-instance-management-sit";

function alarm(name: string, state: string, reason = ""): AlarmInfo {
  return { name: `${prefix}-${name}`, state, reason, updatedAt: "2026-11-22T06:00:00.000Z" };
}

describe("judgeAlarmStates", () => {
  test("no alarm found is inconclusive and says where to look", () => {
    const finding = judgeAlarmStates(prefix, []);
    assert.equal(finding.status, "inconclusive");
    assert.equal(
      finding.reason,
      `No alarm is named ${prefix}*, so there is nothing to judge. Check the alarm prefix in runbooks/services.ts and that the alarms are deployed.`,
    );
  });

  test("every alarm out of ALARM passes, INSUFFICIENT_DATA included", () => {
    const finding = judgeAlarmStates(prefix, [
      alarm("errors", "OK"),
      alarm("throttles", "INSUFFICIENT_DATA"),
    ]);
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `All 2 alarms named ${prefix}* are out of ALARM (${prefix}-errors: OK, ${prefix}-throttles: INSUFFICIENT_DATA).`,
    );
  });

  test("one alarm in ALARM fails with its reason", () => {
    const finding = judgeAlarmStates(prefix, [
      alarm("errors", "ALARM", "Threshold Crossed: 1 datapoint [3.0] was greater than 0.0"),
      alarm("throttles", "OK"),
    ]);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `1 of 2 alarms named ${prefix}* is in ALARM: ${prefix}-errors (Threshold Crossed: 1 datapoint [3.0] was greater than 0.0). Investigate before going on; the runbook rolls back on a firing alarm.`,
    );
  });

  test("several alarms in ALARM are all named, a missing reason said so", () => {
    const finding = judgeAlarmStates(prefix, [alarm("errors", "ALARM"), alarm("duration", "ALARM", "slow")]);
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /^2 of 2 alarms named .* are in ALARM: .*-errors \(no reason given\); .*-duration \(slow\)\./,
    );
  });
});

describe("judgeAlarmHistory", () => {
  const since = new Date("2026-11-22T06:00:00.000Z");
  const transition = (name: string, at: string, to: string | null): AlarmTransition => ({
    alarm: `${prefix}-${name}`,
    at,
    summary: `Alarm updated from OK to ${to ?? "?"}`,
    to,
  });

  test("no state change since the deployment passes", () => {
    const finding = judgeAlarmHistory(prefix, since, []);
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `No alarm named ${prefix}* entered ALARM since the deployment at 2026-11-22T06:00:00.000Z (0 state changes seen).`,
    );
  });

  test("changes that never reach ALARM pass", () => {
    const finding = judgeAlarmHistory(prefix, since, [
      transition("errors", "2026-11-22T06:01:00.000Z", "INSUFFICIENT_DATA"),
      transition("errors", "2026-11-22T06:02:00.000Z", "OK"),
      transition("errors", "2026-11-22T06:03:00.000Z", null),
    ]);
    assert.equal(finding.status, "passed");
    assert.match(finding.reason, /\(3 state changes seen\)\.$/);
  });

  test("an alarm that fired and recovered still fails", () => {
    const finding = judgeAlarmHistory(prefix, since, [
      transition("errors", "2026-11-22T06:01:00.000Z", "ALARM"),
      transition("errors", "2026-11-22T06:02:00.000Z", "OK"),
    ]);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `Since the deployment at 2026-11-22T06:00:00.000Z, ${prefix}-errors went to ALARM at 2026-11-22T06:01:00.000Z. An alarm that fired after a deployment is a rollback trigger even when it has recovered.`,
    );
  });

  test("every transition to ALARM is listed", () => {
    const finding = judgeAlarmHistory(prefix, since, [
      transition("errors", "2026-11-22T06:01:00.000Z", "ALARM"),
      transition("duration", "2026-11-22T06:04:00.000Z", "ALARM"),
    ]);
    assert.match(
      finding.reason,
      /-errors went to ALARM at .*; .*-duration went to ALARM at 2026-11-22T06:04:00\.000Z\./,
    );
  });
});

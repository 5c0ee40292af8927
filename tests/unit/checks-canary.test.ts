import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CanaryRecord } from "../../lib/checks/canary-record.ts";
import type { FunctionState } from "../../lib/checks/lambda.ts";
import { canaryVersionOf } from "../../lib/checks/window.ts";
import { judgeCanaryWeight } from "../../lib/checks/window-judge.ts";
import { getRunbookItem, type Threshold } from "../../runbooks/index.ts";
import { functionState, versionInfo } from "./lambda-state.ts";

const itemId = "access-promotion/4.3.4/canary-10pct-5min";
const serviceId = "access-management";
const weight10: Threshold = {
  metric: "canary.traffic-weight",
  comparison: "==",
  value: 10,
  unit: "percent",
  forSeconds: 300,
  zeroTrafficOk: false,
  sense: "requirement",
};

function state(functionName: string, routing: Record<string, number>): FunctionState {
  return functionState(functionName, "latest-prod", {
    aliased: versionInfo({ functionVersion: "6", appVersion: "1.3.0" }),
    routing,
  });
}

const roles = (routing: Record<string, number> = {}) => state("bbws-access-prod-lambda-roles", routing);
const users = (routing: Record<string, number> = {}) => state("bbws-access-prod-lambda-users", routing);
const judge = (states: FunctionState[], thresholds: Threshold[] = [weight10]) =>
  judgeCanaryWeight({ itemId, serviceId, thresholds, states });

describe("judgeCanaryWeight", () => {
  test("10% to the new version passes", () => {
    const finding = judge([roles({ "7": 0.1 }), users()]);
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      "bbws-access-prod-lambda-roles: latest-prod sends 10% to version 7 (the canary).",
    );
    assert.deepEqual(finding.evidence.canaries, [
      { functionName: "bbws-access-prod-lambda-roles", routing: { "7": 0.1 }, primary: "6" },
    ]);
  });

  test("the runbook's own threshold for the item is the one judged", () => {
    const thresholds = getRunbookItem(itemId)?.thresholds ?? [];
    assert.equal(
      judgeCanaryWeight({ itemId, serviceId, thresholds, states: [roles({ "7": 0.1 })] }).status,
      "passed",
    );
    assert.equal(
      judgeCanaryWeight({ itemId, serviceId, thresholds, states: [roles({ "7": 0.2 })] }).status,
      "failed",
    );
  });

  test("boundary: the weight is read to a tenth of a percent, so 9.9% fails and 10.04% rounds to 10%", () => {
    const low = judge([roles({ "7": 0.099 })]);
    assert.equal(low.status, "failed");
    assert.equal(
      low.reason,
      "bbws-access-prod-lambda-roles: latest-prod sends 9.9% to version 7, not the runbook's 10%.",
    );
    assert.equal(judge([roles({ "7": 0.1004 })]).status, "passed");
    assert.equal(judge([roles({ "7": 0.1006 })]).status, "failed");
  });

  test("every canary is judged; one off weight fails the item, its reason alone is given", () => {
    const finding = judge([roles({ "7": 0.1 }), users({ "4": 0.5 })]);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      "bbws-access-prod-lambda-users: latest-prod sends 50% to version 4, not the runbook's 10%.",
    );
    assert.equal((finding.evidence.canaries as unknown[]).length, 2);
  });

  test("no data: no alias splits traffic now, so the weight cannot be observed", () => {
    const finding = judge([roles(), users()]);
    assert.equal(finding.status, "inconclusive");
    assert.equal(
      finding.reason,
      `no alias of ${serviceId} splits traffic now and no promotion handed over its canary record, so the canary's weight cannot be observed; run the post-deploy suite during the canary, or through \`npm run promote\`, to verify ${itemId}.`,
    );
    assert.equal(judge([]).status, "inconclusive");
  });

  test("a split over two extra versions is not a canary (the monitor watches the whole function)", () => {
    assert.equal(judge([roles({ "7": 0.1, "5": 0.1 })]).status, "inconclusive");
  });

  test("an item without a traffic-weight threshold is inconclusive, naming the weight seen", () => {
    const finding = judge([roles({ "7": 0.1 })], []);
    assert.equal(finding.status, "inconclusive");
    assert.equal(finding.reason, `${itemId} has no traffic-weight threshold to compare 10% with.`);
  });
});

describe("canaryVersionOf", () => {
  test("the one extra version of a split; none without a split or with several", () => {
    assert.equal(canaryVersionOf({ "7": 0.1 }), "7");
    assert.equal(canaryVersionOf({}), undefined);
    assert.equal(canaryVersionOf({ "7": 0.1, "5": 0.1 }), undefined);
  });
});

describe("judgeCanaryWeight from the promotion's canary record (the alias no longer splits)", () => {
  const record = (change: Partial<CanaryRecord> = {}): { record: CanaryRecord } => ({
    record: {
      schemaVersion: 1,
      runId: "r-prod-1",
      weightPercent: 10,
      windowMs: 300_000,
      decidedAfterMs: 300_000,
      outcome: "pass",
      reason: "The canary passed",
      decision: null,
      functions: [
        { functionName: "bbws-access-prod-lambda-roles", newVersion: "6" },
        { functionName: "bbws-access-prod-lambda-users", newVersion: "6" },
      ],
      ...change,
    },
  });
  const withRecord = (recorded: Parameters<typeof judgeCanaryWeight>[0]["recorded"]) =>
    judgeCanaryWeight({ itemId, serviceId, thresholds: [weight10], states: [roles(), users()], recorded });

  test("a passed 10% canary of the versions served now passes, saying it comes from the record", () => {
    const finding = withRecord(record());
    assert.equal(finding.status, "passed");
    assert.match(finding.reason, /run r-prod-1 routed 10% for 300\.0 s of its 300 s window/);
    assert.match(finding.reason, /from the promotion's canary record/);
  });

  test("a held canary shifted on a person's decision passes and says so", () => {
    const finding = withRecord(record({ outcome: "hold", decision: "proceed", decidedAfterMs: 40_000 }));
    assert.equal(finding.status, "passed");
    assert.match(finding.reason, /person's decision/);
  });

  test("another weight, a record of other versions, or a canary that did not pass fails", () => {
    assert.equal(withRecord(record({ weightPercent: 25 })).status, "failed");
    const other = withRecord(
      record({ functions: [{ functionName: "bbws-access-prod-lambda-roles", newVersion: "5" }] }),
    );
    assert.equal(other.status, "failed");
    assert.match(other.reason, /for other versions/);
    assert.equal(withRecord(record({ outcome: "rollback" })).status, "failed");
  });

  test("an unreadable record fails with its problem; no record at all is inconclusive", () => {
    const broken = withRecord({ problem: "the canary record /x.json cannot be read: ENOENT" });
    assert.equal(broken.status, "failed");
    assert.match(broken.reason, /ENOENT/);
    assert.equal(withRecord(undefined).status, "inconclusive");
  });
});

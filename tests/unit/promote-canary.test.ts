import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { MonitorDecision, RuleBreach } from "../../lib/monitor/index.ts";
import {
  CANARY_ITEMS,
  type CanaryHealth,
  type CanaryWatch,
  canaryPlan,
  canaryRules,
  judgeCanary,
} from "../../lib/promote/canary.ts";
import { environments, services } from "../../runbooks/index.ts";

const plan = { windowMs: 300_000, weightPercent: 10 };
const noHealthFailure: CanaryHealth = { checks: 60, failures: 0, firstFailure: null };
const empty = { errors: [], invocations: [], throttles: [], duration: {} };
type Final = Exclude<MonitorDecision, { kind: "continue" }>;

function watch(decision: Final | null, functionName = "bbws-access-prod-lambda-roles"): CanaryWatch {
  return {
    functionName,
    newVersion: "7",
    baseline: { valueMs: 100, source: "seeded" },
    decision,
    traffic: null,
  };
}
const pass: Final = {
  kind: "pass",
  at: 0,
  elapsedMs: 300_000,
  polls: 30,
  reason: "ok",
  itemIds: [],
  evidence: empty,
};
const inconclusive: Final = { ...pass, kind: "inconclusive", reason: "No Invocations datapoints" };
function fail(ruleId: string): Final {
  const breach: RuleBreach = {
    ruleId,
    itemIds: [ruleId],
    reason: `${ruleId} crossed.`,
    onsetAt: 0,
    observed: {},
  };
  return {
    kind: "fail",
    at: 0,
    elapsedMs: 30_000,
    polls: 3,
    breach,
    breaches: [breach],
    reason: breach.reason,
    evidence: empty,
  };
}
const judge = (watches: CanaryWatch[], health = noHealthFailure, decidedAfterMs = 300_000) =>
  judgeCanary({ watches, health, holdRuleIds: [CANARY_ITEMS.latency], decidedAfterMs, plan });

describe("judgeCanary", () => {
  test("every watcher passed and every health invoke answered: shift", () => {
    const outcome = judge([watch(pass), watch(pass, "bbws-access-prod-lambda-audit")]);
    assert.equal(outcome.kind, "pass");
    assert.match(outcome.reason, /10% of the traffic for 300 s/);
  });

  test("a failed health invoke rolls back first, naming the function and when", () => {
    const outcome = judge(
      [watch(pass)],
      { checks: 4, failures: 1, firstFailure: { functionName: "fn-a", afterMs: 6_000, outcome: "failed" } },
      6_100,
    );
    assert.equal(outcome.kind, "rollback");
    assert.deepEqual(outcome.itemIds, [CANARY_ITEMS.health]);
    assert.match(outcome.reason, /fn-a's new version answered failed 6\.0 s into the canary/);
    assert.equal(outcome.decidedAfterMs, 6_100);
  });

  test("the error-rate trigger rolls back; the latency alert holds; a rollback trigger beats an alert", () => {
    assert.equal(judge([watch(fail(CANARY_ITEMS.errorRate)), watch(null)]).kind, "rollback");
    const held = judge([watch(fail(CANARY_ITEMS.latency)), watch(null)]);
    assert.equal(held.kind, "hold");
    assert.match(held.reason, /--resume --decision proceed\|rollback/);
    assert.equal(
      judge([watch(fail(CANARY_ITEMS.latency)), watch(fail(CANARY_ITEMS.errorRate))]).kind,
      "rollback",
    );
  });

  test("no data is inconclusive, never a shift: a watcher without data, none at all, no health invoke", () => {
    assert.equal(judge([watch(pass), watch(inconclusive)]).kind, "inconclusive");
    assert.equal(judge([]).kind, "inconclusive");
    assert.equal(judge([watch(pass)], { checks: 0, failures: 0, firstFailure: null }).kind, "inconclusive");
  });
});

describe("canaryPlan and canaryRules", () => {
  test("access into PROD has the runbook's canary; the tenant service and SIT have none", () => {
    const access = canaryPlan(services["access-management"], environments.prod);
    assert.deepEqual(access && [access.weightPercent, access.windowMs, access.scale], [10, 300_000, 1]);
    assert.equal(canaryPlan(services["tenant-instance-management"], environments.prod), null);
    assert.equal(canaryPlan(services["access-management"], environments.sit), null);
  });

  test("the runbook's 'for 2 minutes' scales with a shortened canary; p95 > 3x the baseline holds", () => {
    const full = canaryRules({ scale: 1 }, 100);
    assert.deepEqual(
      full.rollback.map((r) => [r.itemIds[0], r.forMs]),
      [[CANARY_ITEMS.errorRate, 120_000]],
    );
    assert.deepEqual(
      full.hold.map((r) => r.measure),
      [{ kind: "latency-baseline-ratio", stat: "p95", baselineMs: 100 }],
    );
    const short = canaryRules({ scale: 0.1 }, null);
    assert.equal(short.rollback[0]?.forMs, 12_000);
  });
});

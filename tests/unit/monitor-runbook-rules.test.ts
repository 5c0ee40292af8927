import assert from "node:assert/strict";
import { test } from "node:test";
import { failWhenFromThreshold } from "../../lib/metrics/index.ts";
import { durationStatsOf, monitorRulesFromItems, replay } from "../../lib/monitor/index.ts";
import { getRunbookItem, type RunbookItem } from "../../runbooks/index.ts";

function item(id: string): RunbookItem {
  const found = getRunbookItem(id);
  assert.ok(found, `runbook item ${id} exists`);
  return found;
}

test("a requirement fails when it stops holding; a trigger fails as written", () => {
  assert.deepEqual(failWhenFromThreshold({ comparison: "<", value: 10, sense: "requirement" }), {
    comparison: ">=",
    value: 10,
  });
  assert.deepEqual(failWhenFromThreshold({ comparison: "==", value: 0, sense: "requirement" }), {
    comparison: "!=",
    value: 0,
  });
  assert.deepEqual(failWhenFromThreshold({ comparison: ">", value: 5, sense: "trigger" }), {
    comparison: ">",
    value: 5,
  });
});

test("the runbooks' Lambda thresholds become monitor rules; the rest are listed as skipped", () => {
  const { rules, skipped } = monitorRulesFromItems(
    [
      item("tenant-deploy/6.3.3/monitor-immediate-errors"),
      item("access-promotion/5.1/error-rate-auto-rollback"),
      item("access-promotion/5.1/p95-latency-alert"),
      item("tenant-deploy/9.2/p99-over-10s"),
      item("tenant-deploy/8.3/no-alarms-in-alarm"),
    ],
    { baselineP95Ms: 80 },
  );
  assert.deepEqual(
    rules.map((r) => [r.id, r.measure.kind, r.failWhen.comparison, r.failWhen.value, r.forMs ?? null]),
    [
      ["tenant-deploy/6.3.3/monitor-immediate-errors", "error-count", "!=", 0, null],
      ["access-promotion/5.1/error-rate-auto-rollback", "error-rate-percent", ">", 5, 120_000],
      ["access-promotion/5.1/p95-latency-alert", "latency-baseline-ratio", ">", 3, null],
      ["tenant-deploy/9.2/p99-over-10s#1", "latency-ms", ">", 10_000, null],
    ],
  );
  assert.deepEqual(
    skipped.map((s) => [s.itemId, s.metric]),
    [
      ["tenant-deploy/9.2/p99-over-10s", "rollback.duration"],
      ["tenant-deploy/8.3/no-alarms-in-alarm", "alarms.in-alarm"],
    ],
  );
  assert.deepEqual(durationStatsOf(rules), ["p95", "p99"]);
});

test("SIT's 'no errors in 30 s' item fails the window at its first error", () => {
  const { rules } = monitorRulesFromItems([item("tenant-deploy/6.3.3/monitor-immediate-errors")], {
    baselineP95Ms: null,
  });
  const start = Date.UTC(2026, 10, 22, 6, 0, 0);
  const fn = "bbws-tenant-instance-management-sit";
  const at = (s: number, errors: number) => ({
    at: start + s * 1000,
    series: [
      {
        metric: "Invocations" as const,
        stat: "Sum",
        dimensions: { FunctionName: fn },
        points: [{ timestamp: start, value: 100 }],
      },
      {
        metric: "Errors" as const,
        stat: "Sum",
        dimensions: { FunctionName: fn },
        points: [{ timestamp: start, value: errors }],
      },
    ],
  });
  const decisions = replay(
    {
      rules,
      target: { kind: "function", functionName: fn },
      startedAt: start,
      windowMs: 30_000,
      intervalMs: 10_000,
      periodMs: 60_000,
    },
    [at(10, 0), at(20, 1), at(30, 1)],
  );
  assert.deepEqual(
    decisions.map((d) => d.kind),
    ["continue", "fail"],
  );
});

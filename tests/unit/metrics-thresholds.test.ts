import assert from "node:assert/strict";
import { test } from "node:test";
import { type Datapoint, evaluateLambdaThreshold, type LambdaWindowSeries } from "../../lib/metrics/index.ts";
import { getRunbookItem, type Threshold } from "../../runbooks/index.ts";

const t0 = Date.UTC(2026, 10, 22, 6, 0, 0);
const pts = (...values: number[]): Datapoint[] =>
  values.map((value, i) => ({ timestamp: t0 + i * 60_000, value }));
const healthy: LambdaWindowSeries = {
  errors: pts(0, 0),
  invocations: pts(40, 50),
  throttles: pts(0, 0),
  duration: { Maximum: pts(120, 180), p95: pts(90, 95), p99: pts(110, 130) },
};

function threshold(itemId: string, index = 0): Threshold {
  const found = getRunbookItem(itemId)?.thresholds[index];
  assert.ok(found, `${itemId} has threshold ${index}`);
  return found;
}

test("the 8.1 requirements pass on healthy metrics and fail on the defect each names", () => {
  const errors = threshold("tenant-deploy/8.1/errors-5min");
  const invocations = threshold("tenant-deploy/8.1/invocations-5min");
  const duration = threshold("tenant-deploy/8.1/duration-5min");
  for (const t of [errors, invocations, duration]) {
    assert.equal(evaluateLambdaThreshold(t, healthy, { periodMs: 60_000 }).status, "passed", t.metric);
  }
  assert.equal(
    evaluateLambdaThreshold(errors, { ...healthy, errors: pts(0, 1) }, { periodMs: 60_000 }).status,
    "failed",
  );
  const slow = { ...healthy, duration: { ...healthy.duration, Maximum: pts(120, 10_000) } };
  assert.equal(evaluateLambdaThreshold(duration, slow, { periodMs: 60_000 }).status, "failed");
});

test("no traffic: invocations and errors are inconclusive, not passed", () => {
  const silent: LambdaWindowSeries = { errors: [], invocations: [], throttles: [], duration: {} };
  for (const id of [
    "tenant-deploy/8.1/errors-5min",
    "tenant-deploy/8.1/invocations-5min",
    "tenant-deploy/8.1/duration-5min",
  ]) {
    assert.equal(
      evaluateLambdaThreshold(threshold(id), silent, { periodMs: 60_000 }).status,
      "inconclusive",
      id,
    );
  }
});

test("triggers: error rate, 5xx per minute, p99 and the p95 baseline multiple", () => {
  const bad: LambdaWindowSeries = {
    errors: pts(10, 12),
    invocations: pts(50, 50),
    throttles: [],
    duration: { p95: pts(400, 420), p99: pts(12_000, 900) },
  };
  const rate = evaluateLambdaThreshold(threshold("tenant-deploy/9.2/error-rate-over-10pct"), bad, {
    periodMs: 60_000,
  });
  assert.equal(rate.status, "failed");
  assert.equal(rate.observed.errorRatePercent, 22);
  assert.equal(
    evaluateLambdaThreshold(threshold("tenant-deploy/9.2/5xx-over-5-per-min"), bad, { periodMs: 60_000 })
      .status,
    "failed",
  );
  assert.equal(
    evaluateLambdaThreshold(threshold("tenant-deploy/9.2/p99-over-10s"), bad, { periodMs: 60_000 }).status,
    "failed",
  );
  const p95 = threshold("access-promotion/5.1/p95-latency-alert");
  assert.equal(evaluateLambdaThreshold(p95, bad, { periodMs: 60_000, baselineMs: 100 }).status, "failed");
  assert.equal(evaluateLambdaThreshold(p95, bad, { periodMs: 60_000, baselineMs: 200 }).status, "passed");
  assert.equal(evaluateLambdaThreshold(p95, bad, { periodMs: 60_000 }).status, "inconclusive", "no baseline");
});

test("a threshold on a non-Lambda metric is not judged here, and says so", () => {
  const result = evaluateLambdaThreshold(threshold("tenant-deploy/8.3/no-alarms-in-alarm"), healthy, {
    periodMs: 60_000,
  });
  assert.equal(result.status, "inconclusive");
  assert.match(result.reason, /alarms.in-alarm is not a Lambda metric/);
});

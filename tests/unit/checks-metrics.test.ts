import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { judgeLambdaThreshold, type LambdaWindow, metricsRange } from "../../lib/checks/metrics.ts";
import type { Datapoint, LambdaWindowSeries } from "../../lib/metrics/index.ts";
import type { Threshold } from "../../runbooks/index.ts";

const fn = "bbws-tenant-instance-management-sit";
const t0 = Date.UTC(2026, 10, 22, 6, 0, 0);
const series = (...values: number[]): Datapoint[] =>
  values.map((value, i) => ({ timestamp: t0 + i * 60_000, value }));

const base = { unit: "count", windowSeconds: 300, zeroTrafficOk: false, sense: "requirement" } as const;
// The three thresholds of tenant runbook 8.1, as runbooks/tenant-deploy.ts writes them.
const noErrors: Threshold = { ...base, metric: "lambda.errors", comparison: "==", value: 0 };
const invoked: Threshold = { ...base, metric: "lambda.invocations", comparison: ">", value: 0 };
const under10s: Threshold = {
  ...base,
  metric: "lambda.duration.max",
  comparison: "<",
  value: 10_000,
  unit: "ms",
};

const range = { start: "2026-11-22T06:00:00.000Z", end: "2026-11-22T06:05:00.000Z" };
function window(points: Partial<LambdaWindowSeries> = {}): LambdaWindow {
  return { points: { errors: [], invocations: [], throttles: [], duration: {}, ...points }, range };
}

describe("judgeLambdaThreshold", () => {
  test("no errors under traffic passes, naming the function; the evidence holds the range and the series", () => {
    const w = window({ invocations: series(5, 5) });
    const finding = judgeLambdaThreshold(fn, noErrors, w);
    assert.equal(finding.status, "passed");
    assert.equal(finding.reason, `${fn}: 0 errors in the window, within the limit.`);
    assert.deepEqual(finding.evidence, {
      functionName: fn,
      range,
      threshold: noErrors,
      observed: { count: 0, invocations: 10, limit: 0 },
      series: w.points,
    });
  });

  test("boundary: one error fails the errors == 0 requirement", () => {
    const finding = judgeLambdaThreshold(
      fn,
      noErrors,
      window({ errors: series(0, 1), invocations: series(5, 5) }),
    );
    assert.equal(finding.status, "failed");
    assert.equal(finding.reason, `${fn}: 1 errors in the window, different from the required 0.`);
  });

  test("no data: no datapoint at all is inconclusive, never a pass", () => {
    for (const threshold of [noErrors, invoked, under10s]) {
      const finding = judgeLambdaThreshold(fn, threshold, window());
      assert.equal(finding.status, "inconclusive", threshold.metric);
      assert.match(finding.reason, /no data is not a pass/);
      assert.ok(finding.reason.startsWith(`${fn}: `));
    }
  });

  test("boundary: invocations > 0 fails at 0 and passes at 1", () => {
    assert.equal(judgeLambdaThreshold(fn, invoked, window({ invocations: series(0) })).status, "failed");
    assert.equal(judgeLambdaThreshold(fn, invoked, window({ invocations: series(1) })).status, "passed");
  });

  test("boundary: Maximum Duration < 10 s passes at 9999 ms and fails at 10000 ms", () => {
    const ok = judgeLambdaThreshold(fn, under10s, window({ duration: { Maximum: series(120, 9_999) } }));
    assert.equal(ok.status, "passed");
    assert.equal(ok.reason, `${fn}: The worst Maximum Duration is 9999 ms, within the limit.`);
    const slow = judgeLambdaThreshold(fn, under10s, window({ duration: { Maximum: series(120, 10_000) } }));
    assert.equal(slow.status, "failed");
    assert.equal(
      slow.reason,
      `${fn}: The worst Maximum Duration is 10000 ms, at or above the limit of 10000 ms.`,
    );
  });

  test("a threshold on a metric the window does not read is inconclusive, saying which check reads it", () => {
    const finding = judgeLambdaThreshold(fn, { ...noErrors, metric: "logs.error-events" }, window());
    assert.equal(finding.status, "inconclusive");
    assert.match(finding.reason, /logs\.error-events is not a Lambda metric/);
  });
});

describe("metricsRange", () => {
  const now = new Date(t0 + 3_600_000);
  const windowMs = 30_000;

  test("looks back over the longest threshold window, ending now", () => {
    const { start, end } = metricsRange({
      thresholds: [noErrors, { ...invoked, windowSeconds: 600 }],
      windowMs,
      deployedAt: new Date(t0),
      now,
    });
    assert.equal(start.getTime(), now.getTime() - 600_000);
    assert.equal(end.getTime(), now.getTime());
  });

  test("never starts before the deployment", () => {
    const deployedAt = new Date(now.getTime() - 60_000);
    assert.equal(
      metricsRange({ thresholds: [noErrors], windowMs, deployedAt, now }).start.getTime(),
      deployedAt.getTime(),
    );
  });

  test("a threshold without a window, or an item without thresholds, looks back over the monitoring window", () => {
    const { windowSeconds: _, ...unwindowed } = noErrors;
    const deployedAt = new Date(t0);
    assert.equal(
      metricsRange({ thresholds: [unwindowed], windowMs, deployedAt, now }).start.getTime(),
      now.getTime() - windowMs,
    );
    assert.equal(
      metricsRange({ thresholds: [], windowMs, deployedAt, now }).start.getTime(),
      now.getTime() - windowMs,
    );
  });
});

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type Datapoint,
  datapointsFromMetricData,
  evaluateAbsoluteLatency,
  evaluateBaselineRatio,
  evaluateCount,
  evaluateErrorRate,
  evaluatePerMinute,
  type MetricInputError,
} from "../../lib/metrics/index.ts";

const t0 = Date.UTC(2026, 10, 22, 6, 0, 0);
const series = (...values: number[]): Datapoint[] =>
  values.map((value, i) => ({ timestamp: t0 + i * 60_000, value }));

describe("error count", () => {
  test("passes under the limit and fails at it, with the numbers", () => {
    const ok = evaluateCount({
      label: "errors",
      counts: series(1, 2, 1),
      failWhen: { comparison: ">=", value: 10 },
    });
    assert.equal(ok.status, "passed");
    assert.equal(ok.observed.count, 4);
    const bad = evaluateCount({
      label: "errors",
      counts: series(4, 4, 2),
      failWhen: { comparison: ">=", value: 10 },
    });
    assert.equal(bad.status, "failed");
    assert.equal(bad.reason, "10 errors in the window, at or above the limit of 10.");
  });

  test("no datapoints is inconclusive unless zero traffic is ok", () => {
    const none = evaluateCount({ label: "errors", counts: [], failWhen: { comparison: ">", value: 0 } });
    assert.equal(none.status, "inconclusive");
    assert.match(none.reason, /no data is not a pass/);
    const accepted = evaluateCount({
      label: "errors",
      counts: [],
      failWhen: { comparison: ">", value: 0 },
      zeroTrafficOk: true,
    });
    assert.equal(accepted.status, "passed");
  });

  test("missing error datapoints with invocations present count as zero errors", () => {
    const r = evaluateCount({
      label: "throttles",
      counts: [],
      traffic: series(50, 60),
      failWhen: { comparison: ">", value: 0 },
    });
    assert.equal(r.status, "passed");
    assert.equal(r.observed.count, 0);
    assert.equal(r.observed.invocations, 110);
  });
});

describe("error rate", () => {
  test("is errors / invocations over the window in percent", () => {
    const r = evaluateErrorRate({
      errors: series(3, 3),
      invocations: series(50, 50),
      failWhen: { comparison: ">", value: 5 },
    });
    assert.equal(r.status, "failed");
    assert.equal(r.observed.errorRatePercent, 6);
    assert.equal(r.reason, "The error rate 6% (6 errors / 100 invocations) above the limit of 5%.");
    const ok = evaluateErrorRate({
      errors: series(5),
      invocations: series(100),
      failWhen: { comparison: ">", value: 5 },
    });
    assert.equal(ok.status, "passed", "exactly 5% is not above 5%");
  });

  test("zero invocations is inconclusive, even with no errors", () => {
    const r = evaluateErrorRate({
      errors: series(0),
      invocations: series(0),
      failWhen: { comparison: ">", value: 5 },
    });
    assert.equal(r.status, "inconclusive");
    assert.equal(r.observed.errorRatePercent, null);
  });
});

describe("per minute", () => {
  test("sums sub-minute periods into minutes and judges the worst minute", () => {
    // 10 s periods: 1 per period in the first minute (6/min), 0 after.
    const points = Array.from({ length: 12 }, (_, i) => ({
      timestamp: t0 + i * 10_000,
      value: i < 6 ? 1 : 0,
    }));
    const r = evaluatePerMinute({
      label: "5xx errors",
      counts: points,
      periodMs: 10_000,
      failWhen: { comparison: ">", value: 5 },
    });
    assert.equal(r.status, "failed");
    assert.equal(r.observed.worstMinute, 6);
    assert.match(r.reason, /worst minute had 6 5xx errors, above the limit of 5\/minute/);
  });

  test("spreads 5-minute periods evenly", () => {
    const points = [{ timestamp: t0, value: 25 }];
    const r = evaluatePerMinute({
      label: "5xx errors",
      counts: points,
      periodMs: 300_000,
      failWhen: { comparison: ">", value: 5 },
    });
    assert.equal(r.status, "passed");
    assert.equal(r.observed.worstMinute, 5);
  });
});

describe("latency", () => {
  test("p95 against the previous version's baseline", () => {
    const bad = evaluateBaselineRatio({
      current: series(120, 330),
      baseline: 100,
      failWhen: { comparison: ">", value: 3 },
    });
    assert.equal(bad.status, "failed");
    assert.equal(bad.observed.ratio, 3.3);
    const ok = evaluateBaselineRatio({
      current: series(120, 290),
      baseline: 100,
      failWhen: { comparison: ">", value: 3 },
    });
    assert.equal(ok.status, "passed");
  });

  test("without a baseline the ratio is inconclusive", () => {
    const r = evaluateBaselineRatio({
      current: series(500),
      baseline: null,
      failWhen: { comparison: ">", value: 3 },
    });
    assert.equal(r.status, "inconclusive");
    assert.match(r.reason, /No p95 Duration baseline/);
  });

  test("p99 above 10 s fails; no datapoints is inconclusive", () => {
    assert.equal(
      evaluateAbsoluteLatency({ points: series(900, 10_001), failWhen: { comparison: ">", value: 10_000 } })
        .status,
      "failed",
    );
    assert.equal(
      evaluateAbsoluteLatency({ points: series(900, 10_000), failWhen: { comparison: ">", value: 10_000 } })
        .status,
      "passed",
    );
    assert.equal(
      evaluateAbsoluteLatency({ points: [], failWhen: { comparison: ">", value: 10_000 } }).status,
      "inconclusive",
    );
  });
});

describe("GetMetricData results", () => {
  test("pairs timestamps with values, oldest first", () => {
    const points = datapointsFromMetricData({
      Id: "errors",
      Timestamps: [new Date(t0 + 60_000), new Date(t0)],
      Values: [2, 1],
      StatusCode: "Complete",
    });
    assert.deepEqual(points, [
      { timestamp: t0, value: 1 },
      { timestamp: t0 + 60_000, value: 2 },
    ]);
    assert.deepEqual(datapointsFromMetricData({ Id: "none" }), []);
  });

  test("rejects a result whose arrays disagree, saying why", () => {
    assert.throws(
      () => datapointsFromMetricData({ Id: "errors", Timestamps: [new Date(t0)], Values: [] }),
      (error: MetricInputError) =>
        error.name === "MetricInputError" && /1 timestamps but 0 values/.test(error.message),
    );
  });
});

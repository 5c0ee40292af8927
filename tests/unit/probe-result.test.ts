import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { failed, inconclusive, passed } from "../../lib/checks/index.ts";
import {
  type ProbeCheckResult,
  probeJsonLine,
  probeMetricData,
  probeOutcome,
  probeResult,
  watchdogAlarm,
} from "../../lib/probe/index.ts";

const ok: ProbeCheckResult = {
  check: "health-invoke",
  finding: passed("healthy", { secretish: "x" }),
  durationMs: 12.4,
};
const bad: ProbeCheckResult = { check: "api-health", finding: failed("502"), durationMs: 30 };
const unknown: ProbeCheckResult = {
  check: "alarms-quiet",
  finding: inconclusive("no alarms found"),
  durationMs: 5,
};

describe("probe outcome", () => {
  test("all passed passes; one failure fails; no data is inconclusive, never a pass", () => {
    const guard = { status: "passed" as const };
    assert.equal(probeOutcome(guard, [ok]).outcome, "passed");
    assert.deepEqual(probeOutcome(guard, [ok, bad, unknown]), {
      outcome: "failed",
      reasons: ["api-health: 502"],
    });
    assert.equal(probeOutcome(guard, [ok, unknown]).outcome, "inconclusive");
    assert.equal(probeOutcome(guard, []).outcome, "inconclusive");
  });

  test("the guard decides first: wrong account is a configuration error, unreachable no data", () => {
    assert.equal(probeOutcome({ status: "failed", kind: "account-mismatch" }, []).outcome, "error");
    assert.equal(probeOutcome({ status: "failed", kind: "unreachable" }, []).outcome, "inconclusive");
    assert.equal(probeOutcome({ status: "failed", kind: "target-missing" }, []).outcome, "failed");
  });
});

describe("probe metrics and JSON line", () => {
  const result = probeResult({
    environment: "sit",
    service: "tenant-instance-management",
    startedAt: new Date("2026-12-01T00:00:00Z"),
    durationMs: 812.6,
    guard: { status: "passed" },
    checks: [ok, unknown],
  });

  test("the exit code is the outcome's", () => {
    assert.deepEqual([result.outcome, result.exitCode], ["inconclusive", 3]);
  });

  test("per check and for the whole probe: SuccessPercent, Failed (inconclusive counts as failed) and Duration", () => {
    const data = probeMetricData(result, new Date("2026-12-01T00:00:01Z"));
    assert.equal(data.length, 9);
    const of = (check: string, name: string) =>
      data.find(
        (d) => d.MetricName === name && d.Dimensions.some((x) => x.Name === "Check" && x.Value === check),
      )?.Value;
    assert.deepEqual([of("all", "Failed"), of("all", "SuccessPercent"), of("all", "Duration")], [1, 0, 813]);
    assert.deepEqual([of("health-invoke", "Failed"), of("health-invoke", "SuccessPercent")], [0, 100]);
    assert.equal(of("alarms-quiet", "Failed"), 1);
  });

  test("the JSON line is one line without the checks' evidence", () => {
    const line = probeJsonLine(result);
    assert.ok(!line.includes("\n"));
    const parsed = JSON.parse(line) as { checks: Record<string, unknown>[] };
    assert.deepEqual(parsed.checks[0], {
      check: "health-invoke",
      status: "passed",
      reason: "healthy",
      durationMs: 12,
    });
  });
});

describe("the watchdog alarm", () => {
  test("watches the whole probe's Failed, treats missing data as breaching, outside the service's alarm prefix", () => {
    const alarm = watchdogAlarm("prod", "tenant-instance-management", 300);
    assert.equal(alarm.AlarmName, "bbws-harness-probe-prod-tenant-instance-management");
    assert.ok(
      !alarm.AlarmName.startsWith("bbws-tenant-instance-management-prod"),
      "the probe never judges its own alarm",
    );
    assert.deepEqual(
      [alarm.TreatMissingData, alarm.Threshold, alarm.ComparisonOperator],
      ["breaching", 1, "GreaterThanOrEqualToThreshold"],
    );
    assert.deepEqual(
      alarm.Dimensions.find((d) => d.Name === "Check"),
      { Name: "Check", Value: "all" },
    );
  });

  test("a period under a minute needs high-resolution datapoints", () => {
    const result = probeResult({
      environment: "sit",
      service: "tenant-instance-management",
      startedAt: new Date(),
      durationMs: 1,
      guard: { status: "passed" },
      checks: [ok],
    });
    assert.ok(probeMetricData(result, new Date(), 10).every((d) => d.StorageResolution === 1));
    assert.ok(probeMetricData(result, new Date()).every((d) => d.StorageResolution === 60));
  });
});

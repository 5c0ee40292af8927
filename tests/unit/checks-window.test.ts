import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DeployedFunction } from "../../lib/checks/deployed.ts";
import type { FunctionState } from "../../lib/checks/lambda.ts";
import {
  baselineFrom,
  type FunctionWindow,
  SYNTHETIC_HEADER,
  syntheticHealthPayload,
  syntheticOutcomeOf,
  syntheticRate,
  targetFor,
  windowRules,
  windowsKey,
  windowTiming,
} from "../../lib/checks/window.ts";
import { judgeWindowItem } from "../../lib/checks/window-judge.ts";
import {
  describeWindowTraffic,
  type MonitorRule,
  NO_SYNTHETIC,
  type RuleBreach,
  type ScopedSeries,
  windowTraffic,
} from "../../lib/monitor/index.ts";
import { environments, services } from "../../runbooks/index.ts";
import { functionState, versionInfo } from "./lambda-state.ts";

const start = Date.UTC(2026, 10, 22, 6, 0, 0);
const fnName = "bbws-tenant-instance-management-sit";
const errorsItem = "tenant-deploy/9.1/errors-in-window-roll-back";
const rateItem = "tenant-deploy/9.2/error-rate-over-10pct";
const p99Item = "tenant-deploy/9.2/p99-over-10s";
const noSeries: ScopedSeries = { errors: [], invocations: [], throttles: [], duration: {} };

const rule = (id: string, itemId: string, measure: MonitorRule["measure"]): MonitorRule => ({
  id,
  itemIds: [itemId],
  measure,
  failWhen: { comparison: ">", value: 0 },
});
const rules = [
  rule(errorsItem, errorsItem, { kind: "error-count" }),
  rule(rateItem, rateItem, { kind: "error-rate-percent" }),
];

const breach = (itemId: string, onsetAt: number): RuleBreach => ({
  ruleId: itemId,
  itemIds: [itemId],
  reason: `${itemId} crossed.`,
  onsetAt,
  observed: {},
});

const offTraffic = windowTraffic({
  ratePerMinute: 0,
  mode: "off",
  startedAfterSeconds: null,
  synthetic: NO_SYNTHETIC,
  observedInvocations: 0,
});

const offLine = describeWindowTraffic(offTraffic);

function window(
  decision: FunctionWindow["decision"],
  overrides: Partial<FunctionWindow> = {},
): FunctionWindow {
  return {
    functionName: fnName,
    target: { kind: "function", functionName: fnName },
    startedAt: start,
    rules,
    skipped: [],
    baseline: { valueMs: null, source: "none" },
    decision,
    polls: decision.polls,
    traffic: offTraffic,
    ...overrides,
  };
}

const passDecision: FunctionWindow["decision"] = {
  kind: "pass",
  at: start + 30_000,
  elapsedMs: 30_000,
  polls: 3,
  reason: "No threshold crossed during the full 30 s window.",
  itemIds: [errorsItem, rateItem],
  evidence: noSeries,
};

const failDecision = (breaches: RuleBreach[]): FunctionWindow["decision"] => {
  const [first] = breaches;
  assert.ok(first);
  return {
    kind: "fail",
    at: start + 20_000,
    elapsedMs: 20_000,
    polls: 2,
    breach: first,
    breaches,
    reason: first.reason,
    evidence: noSeries,
  };
};

const inconclusiveDecision = (itemIds: string[]): FunctionWindow["decision"] => ({
  kind: "inconclusive",
  at: start + 30_000,
  elapsedMs: 30_000,
  polls: 3,
  reason: "no invocations in the window.",
  itemIds,
  evidence: noSeries,
});

describe("judgeWindowItem", () => {
  test("pass: the item held for the full window", () => {
    const finding = judgeWindowItem(errorsItem, [window(passDecision)]);
    assert.equal(finding.status, "passed");
    assert.equal(finding.reason, `${fnName}: No threshold crossed during the full 30 s window. ${offLine}`);
  });

  test("fail: the item's own breach fails it, with detection time and onset", () => {
    const finding = judgeWindowItem(rateItem, [window(failDecision([breach(rateItem, start + 5_000)]))]);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `${fnName}: ${rateItem} crossed. Detected 20 s into the window, 15 s after its onset. ${offLine}`,
    );
    assert.equal((finding.evidence.breaches as unknown[]).length, 1);
  });

  test("fail: only the item's breaches are named when several rules crossed", () => {
    const decision = failDecision([breach(errorsItem, start), breach(rateItem, start + 10_000)]);
    const finding = judgeWindowItem(rateItem, [window(decision)]);
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      new RegExp(`^${fnName}: ${rateItem} crossed\\. Detected 20 s .* 10 s after`),
    );
    assert.doesNotMatch(finding.reason, new RegExp(errorsItem));
  });

  test("another item's breach stopped the window: inconclusive for this item, not passed", () => {
    const finding = judgeWindowItem(rateItem, [window(failDecision([breach(errorsItem, start)]))]);
    assert.equal(finding.status, "inconclusive");
    assert.equal(
      finding.reason,
      `${fnName}: the window stopped after 20 s because ${errorsItem} crossed its threshold, so ${rateItem} was not watched for the full window. ${offLine}`,
    );
  });

  test("inconclusive: the item lacked data", () => {
    const finding = judgeWindowItem(errorsItem, [window(inconclusiveDecision([errorsItem]))]);
    assert.equal(finding.status, "inconclusive");
    assert.equal(finding.reason, `${fnName}: no invocations in the window. ${offLine}`);
  });

  test("inconclusive for another item: this item held", () => {
    const finding = judgeWindowItem(errorsItem, [window(inconclusiveDecision([rateItem]))]);
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `${fnName}: ${errorsItem} held for the full window (another item lacked data: no invocations in the window.) ${offLine}`,
    );
  });

  test("no rule watches the item: inconclusive, naming the skipped thresholds", () => {
    const skipped = [{ itemId: p99Item, metric: "rollback.duration", reason: "not a Lambda metric" }];
    const finding = judgeWindowItem(p99Item, [window(passDecision, { skipped })]);
    assert.equal(finding.status, "inconclusive");
    assert.equal(
      finding.reason,
      `${fnName}: no monitor rule watches ${p99Item} (rollback.duration: not a Lambda metric).`,
    );
    const bare = judgeWindowItem(p99Item, [window(passDecision)]);
    assert.equal(bare.reason, `${fnName}: no monitor rule watches ${p99Item} (it has no Lambda threshold).`);
  });

  test("several functions: the worst decides (one fails, one passes)", () => {
    const other = "bbws-access-sit-lambda-roles";
    const finding = judgeWindowItem(rateItem, [
      window(passDecision, { functionName: other }),
      window(failDecision([breach(rateItem, start)])),
    ]);
    assert.equal(finding.status, "failed");
    assert.ok(finding.reason.startsWith(`${fnName}: `));
  });

  test("no window at all is inconclusive, not passed", () => {
    const finding = judgeWindowItem(errorsItem, []);
    assert.equal(finding.status, "inconclusive");
    assert.equal(finding.reason, `No monitoring window ran, so ${errorsItem} was not watched.`);
  });
});

describe("windowTiming", () => {
  test("the environment's window and interval in milliseconds", () => {
    assert.deepEqual(windowTiming(environments.prod), { windowMs: 300_000, intervalMs: 10_000 });
  });

  test("an interval longer than the window is cut to the window", () => {
    const env = { ...environments.sit, monitoring: { intervalSeconds: 60, windowSeconds: 30 } };
    assert.deepEqual(windowTiming(env), { windowMs: 30_000, intervalMs: 30_000 });
  });
});

describe("windowRules", () => {
  test("throttles always fail the window, reported against the environment's monitoring item", () => {
    const { rules: sit } = windowRules(services["tenant-instance-management"], environments.sit, null);
    const throttles = sit.find((r) => r.id === "throttles");
    assert.deepEqual(throttles?.itemIds, ["tenant-deploy/6.3.3/monitor-immediate-errors"]);
    const { rules: prod } = windowRules(services["tenant-instance-management"], environments.prod, null);
    assert.deepEqual(prod.find((r) => r.id === "throttles")?.itemIds, [
      "tenant-deploy/7.3.4/error-monitoring-5min",
    ]);
  });

  test("thresholds the monitor cannot poll are reported as skipped", () => {
    const { skipped } = windowRules(services["tenant-instance-management"], environments.sit, null);
    assert.ok(skipped.some((s) => s.itemId === p99Item && s.metric === "rollback.duration"));
  });

  test("the baseline reaches the latency-ratio rule", () => {
    const { rules: access } = windowRules(services["access-management"], environments.sit, 120);
    const latency = access.find((r) => r.measure.kind === "latency-baseline-ratio");
    assert.deepEqual(latency?.measure, { kind: "latency-baseline-ratio", stat: "p95", baselineMs: 120 });
  });

  test("no applicable monitor item: no rules, not even throttles", () => {
    assert.deepEqual(windowRules(services["access-management"], environments.dev, null), {
      rules: [],
      skipped: [],
    });
  });
});

describe("baselineFrom", () => {
  test("the median minute of the previous version", () => {
    const baseline = baselineFrom([
      { label: "version 3", values: [300, 100, 200] },
      { label: "the whole function", values: [900] },
    ]);
    assert.deepEqual(baseline, {
      valueMs: 200,
      source: "median of 3 one-minute p95 values of version 3 in the hour before the deployment",
    });
  });

  test("an even count takes the upper middle: one slow minute does not raise the bar", () => {
    assert.equal(baselineFrom([{ label: "version 3", values: [100, 5000, 110, 120] }]).valueMs, 120);
  });

  test("a baseline of a few milliseconds is taken as the 50 ms floor, and says so", () => {
    const baseline = baselineFrom([{ label: "version 3", values: [3.2, 3.7, 4.1] }]);
    assert.equal(baseline.valueMs, 50);
    assert.match(baseline.source, /was 3\.7 ms, below the 50 ms floor/);
    assert.equal(baselineFrom([{ label: "version 3", values: [30] }]).valueMs, 50);
    assert.equal(baselineFrom([{ label: "version 3", values: [50] }]).valueMs, 50);
    assert.equal(baselineFrom([{ label: "version 3", values: [80] }]).valueMs, 80);
  });

  test("the whole function when the previous version has no data", () => {
    const baseline = baselineFrom([
      { label: "version 3", values: [] },
      { label: "the whole function", values: [150] },
    ]);
    assert.equal(baseline.valueMs, 150);
    assert.match(baseline.source, /of the whole function/);
  });

  test("no data at all: no baseline", () => {
    assert.deepEqual(baselineFrom([{ label: "the whole function", values: [] }]), {
      valueMs: null,
      source: "no Duration datapoints in the hour before the deployment",
    });
    assert.equal(baselineFrom([]).valueMs, null);
  });
});

describe("targetFor and windowsKey", () => {
  const v4 = versionInfo({ lastModified: "" });
  const fnState = (routing: Record<string, number>): FunctionState =>
    functionState(fnName, "latest-sit", { latest: v4, aliased: v4, routing });
  const deployed = (routing: Record<string, number> = {}): DeployedFunction => ({
    functionName: fnName,
    state: fnState(routing),
    expected: { by: "unknown", source: "x" },
    records: [],
    deployedAt: new Date(start),
    deployedAtSource: "LastModified of version 4",
  });

  test("the whole function without a split", () => {
    assert.deepEqual(targetFor(deployed()), { kind: "function", functionName: fnName });
  });

  test("the new version alone while the alias splits traffic (a canary)", () => {
    assert.deepEqual(targetFor(deployed({ "5": 0.1 })), {
      kind: "canary",
      functionName: fnName,
      version: "5",
    });
  });

  test("a split over more than one extra version is judged as the whole function", () => {
    assert.equal(targetFor(deployed({ "5": 0.1, "6": 0.1 })).kind, "function");
  });

  test("one key per environment, service and deployed version", () => {
    const key = windowsKey(environments.sit, services["tenant-instance-management"], [deployed()]);
    assert.equal(key, `sit|tenant-instance-management|${fnName}:4@2026-11-22T06:00:00.000Z`);
  });
});

describe("the window's synthetic traffic", () => {
  const answered = (response: string, extra: { functionError?: string; executedVersion?: string } = {}) =>
    ({
      kind: "answered",
      invoked: `${fnName}:latest-sit`,
      payload: {},
      statusCode: 200,
      functionError: extra.functionError ?? null,
      executedVersion: extra.executedVersion ?? "3",
      response,
    }) as const;
  const whole = { kind: "function", functionName: fnName } as const;

  test("a 200 proxy answer is ok; a function error, another status or no proxy result is a failure", () => {
    assert.equal(syntheticOutcomeOf(answered('{"statusCode":200,"body":"{}"}'), whole), "ok");
    assert.equal(syntheticOutcomeOf(answered('{"statusCode":503}'), whole), "failed");
    assert.equal(syntheticOutcomeOf(answered("not json"), whole), "failed");
    assert.equal(
      syntheticOutcomeOf(answered('{"errorMessage":"crash"}', { functionError: "Unhandled" }), whole),
      "failed",
    );
  });

  test("a refusal is a throttle; on a canary, a call the primary served is not the canary's", () => {
    const refused = {
      kind: "refused",
      invoked: `${fnName}:latest-sit`,
      payload: {},
      error: "TooManyRequestsException",
      message: "Rate exceeded",
    } as const;
    assert.equal(syntheticOutcomeOf(refused, whole), "refused");
    const canary = { kind: "canary", functionName: fnName, version: "4" } as const;
    assert.equal(
      syntheticOutcomeOf(answered('{"statusCode":200}', { executedVersion: "3" }), canary),
      "elsewhere",
    );
    assert.equal(syntheticOutcomeOf(answered('{"statusCode":200}', { executedVersion: "4" }), canary), "ok");
  });

  test("the payload is the service's health GET, tagged as synthetic", () => {
    const payload = syntheticHealthPayload(services["tenant-instance-management"]);
    assert.equal(payload.httpMethod, "GET");
    assert.equal(payload.path, "/health");
    assert.equal(payload.headers[SYNTHETIC_HEADER.name], SYNTHETIC_HEADER.value);
  });

  test("the rate: the environment's, else the default; 0 turns it off", () => {
    assert.equal(syntheticRate(environments.sit), 30);
    assert.equal(syntheticRate(environments.prod), 12);
    const off = {
      ...environments.sit,
      monitoring: { ...environments.sit.monitoring, syntheticPerMinute: 0 },
    };
    assert.equal(syntheticRate(off), 0);
  });
});

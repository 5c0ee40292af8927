import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  createMonitor,
  type MonitorConfig,
  type MonitorConfigError,
  type MonitorDecision,
  type MonitorRule,
  observe,
  replay,
  type SyntheticTraffic,
  type SyntheticVersion,
  scopeSeries,
  syntheticSnapshot,
} from "../../lib/monitor/index.ts";

const start = Date.UTC(2026, 10, 22, 6, 0, 0);
const fn = "bbws-tenant-instance-management-prod";

const errorRate10: MonitorRule = {
  id: "error-rate-10pct",
  itemIds: ["tenant-deploy/9.2/error-rate-10pct"],
  measure: { kind: "error-rate-percent" },
  failWhen: { comparison: ">", value: 10 },
};
const errorRate5For2Min: MonitorRule = {
  id: "error-rate-5pct-2min",
  itemIds: ["access-promotion/5.1/error-rate-5pct-2min"],
  measure: { kind: "error-rate-percent" },
  failWhen: { comparison: ">", value: 5 },
  forMs: 120_000,
};

function config(overrides: Partial<MonitorConfig> = {}): MonitorConfig {
  return {
    rules: [errorRate10],
    target: { kind: "function", functionName: fn },
    startedAt: start,
    windowMs: 300_000,
    intervalMs: 10_000,
    periodMs: 10_000,
    ...overrides,
  };
}

function version(
  errorRatio: (t: number) => number,
  share: (t: number) => number = () => 1,
  v = "4",
): SyntheticVersion {
  return { version: v, share, errorRatio };
}

function traffic(versions: SyntheticVersion[], overrides: Partial<SyntheticTraffic> = {}): SyntheticTraffic {
  return {
    functionName: fn,
    alias: "latest-prod",
    periodMs: 10_000,
    callsPerSecond: 20,
    versions,
    ...overrides,
  };
}

/** Polls every interval from start, the way the driver does, each returning everything so far. */
function polls(t: SyntheticTraffic, cfg: MonitorConfig, from = start) {
  const out = [];
  for (let at = cfg.startedAt + cfg.intervalMs; at <= cfg.startedAt + cfg.windowMs; at += cfg.intervalMs) {
    out.push({ ...syntheticSnapshot(t, from, at), at });
  }
  return out;
}

function last(decisions: MonitorDecision[]): MonitorDecision {
  const d = decisions.at(-1);
  assert.ok(d, "the monitor made no decision");
  return d;
}

const after = (s: number) => (t: number) => t >= start + s * 1000;

describe("monitor: thresholds crossed", () => {
  test("a crossing early in the window fails at the next poll, not at the end", () => {
    const cfg = config();
    const decisions = replay(cfg, polls(traffic([version((t) => (after(30)(t) ? 0.5 : 0))]), cfg));
    const d = last(decisions);
    assert.equal(d.kind, "fail");
    assert.equal(decisions.length, 4, "fails at the first poll after the 30 s onset (the poll at 40 s)");
    if (d.kind !== "fail") return;
    assert.equal(d.breach.ruleId, "error-rate-10pct");
    assert.deepEqual(d.breach.itemIds, ["tenant-deploy/9.2/error-rate-10pct"]);
    assert.equal(d.breach.onsetAt, start + 30_000);
    assert.ok(d.at - d.breach.onsetAt <= 2 * cfg.intervalMs, "detected within 2 polling intervals");
    assert.match(d.reason, /error rate reached 50%.*above the limit of 10%/);
  });

  test("a crossing late in the window fails then, after every earlier poll said continue", () => {
    const cfg = config();
    const decisions = replay(cfg, polls(traffic([version((t) => (after(280)(t) ? 0.5 : 0))]), cfg));
    const d = last(decisions);
    assert.equal(d.kind, "fail");
    assert.equal(d.at, start + 290_000);
    assert.ok(decisions.slice(0, -1).every((x) => x.kind === "continue"));
  });

  test("a sustained rule fails only once the condition has held for its duration", () => {
    const cfg = config({ rules: [errorRate5For2Min] });
    // 8% errors from 60 s on: under the 10% trigger, over 5%, so only the sustained rule can fire.
    const decisions = replay(cfg, polls(traffic([version((t) => (after(60)(t) ? 0.08 : 0))]), cfg));
    const d = last(decisions);
    assert.equal(d.kind, "fail");
    if (d.kind !== "fail") return;
    assert.equal(d.at, start + 180_000, "60 s onset + 120 s held");
    assert.equal(d.breach.onsetAt, start + 60_000);
    assert.equal(d.breach.observed.heldMs, 120_000);
    assert.match(d.reason, /for 120 s \(limit: 120 s\)/);
  });

  test("flapping (cross, recover, cross) resets a sustained rule: each 60 s burst is too short to fail", () => {
    const cfg = config({ rules: [errorRate5For2Min] });
    const flapping = (t: number) => (Math.floor((t - start) / 60_000) % 2 === 1 ? 0.08 : 0);
    const decisions = replay(cfg, polls(traffic([version(flapping)]), cfg));
    const d = last(decisions);
    assert.equal(d.kind, "pass", d.kind === "fail" ? d.reason : "");
    assert.equal(d.at, start + 300_000, "passes only at the end of the full window");
  });

  test("flapping fails an immediate rule at the first cross, and a later sustained run from its own onset", () => {
    const flapping = (t: number) => (after(40)(t) && !after(70)(t) ? 0.5 : after(100)(t) ? 0.08 : 0);
    const immediate = replay(config(), polls(traffic([version(flapping)]), config()));
    const di = last(immediate);
    assert.equal(di.kind, "fail");
    assert.equal(di.at, start + 50_000);

    const cfg = config({ rules: [errorRate5For2Min] });
    const sustained = last(replay(cfg, polls(traffic([version(flapping)]), cfg)));
    assert.equal(sustained.kind, "fail");
    if (sustained.kind !== "fail") return;
    assert.equal(sustained.breach.onsetAt, start + 100_000, "the run restarted after the recovery at 70 s");
    assert.equal(sustained.at, start + 220_000);
  });

  test("the error count, throttles, 5xx per minute and latency rules each fail on their own series", () => {
    const cases: Array<{ rule: MonitorRule; v: SyntheticVersion; expectAt: number }> = [
      {
        rule: {
          id: "errors",
          itemIds: ["i/1/a"],
          measure: { kind: "error-count" },
          failWhen: { comparison: ">=", value: 5 },
        },
        v: { version: "4", share: () => 1, errorRatio: (t) => (after(100)(t) && !after(110)(t) ? 0.03 : 0) },
        expectAt: start + 110_000,
      },
      {
        rule: {
          id: "throttles",
          itemIds: ["i/1/b"],
          measure: { kind: "throttle-count" },
          failWhen: { comparison: ">", value: 0 },
        },
        v: {
          version: "4",
          share: () => 1,
          errorRatio: () => 0,
          throttleRatio: (t) => (after(150)(t) ? 1 : 0),
        },
        expectAt: start + 160_000,
      },
      {
        rule: {
          id: "5xx",
          itemIds: ["i/1/c"],
          measure: { kind: "errors-per-minute" },
          failWhen: { comparison: ">", value: 5 },
        },
        // 20 calls/s * 10 s = 200 invocations per period; 1% = 2 per 10 s = 12 per minute.
        v: { version: "4", share: () => 1, errorRatio: (t) => (after(200)(t) ? 0.01 : 0) },
        expectAt: start + 210_000,
      },
      {
        rule: {
          id: "p95",
          itemIds: ["i/1/d"],
          measure: { kind: "latency-baseline-ratio", stat: "p95", baselineMs: 100 },
          failWhen: { comparison: ">", value: 3 },
        },
        v: {
          version: "4",
          share: () => 1,
          errorRatio: () => 0,
          latency: (t) => ({ p95: after(50)(t) ? 350 : 100, p99: 400 }),
        },
        expectAt: start + 60_000,
      },
      {
        rule: {
          id: "p99",
          itemIds: ["i/1/e"],
          measure: { kind: "latency-ms", stat: "p99" },
          failWhen: { comparison: ">", value: 10_000 },
        },
        v: {
          version: "4",
          share: () => 1,
          errorRatio: () => 0,
          latency: (t) => ({ p95: 100, p99: after(120)(t) ? 12_000 : 150 }),
        },
        expectAt: start + 130_000,
      },
    ];
    for (const c of cases) {
      const cfg = config({ rules: [c.rule] });
      const d = last(replay(cfg, polls(traffic([c.v]), cfg)));
      assert.equal(d.kind, "fail", `${c.rule.id} should fail`);
      assert.equal(d.at, c.expectAt, `${c.rule.id} fails at the first poll after onset`);
      if (d.kind === "fail") assert.deepEqual(d.breach.itemIds, c.rule.itemIds);
    }
  });

  test("a failure reports the earliest breach first and lists every rule that crossed", () => {
    const cfg = config({
      rules: [
        errorRate10,
        {
          id: "errors",
          itemIds: ["i/1/a"],
          measure: { kind: "error-count" },
          failWhen: { comparison: ">", value: 0 },
        },
      ],
    });
    const d = last(
      replay(cfg, polls(traffic([version((t) => (after(30)(t) ? 0.5 : after(10)(t) ? 0.01 : 0))]), cfg)),
    );
    assert.equal(d.kind, "fail");
    if (d.kind !== "fail") return;
    assert.equal(d.breach.ruleId, "errors");
    assert.equal(d.breach.onsetAt, start + 10_000);
  });
});

describe("monitor: pass, no data and gaps", () => {
  test("healthy traffic continues at every poll and passes only after the full window", () => {
    const cfg = config({ rules: [errorRate10, errorRate5For2Min] });
    const decisions = replay(cfg, polls(traffic([version(() => 0.01)]), cfg));
    assert.equal(decisions.length, 30);
    assert.ok(decisions.slice(0, -1).every((d) => d.kind === "continue"));
    const d = last(decisions);
    assert.equal(d.kind, "pass");
    assert.equal(d.elapsedMs, 300_000);
    if (d.kind === "pass") {
      assert.deepEqual(d.itemIds, [
        "tenant-deploy/9.2/error-rate-10pct",
        "access-promotion/5.1/error-rate-5pct-2min",
      ]);
      assert.match(d.reason, /6000 invocations, 60 errors, 0 throttles, 30 polls/);
    }
  });

  test("no datapoints at all is inconclusive at the end, never a pass", () => {
    const cfg = config();
    const empty = polls(
      traffic([
        version(
          () => 0,
          () => 0,
        ),
      ]),
      cfg,
    );
    const decisions = replay(cfg, empty);
    assert.ok(decisions.slice(0, -1).every((d) => d.kind === "continue"));
    const d = last(decisions);
    assert.equal(d.kind, "inconclusive");
    assert.match(d.kind === "inconclusive" ? d.reason : "", /No Invocations, Errors or Throttles datapoints/);
  });

  test("no datapoints passes when every watched item accepts zero traffic", () => {
    const cfg = config({ rules: [{ ...errorRate10, zeroTrafficOk: true }] });
    const d = last(
      replay(
        cfg,
        polls(
          traffic([
            version(
              () => 0,
              () => 0,
            ),
          ]),
          cfg,
        ),
      ),
    );
    assert.equal(d.kind, "pass");
  });

  test("a persistent gap in the middle makes the window inconclusive; a short one does not", () => {
    const cfg = config();
    const long = traffic([version(() => 0)], {
      published: (ts) => ts < start + 60_000 || ts >= start + 240_000,
    });
    const dl = last(replay(cfg, polls(long, cfg)));
    assert.equal(dl.kind, "inconclusive");
    assert.match(dl.kind === "inconclusive" ? dl.reason : "", /180 s gap/);

    const short = traffic([version(() => 0)], {
      published: (ts) => ts < start + 60_000 || ts >= start + 90_000,
    });
    assert.equal(last(replay(cfg, polls(short, cfg))).kind, "pass");
  });

  test("traffic that stops early leaves a trailing gap: inconclusive", () => {
    const cfg = config();
    const stops = traffic([
      version(
        () => 0,
        (t) => (after(100)(t) ? 0 : 1),
      ),
    ]);
    assert.equal(last(replay(cfg, polls(stops, cfg))).kind, "inconclusive");
  });

  test("a gap does not hide a breach on either side of it", () => {
    const cfg = config({ rules: [errorRate5For2Min] });
    // 8% errors throughout, with periods 60-90 s unpublished: absence is not recovery, so the run holds.
    const gappy = traffic([version(() => 0.08)], {
      published: (ts) => ts < start + 60_000 || ts >= start + 90_000,
    });
    const d = last(replay(cfg, polls(gappy, cfg)));
    assert.equal(d.kind, "fail");
    assert.equal(d.at, start + 120_000);
  });

  test("a latency rule without a baseline cannot pass: inconclusive, naming the rule", () => {
    const rule: MonitorRule = {
      id: "p95-3x-baseline",
      itemIds: ["access-promotion/5.1/p95-3x-baseline"],
      measure: { kind: "latency-baseline-ratio", stat: "p95", baselineMs: null },
      failWhen: { comparison: ">", value: 3 },
    };
    const cfg = config({ rules: [errorRate10, rule] });
    const d = last(replay(cfg, polls(traffic([version(() => 0)]), cfg)));
    assert.equal(d.kind, "inconclusive");
    if (d.kind !== "inconclusive") return;
    assert.deepEqual(d.itemIds, ["access-promotion/5.1/p95-3x-baseline"]);
    assert.match(d.reason, /no p95 Duration baseline/);
  });
});

describe("monitor: failed polls", () => {
  test("a single failed poll is a gap the monitor rides through", () => {
    const cfg = config();
    const inputs = polls(traffic([version(() => 0)]), cfg).map((p, i) =>
      i === 5 ? { at: p.at, failure: "ThrottlingException: Rate exceeded" } : p,
    );
    const decisions = replay(cfg, inputs);
    assert.equal(decisions[5]?.kind, "continue");
    assert.equal(last(decisions).kind, "pass");
  });

  test("metrics unreadable for longer than the allowed gap end the window as inconclusive, early", () => {
    const cfg = config();
    const inputs = polls(traffic([version(() => 0)]), cfg).map((p, i) =>
      i >= 3 ? { at: p.at, failure: "UnrecognizedClientException: bad key" } : p,
    );
    const decisions = replay(cfg, inputs);
    const d = last(decisions);
    assert.equal(d.kind, "inconclusive");
    assert.ok(d.at < start + cfg.windowMs, "gives up before the end of the window");
    assert.match(
      d.kind === "inconclusive" ? d.reason : "",
      /could not be read .*UnrecognizedClientException/,
    );
  });
});

describe("monitor: canary", () => {
  // 10% of the traffic goes to version 4, which fails half of its calls: 5% overall, not above 5%.
  const canaryTraffic = traffic([
    { version: "3", share: () => 0.9, errorRatio: () => 0 },
    { version: "4", share: () => 0.1, errorRatio: () => 0.5 },
  ]);

  test("judging the whole function misses a bad canary that carries 10% of the traffic", () => {
    const cfg = config({ rules: [errorRate10, errorRate5For2Min] });
    assert.equal(last(replay(cfg, polls(canaryTraffic, cfg))).kind, "pass");
  });

  test("canary mode judges the new version alone through ExecutedVersion and fails at once", () => {
    const cfg = config({
      rules: [errorRate10, errorRate5For2Min],
      target: { kind: "canary", functionName: fn, version: "4" },
    });
    const decisions = replay(cfg, polls(canaryTraffic, cfg));
    const d = last(decisions);
    assert.equal(d.kind, "fail");
    assert.equal(decisions.length, 1);
    if (d.kind !== "fail") return;
    assert.equal(d.breach.ruleId, "error-rate-10pct");
    assert.equal(d.evidence.invocations[0]?.value, 20, "only version 4's invocations: 10% of 200");
    assert.match(
      d.reason,
      /error rate reached 50%.*\(version 4 of bbws-tenant-instance-management-prod \(canary\)\)/,
    );
  });

  test("a healthy canary passes, judged on its own invocations", () => {
    const healthy = traffic([
      { version: "3", share: () => 0.9, errorRatio: () => 0.5 },
      { version: "4", share: () => 0.1, errorRatio: () => 0 },
    ]);
    const cfg = config({ target: { kind: "canary", functionName: fn, version: "4" } });
    const d = last(replay(cfg, polls(healthy, cfg)));
    assert.equal(d.kind, "pass");
    if (d.kind === "pass") assert.match(d.reason, /version 4 of .* \(canary\).*600 invocations/);
  });

  test("a version watched alone for another reason than a canary is named by its label", () => {
    const healthy = traffic([{ version: "4", share: () => 1, errorRatio: () => 0 }]);
    const target = {
      kind: "canary",
      functionName: fn,
      version: "4",
      label: "the version rolled back to",
    } as const;
    const cfg = config({ target });
    const d = last(replay(cfg, polls(healthy, cfg)));
    assert.match(d.kind === "pass" ? d.reason : "", /version 4 of .* \(the version rolled back to\)/);
  });

  test("the same calls published under two ExecutedVersion dimension sets are counted once", () => {
    const countRule: MonitorRule = {
      id: "errors-over-10",
      itemIds: ["i/1/a"],
      measure: { kind: "error-count" },
      failWhen: { comparison: ">", value: 10 },
    };
    const cfg = config({ rules: [countRule], target: { kind: "canary", functionName: fn, version: "4" } });
    const both = (metric: "Invocations" | "Errors", value: number) =>
      [
        { FunctionName: fn, ExecutedVersion: "4" },
        { FunctionName: fn, Resource: `${fn}:latest-prod`, ExecutedVersion: "4" },
      ].map((dimensions) => ({ metric, stat: "Sum", dimensions, points: [{ timestamp: start, value }] }));
    // 6 errors, published twice: 12 if both sets were added, which would cross the limit of 10.
    const [d] = replay(cfg, [
      { at: start + 10_000, series: [...both("Invocations", 100), ...both("Errors", 6)] },
    ]);
    assert.equal(d?.kind, "continue");
    assert.equal(scopeSeries(both("Invocations", 100), cfg.target).invocations[0]?.value, 100);
  });

  test("without ExecutedVersion series, canary mode reads the Resource fn:version dimension", () => {
    const cfg = config({ target: { kind: "canary", functionName: fn, version: "4" } });
    const at = start + 10_000;
    const points = (value: number) => [{ timestamp: start, value }];
    const d = last(
      replay(cfg, [
        {
          at,
          series: [
            { metric: "Invocations", stat: "Sum", dimensions: { FunctionName: fn }, points: points(1000) },
            { metric: "Errors", stat: "Sum", dimensions: { FunctionName: fn }, points: points(10) },
            {
              metric: "Invocations",
              stat: "Sum",
              dimensions: { FunctionName: fn, Resource: `${fn}:4` },
              points: points(20),
            },
            {
              metric: "Errors",
              stat: "Sum",
              dimensions: { FunctionName: fn, Resource: `${fn}:4` },
              points: points(10),
            },
          ],
        },
      ]),
    );
    assert.equal(d.kind, "fail");
  });
});

describe("monitor: state and configuration", () => {
  test("a period still filling is re-read on the next poll and the newer value wins", () => {
    const cfg = config({ periodMs: 60_000 });
    let state = createMonitor(cfg);
    const partial = (inv: number, err: number, at: number) => ({
      at,
      series: [
        {
          metric: "Invocations" as const,
          stat: "Sum",
          dimensions: { FunctionName: fn },
          points: [{ timestamp: start, value: inv }],
        },
        {
          metric: "Errors" as const,
          stat: "Sum",
          dimensions: { FunctionName: fn },
          points: [{ timestamp: start, value: err }],
        },
      ],
    });
    let r = observe(state, partial(100, 5, start + 10_000));
    assert.equal(r.decision.kind, "continue");
    state = r.state;
    r = observe(state, partial(200, 30, start + 20_000));
    assert.equal(r.decision.kind, "fail");
    assert.equal(r.state.series.invocations[0]?.value, 200);
  });

  test("a final decision is sticky: later polls return it unchanged", () => {
    const cfg = config();
    const [first] = polls(traffic([version(() => 0.5)]), cfg);
    assert.ok(first);
    const r1 = observe(createMonitor(cfg), first);
    const r2 = observe(r1.state, { ...first, at: first.at + 10_000, series: [] });
    assert.equal(r1.decision.kind, "fail");
    assert.equal(r2.decision, r1.decision);
  });

  test("an unusable configuration is rejected with every problem listed", () => {
    assert.throws(
      () => createMonitor(config({ windowMs: 0, intervalMs: -1, rules: [] })),
      (error: MonitorConfigError) => {
        assert.equal(error.name, "MonitorConfigError");
        assert.match(error.message, /windowMs: must be a positive number/);
        assert.match(error.message, /intervalMs: must be a positive number/);
        assert.match(error.message, /rules: at least one rule/);
        return true;
      },
    );
  });
});

describe("monitor: a window read after it closed", () => {
  test("judges only the window's own span: later errors and the time since are not part of it", () => {
    const cfg = config({ windowMs: 30_000, intervalMs: 10_000, periodMs: 10_000, rules: [errorRate10] });
    // Healthy during the window; failing an hour later (another deployment's problem, not this window's).
    const t = traffic([version((time) => (time >= start + 3_600_000 ? 0.5 : 0))]);
    const late = start + 3_700_000;
    const d = last(replay(cfg, [{ ...syntheticSnapshot(t, start, late), at: late }]));
    if (d.kind !== "pass")
      assert.fail(`expected pass, got ${d.kind}: ${d.kind === "continue" ? "" : d.reason}`);
    assert.equal(d.evidence.invocations.length, 3, "the three 10 s periods of the window");
  });
});

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type MonitorAbortedError,
  type MonitorDecision,
  type MonitorRule,
  runMonitor,
  type SyntheticTraffic,
  syntheticSnapshot,
} from "../../lib/monitor/index.ts";

const start = Date.UTC(2026, 10, 22, 6, 0, 0);
const fn = "bbws-access-prod-lambda-roles";
const rule: MonitorRule = {
  id: "error-rate-10pct",
  itemIds: ["tenant-deploy/9.2/error-rate-10pct"],
  measure: { kind: "error-rate-percent" },
  failWhen: { comparison: ">", value: 10 },
};

function fakeTime() {
  let now = start;
  const sleeps: number[] = [];
  return {
    clock: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
    sleeps,
  };
}

function trafficWith(errorRatio: (t: number) => number): SyntheticTraffic {
  return {
    functionName: fn,
    alias: "latest-prod",
    periodMs: 10_000,
    callsPerSecond: 10,
    versions: [{ version: "7", share: () => 1, errorRatio }],
  };
}

describe("runMonitor", () => {
  test("polls on the interval grid and passes at the end of the full window", async () => {
    const time = fakeTime();
    const seen: MonitorDecision[] = [];
    const run = await runMonitor({
      poll: async () =>
        syntheticSnapshot(
          trafficWith(() => 0),
          start,
          time.clock(),
        ),
      rules: [rule],
      target: { kind: "function", functionName: fn },
      intervalMs: 10_000,
      windowMs: 300_000,
      periodMs: 10_000,
      clock: time.clock,
      sleep: time.sleep,
      onDecision: (d) => seen.push(d),
    });
    assert.equal(run.decision.kind, "pass");
    assert.equal(run.decision.at, start + 300_000);
    assert.equal(run.history.length, 30);
    assert.equal(seen.length, 30);
    assert.ok(time.sleeps.every((ms) => ms === 10_000));
  });

  test("a 50% failing build is caught within 2 polling intervals of the onset", async () => {
    const time = fakeTime();
    const onset = start + 123_000;
    const run = await runMonitor({
      poll: async () =>
        syntheticSnapshot(
          trafficWith((t) => (t >= onset ? 0.5 : 0)),
          start,
          time.clock(),
        ),
      rules: [rule],
      target: { kind: "function", functionName: fn },
      intervalMs: 10_000,
      windowMs: 300_000,
      periodMs: 10_000,
      clock: time.clock,
      sleep: time.sleep,
    });
    assert.equal(run.decision.kind, "fail");
    assert.ok(run.decision.at - onset <= 20_000, `detected ${run.decision.at - onset} ms after the onset`);
    assert.ok(run.decision.at < start + 300_000, "before the window ends");
  });

  test("a poll that rejects (CloudWatch throttled after the SDK's retries) is a gap, not a failed check", async () => {
    const time = fakeTime();
    let calls = 0;
    const run = await runMonitor({
      poll: async () => {
        calls++;
        if (calls === 3) throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
        return syntheticSnapshot(
          trafficWith(() => 0),
          start,
          time.clock(),
        );
      },
      rules: [rule],
      target: { kind: "function", functionName: fn },
      intervalMs: 10_000,
      windowMs: 60_000,
      periodMs: 10_000,
      clock: time.clock,
      sleep: time.sleep,
    });
    assert.equal(run.decision.kind, "pass");
    assert.equal(run.history[2]?.kind, "continue");
  });

  test("slow polls do not push the schedule past the window", async () => {
    const time = fakeTime();
    const run = await runMonitor({
      poll: async () => {
        time.advance(25_000);
        return syntheticSnapshot(
          trafficWith(() => 0),
          start,
          time.clock(),
        );
      },
      rules: [rule],
      target: { kind: "function", functionName: fn },
      intervalMs: 10_000,
      windowMs: 120_000,
      periodMs: 10_000,
      clock: time.clock,
      sleep: time.sleep,
    });
    assert.equal(run.decision.kind, "pass");
    assert.ok(run.decision.at <= start + 120_000 + 25_000, `ended at +${run.decision.at - start} ms`);
    assert.ok(run.history.length < 12);
  });

  test("an aborted window throws MonitorAbortedError instead of deciding", async () => {
    const time = fakeTime();
    const controller = new AbortController();
    let calls = 0;
    await assert.rejects(
      runMonitor({
        poll: async () => {
          if (++calls === 2) controller.abort(new Error("operator stopped the run"));
          return syntheticSnapshot(
            trafficWith(() => 0),
            start,
            time.clock(),
          );
        },
        rules: [rule],
        target: { kind: "function", functionName: fn },
        intervalMs: 10_000,
        windowMs: 60_000,
        periodMs: 10_000,
        clock: time.clock,
        sleep: time.sleep,
        signal: controller.signal,
      }),
      (error: MonitorAbortedError) =>
        error.name === "MonitorAbortedError" && /after 2 polls/.test(error.message),
    );
  });

  test("runs on real timers when no clock is injected", async () => {
    const begin = Date.now();
    const run = await runMonitor({
      poll: async () =>
        syntheticSnapshot({ ...trafficWith(() => 0), periodMs: 50, callsPerSecond: 1000 }, begin, Date.now()),
      rules: [rule],
      target: { kind: "function", functionName: fn },
      intervalMs: 50,
      windowMs: 200,
      periodMs: 50,
      startedAt: begin,
    });
    assert.equal(run.decision.kind, "pass");
    assert.ok(Date.now() - begin >= 200);
  });
});

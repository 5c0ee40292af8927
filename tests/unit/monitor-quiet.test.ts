import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  countOutcome,
  describeWindowTraffic,
  fileLedger,
  isQuiet,
  NO_SYNTHETIC,
  observedInvocations,
  organicInvocations,
  quietTraffic,
  type Snapshot,
  type SyntheticCounts,
  type SyntheticOutcome,
  windowTraffic,
} from "../../lib/monitor/index.ts";

const fn = "bbws-tenant-instance-management-sit";
const target = { kind: "function", functionName: fn } as const;
const start = Date.UTC(2026, 10, 22, 6, 0, 10);
const minute = Date.UTC(2026, 10, 22, 6, 0, 0);

const counts = (...outcomes: SyntheticOutcome[]): SyntheticCounts =>
  outcomes.reduce(countOutcome, NO_SYNTHETIC);

const snapshot = (at: number, invocations: Array<[number, number]>): Snapshot => ({
  at,
  series: [
    {
      metric: "Invocations",
      stat: "Sum",
      dimensions: { FunctionName: fn },
      points: invocations.map(([timestamp, value]) => ({ timestamp, value })),
    },
  ],
});

describe("counting synthetic requests", () => {
  test("answered calls are invocations, failed ones too; refusals and no answer are not", () => {
    assert.deepEqual(counts("ok", "ok", "failed", "refused", "unanswered", "elsewhere"), {
      sent: 6,
      invocations: 3,
      failed: 1,
      refused: 1,
      unanswered: 1,
      elsewhere: 1,
    });
  });

  test("organic invocations: what the metrics saw, less the window's own, never below zero", () => {
    assert.equal(organicInvocations(12, counts("ok", "ok")), 10);
    // The newest synthetic calls may not be published yet.
    assert.equal(organicInvocations(1, counts("ok", "ok", "failed")), 0);
  });

  test("observed invocations: the target's, in the window so far (the period still filling included)", () => {
    const window = { startedAt: start, windowMs: 30_000, periodMs: 60_000 };
    const snap = snapshot(start + 20_000, [
      [minute - 60_000, 500],
      [minute, 7],
    ]);
    assert.equal(observedInvocations(snap, target, window, start + 20_000), 7);
    assert.equal(observedInvocations(snapshot(start, []), target, window, start), 0);
  });
});

describe("isQuiet", () => {
  const base = { ratePerMinute: 30, elapsedMs: 10_000, synthetic: NO_SYNTHETIC };

  test("quiet while the function's own invocations fall short of the rate since the window opened", () => {
    // 30 a minute over 10 s is 5 invocations.
    assert.equal(isQuiet({ ...base, observedInvocations: 4 }), true);
    assert.equal(isQuiet({ ...base, observedInvocations: 5 }), false);
    assert.equal(isQuiet({ ...base, observedInvocations: 0 }), true);
  });

  test("the window's own invocations do not count as the function's", () => {
    const synthetic = counts("ok", "ok", "ok", "ok");
    assert.equal(isQuiet({ ...base, elapsedMs: 20_000, observedInvocations: 9, synthetic }), true);
    assert.equal(isQuiet({ ...base, elapsedMs: 20_000, observedInvocations: 14, synthetic }), false);
  });

  test("a rate of 0 is never quiet (off), nor is a window that has not started", () => {
    assert.equal(isQuiet({ ...base, ratePerMinute: 0, observedInvocations: 0 }), false);
    assert.equal(isQuiet({ ...base, elapsedMs: 0, observedInvocations: 0 }), false);
  });
});

describe("windowTraffic and its sentence", () => {
  const driven = (synthetic: SyntheticCounts, observed: number) =>
    windowTraffic({
      ratePerMinute: 30,
      mode: "driven",
      startedAfterSeconds: 10,
      synthetic,
      observedInvocations: observed,
    });

  test("the share of synthetic invocations among those the window judged", () => {
    const traffic = driven(counts("ok", "ok", "ok"), 4);
    assert.equal(traffic.syntheticPercent, 75);
    assert.equal(traffic.organicInvocations, 1);
    assert.equal(
      describeWindowTraffic(traffic),
      "Synthetic traffic: 3 of the 4 invocations in the window (75%) were synthetic: read-only health invokes of the alias that the window sent from 10 s at 30 a minute while the function's own traffic was below that (3 sent; 0 of them failed).",
    );
  });

  test("failures, refusals and unanswered requests are named, not hidden", () => {
    const text = describeWindowTraffic(driven(counts("failed", "failed", "refused", "unanswered"), 2));
    assert.match(text, /2 of the 2 invocations in the window \(100%\) were synthetic/);
    assert.match(text, /4 sent; 2 of them failed, 1 refused by Lambda, 1 unanswered\)/);
  });

  test("more synthetic invocations than the metrics hold: said so, the share capped at 100%", () => {
    const traffic = driven(counts("ok", "ok", "ok"), 2);
    assert.equal(traffic.syntheticPercent, 100);
    assert.match(describeWindowTraffic(traffic), /3 synthetic invocations ran, but the metrics hold only 2/);
  });

  test("no synthetic traffic: why, and that every invocation was the function's own", () => {
    const none = (mode: "off" | "late" | "not-needed") =>
      describeWindowTraffic(
        windowTraffic({
          ratePerMinute: mode === "off" ? 0 : 30,
          mode,
          startedAfterSeconds: null,
          synthetic: NO_SYNTHETIC,
          observedInvocations: 40,
        }),
      );
    assert.equal(
      none("off"),
      "Synthetic traffic: none (synthetic traffic is off (syntheticPerMinute 0)); all 40 invocations in the window were the function's own.",
    );
    assert.match(none("late"), /none \(the window had closed before it was watched\)/);
    assert.match(none("not-needed"), /none \(the function's own traffic reached 30 a minute\)/);
    assert.equal(
      windowTraffic({
        ratePerMinute: 30,
        mode: "off",
        startedAfterSeconds: null,
        synthetic: NO_SYNTHETIC,
        observedInvocations: 0,
      }).syntheticPercent,
      null,
    );
  });
});

describe("fileLedger", () => {
  const dir = mkdtempSync(join(tmpdir(), "ledger-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("one driver per deployment; the others read its counts", () => {
    const driver = fileLedger(dir, "sit|tenant|fn:3@t");
    assert.equal(driver.claim(), true);
    driver.add("ok");
    driver.add("failed");
    // The lock names this process; another live process holding it keeps it.
    const lock = join(dir, readdirSync(dir).find((f) => f.endsWith(".lock")) ?? "");
    writeFileSync(lock, String(process.ppid));
    const other = fileLedger(dir, "sit|tenant|fn:3@t");
    assert.equal(other.claim(), false);
    assert.deepEqual(other.read(), counts("ok", "failed"));
  });

  test("a lock left by a process that died is taken over, with its counts", () => {
    const key = "sit|tenant|fn:4@t";
    const first = fileLedger(dir, key);
    assert.equal(first.claim(), true);
    first.add("ok");
    const lock = readdirSync(dir).find(
      (f) => f.endsWith(".lock") && readFileSync(join(dir, f), "utf8") === String(process.pid),
    );
    assert.ok(lock);
    writeFileSync(join(dir, lock), "2147483646");
    const next = fileLedger(dir, key);
    assert.equal(next.claim(), true);
    next.add("ok");
    assert.deepEqual(next.read(), counts("ok", "ok"));
  });
});

describe("quietTraffic", () => {
  test("sends at the rate while quiet, nothing before the first poll, and stops when the window closes", async () => {
    const startedAt = Date.now();
    let sent = 0;
    const traffic = quietTraffic({
      ratePerMinute: 600,
      target,
      startedAt,
      windowMs: 1_000,
      periodMs: 60_000,
      send: async () => {
        sent++;
        return "ok";
      },
    });
    assert.equal(sent, 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const poll = traffic.poll(async () => snapshot(Date.now(), []));
    await poll();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const report = await traffic.stop();
    assert.equal(report.mode, "driven");
    // ~0.8 s at one every 100 ms.
    assert.ok(report.synthetic.sent >= 5 && report.synthetic.sent <= 10, `sent ${report.synthetic.sent}`);
    assert.equal(report.synthetic.sent, sent);
    assert.ok(report.startedAfterSeconds !== null && report.startedAfterSeconds >= 0.2);
  });

  test("busy: the function's own traffic reaches the rate, nothing is sent", async () => {
    const startedAt = Date.now() - 10_000;
    const traffic = quietTraffic({
      ratePerMinute: 30,
      target,
      startedAt,
      windowMs: 30_000,
      periodMs: 60_000,
      send: async () => assert.fail("nothing may be sent"),
    });
    const bucket = Math.floor(startedAt / 60_000) * 60_000;
    await traffic.poll(async () => snapshot(Date.now(), [[bucket, 50]]))();
    assert.deepEqual(await traffic.stop(), {
      mode: "not-needed",
      startedAfterSeconds: null,
      synthetic: NO_SYNTHETIC,
    });
  });

  test("rate 0 is off, and a window read after it closed is late: nothing is sent", async () => {
    const late = quietTraffic({
      ratePerMinute: 30,
      target,
      startedAt: Date.now() - 60_000,
      windowMs: 30_000,
      periodMs: 60_000,
      send: async () => assert.fail("nothing may be sent"),
    });
    await late.poll(async () => snapshot(Date.now(), []))();
    assert.equal((await late.stop()).mode, "late");
    const off = quietTraffic({
      ratePerMinute: 0,
      target,
      startedAt: Date.now(),
      windowMs: 30_000,
      periodMs: 60_000,
      send: async () => assert.fail("nothing may be sent"),
    });
    await off.poll(async () => snapshot(Date.now(), []))();
    assert.equal((await off.stop()).mode, "off");
  });
});

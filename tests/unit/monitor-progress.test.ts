import assert from "node:assert/strict";
import { test } from "node:test";
import { monitorProgressLine } from "../../lib/monitor/index.ts";

test("a progress line says how far the window is and what the monitor saw", () => {
  assert.equal(
    monitorProgressLine("fn-sit", { kind: "continue", at: 0, elapsedMs: 20_400, polls: 2 }, 30_000),
    "monitoring fn-sit: 20 of 30 s, poll 2, no threshold crossed",
  );
  // A window read from the past reports its full length, never more.
  const pass = {
    kind: "pass" as const,
    at: 0,
    elapsedMs: 900_000,
    polls: 1,
    reason: "no errors",
    itemIds: [],
    evidence: { series: [] } as never,
  };
  assert.equal(
    monitorProgressLine("fn-prod", pass, 300_000),
    "monitoring fn-prod: 300 of 300 s, poll 1, pass: no errors",
  );
});

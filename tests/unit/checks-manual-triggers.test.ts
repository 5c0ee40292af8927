import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { POST_DEPLOY_ITEMS } from "../../lib/checks/items.ts";
import { formatManualTriggerTable, manualTriggerRows } from "../../lib/checks/manual-triggers.ts";
import type { FunctionWindow } from "../../lib/checks/window.ts";
import { windowRules } from "../../lib/checks/window.ts";
import { NO_SYNTHETIC, type ScopedSeries, windowTraffic } from "../../lib/monitor/index.ts";
import { environments, services } from "../../runbooks/index.ts";

const start = Date.UTC(2026, 11, 2, 6, 0, 0);
const fnName = "bbws-tenant-instance-management-prod";
const minute = (n: number) => start + n * 60_000;
const [rateItem, p99Item, fiveXxItem] = POST_DEPLOY_ITEMS.manualTriggers;

function windowWith(evidence: ScopedSeries): FunctionWindow {
  const { rules, skipped } = windowRules(services["tenant-instance-management"], environments.prod, 40);
  return {
    functionName: fnName,
    target: { kind: "function", functionName: fnName },
    startedAt: start,
    rules,
    skipped,
    baseline: { valueMs: 40, source: "test" },
    decision: {
      kind: "pass",
      at: minute(3),
      elapsedMs: 180_000,
      polls: 18,
      reason: "No threshold crossed.",
      itemIds: [],
      evidence,
    },
    polls: 18,
    traffic: windowTraffic({
      ratePerMinute: 0,
      mode: "off",
      startedAfterSeconds: null,
      synthetic: NO_SYNTHETIC,
      observedInvocations: 0,
    }),
  };
}

describe("manualTriggerRows", () => {
  test("the peak of each 9.2 trigger over the window, next to the runbook's threshold", () => {
    const rows = manualTriggerRows(
      [
        windowWith({
          invocations: [
            { timestamp: minute(0), value: 100 },
            { timestamp: minute(1), value: 50 },
          ],
          errors: [
            { timestamp: minute(0), value: 2 },
            { timestamp: minute(1), value: 6 },
          ],
          throttles: [],
          duration: {
            p99: [{ timestamp: minute(0), value: 480 }],
            p95: [{ timestamp: minute(0), value: 300 }],
          },
        }),
      ],
      POST_DEPLOY_ITEMS.manualTriggers,
    );
    assert.deepEqual(
      rows.map((row) => [row.itemId, row.peak, row.threshold, row.status]),
      [
        [rateItem, 12, "> 10%", "over"],
        [p99Item, 480, "> 10000 ms", "within"],
        [fiveXxItem, 6, "> 5/minute", "over"],
      ],
    );
    const table = formatManualTriggerTable(rows, 180);
    assert.match(table, /Manual rollback triggers \(tenant runbook 9\.2\)/);
    assert.match(table, /12% \(2 periods\)\s+> 10%\s+over/);
    assert.match(table, /2 triggers over the threshold: the runbook calls for a rollback\./);
  });

  test("no data is shown as no data, never as within", () => {
    const rows = manualTriggerRows(
      [windowWith({ invocations: [], errors: [], throttles: [], duration: {} })],
      POST_DEPLOY_ITEMS.manualTriggers,
    );
    assert.deepEqual(
      rows.map((row) => row.status),
      ["no data", "no data", "no data"],
    );
    assert.match(formatManualTriggerTable(rows, 180), /3 triggers without data: not known to be within/);
  });

  test("a healthy window says every trigger is within its threshold", () => {
    const rows = manualTriggerRows(
      [
        windowWith({
          invocations: [{ timestamp: minute(0), value: 100 }],
          errors: [{ timestamp: minute(0), value: 0 }],
          throttles: [],
          duration: { p99: [{ timestamp: minute(0), value: 90 }] },
        }),
      ],
      POST_DEPLOY_ITEMS.manualTriggers,
    );
    assert.deepEqual(
      rows.map((row) => row.status),
      ["within", "within", "within"],
    );
    assert.match(formatManualTriggerTable(rows, 180), /Every trigger is within its threshold\./);
  });

  test("no window watched a trigger: the table says so", () => {
    assert.match(formatManualTriggerTable([], 60), /No monitoring rule watched/);
  });
});

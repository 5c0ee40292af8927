/**
 * Tenant runbook 9.2's manual rollback triggers as one table for the person deciding: for each watched function,
 * the peak of each trigger's measure over the window (error rate, P99 Duration, errors per minute as the 5xx
 * rate) next to the runbook's threshold. It informs a decision and judges nothing: the monitoring window's tests
 * judge the same rules; here a trigger without data says "no data", never "within".
 */
import { compare, formatNumber } from "../metrics/types.ts";
import { measureLabel, periodValues } from "../monitor/index.ts";
import type { FunctionWindow } from "./window.ts";
import { PERIOD_SECONDS } from "./window.ts";

export type ManualTriggerStatus = "over" | "within" | "no data";

export interface ManualTriggerRow {
  readonly itemId: string;
  readonly functionName: string;
  /** What the monitor measures for it, e.g. "error rate". */
  readonly measured: string;
  /** The runbook's limit as the monitor applies it, e.g. "> 10%". */
  readonly threshold: string;
  /** The highest per-period value in the window; null without a period of data. */
  readonly peak: number | null;
  readonly unit: string;
  readonly periods: number;
  readonly status: ManualTriggerStatus;
}

/** One row per function and per trigger item a rule of its window watches, in the order of `itemIds`. */
export function manualTriggerRows(
  windows: readonly FunctionWindow[],
  itemIds: readonly string[],
): ManualTriggerRow[] {
  return windows.flatMap((w) =>
    itemIds.flatMap((itemId) =>
      w.rules
        .filter((rule) => rule.itemIds.includes(itemId))
        .map((rule): ManualTriggerRow => {
          const { what, unit } = measureLabel(rule.measure);
          const values = periodValues(rule.measure, w.decision.evidence, PERIOD_SECONDS * 1000) ?? [];
          const peak = values.length === 0 ? null : Math.max(...values.map((p) => p.value));
          return {
            itemId,
            functionName: w.functionName,
            measured: what,
            threshold: `${rule.failWhen.comparison} ${formatNumber(rule.failWhen.value)}${unit}${rule.forMs ? ` for ${formatNumber(rule.forMs / 1000)} s` : ""}`,
            peak,
            unit,
            periods: values.length,
            status:
              peak === null
                ? "no data"
                : compare(peak, rule.failWhen.comparison, rule.failWhen.value)
                  ? "over"
                  : "within",
          };
        }),
    ),
  );
}

/** The rows as a fixed-width text table (readable in the HTML report, Allure and a terminal alike). */
export function formatManualTriggerTable(rows: readonly ManualTriggerRow[], windowSeconds: number): string {
  if (rows.length === 0) return "No monitoring rule watched a manual rollback trigger in this window.";
  const header = ["Trigger (runbook item)", "Function", "Measured", "Peak", "Threshold", "Status"];
  const body = rows.map((row) => [
    row.itemId,
    row.functionName,
    row.measured,
    row.peak === null
      ? "no data"
      : `${formatNumber(row.peak)}${row.unit} (${row.periods} period${row.periods === 1 ? "" : "s"})`,
    row.threshold,
    row.status,
  ]);
  const widths = header.map((cell, i) => Math.max(cell.length, ...body.map((line) => line[i]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  const over = rows.filter((row) => row.status === "over").length;
  const noData = rows.filter((row) => row.status === "no data").length;
  return [
    `Manual rollback triggers (tenant runbook 9.2): peak per ${PERIOD_SECONDS} s period over the ${formatNumber(windowSeconds)} s window.`,
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...body.map(line),
    over > 0
      ? `${over} trigger${over === 1 ? "" : "s"} over the threshold: the runbook calls for a rollback.`
      : noData > 0
        ? `${noData} trigger${noData === 1 ? "" : "s"} without data: not known to be within the threshold.`
        : "Every trigger is within its threshold.",
  ].join("\n");
}

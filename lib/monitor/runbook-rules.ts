import type { RunbookItem, Threshold } from "../../runbooks/schema.ts";
import { failWhenFromThreshold } from "../metrics/thresholds.ts";
import type { Measure, MonitorRule } from "./types.ts";

/** Measurements the monitor cannot take itself but a rule may need. */
export interface RuleInputs {
  /** p95 Duration (ms) of the version served before the deployment; null when it could not be measured. */
  readonly baselineP95Ms: number | null;
}

/** A threshold the monitor cannot watch, and why (reported, not silently dropped). */
export interface SkippedThreshold {
  readonly itemId: string;
  readonly metric: string;
  readonly reason: string;
}

/** Monitor rules for the Lambda thresholds of the given runbook items; other thresholds (logs, alarms,
 * deployment age, ...) belong to other checks and are listed in `skipped`. */
export function monitorRulesFromItems(
  items: readonly Pick<RunbookItem, "id" | "thresholds">[],
  inputs: RuleInputs,
): { rules: MonitorRule[]; skipped: SkippedThreshold[] } {
  const rules: MonitorRule[] = [];
  const skipped: SkippedThreshold[] = [];
  for (const item of items) {
    item.thresholds.forEach((threshold, index) => {
      const measure = measureFor(threshold, inputs);
      if (typeof measure === "string") {
        skipped.push({ itemId: item.id, metric: threshold.metric, reason: measure });
        return;
      }
      rules.push({
        id: item.thresholds.length > 1 ? `${item.id}#${index + 1}` : item.id,
        itemIds: [item.id],
        measure,
        failWhen: failWhenFromThreshold(threshold),
        ...(threshold.forSeconds === undefined ? {} : { forMs: threshold.forSeconds * 1000 }),
        zeroTrafficOk: threshold.zeroTrafficOk,
      });
    });
  }
  return { rules, skipped };
}

function measureFor(threshold: Threshold, inputs: RuleInputs): Measure | string {
  switch (threshold.metric) {
    case "lambda.errors":
      return { kind: "error-count" };
    case "lambda.throttles":
      return { kind: "throttle-count" };
    case "lambda.error-rate":
      // Judged per period, which is stricter than over the whole window and is what lets it fail early.
      return { kind: "error-rate-percent" };
    case "api.5xx":
      // A Lambda proxy integration turns a function error into a 5xx; Errors per minute is what CloudWatch
      // holds for the function itself.
      return { kind: "errors-per-minute" };
    case "lambda.duration.p95":
    case "lambda.duration.p99":
    case "lambda.duration.max": {
      const stat = threshold.metric === "lambda.duration.max" ? "Maximum" : threshold.metric.slice(-3);
      if (threshold.unit === "x-baseline") {
        return stat === "p95"
          ? { kind: "latency-baseline-ratio", stat, baselineMs: inputs.baselineP95Ms }
          : `a baseline multiple is only measured for p95, not ${stat}`;
      }
      return threshold.unit === "ms"
        ? { kind: "latency-ms", stat }
        : `unit ${threshold.unit} is not a duration`;
    }
    case "lambda.invocations":
      return "traffic is not a rollback trigger: a window without invocations ends inconclusive";
    default:
      return `${threshold.metric} is not a Lambda metric the monitor polls`;
  }
}

/** The Duration statistics the rules read, for the poll to request. */
export function durationStatsOf(rules: readonly MonitorRule[]): string[] {
  const stats = new Set<string>();
  for (const rule of rules) {
    if (rule.measure.kind === "latency-ms" || rule.measure.kind === "latency-baseline-ratio")
      stats.add(rule.measure.stat);
  }
  return [...stats];
}

import type { Threshold } from "../../runbooks/schema.ts";
import {
  evaluateAbsoluteLatency,
  evaluateBaselineRatio,
  evaluateCount,
  evaluateErrorRate,
  evaluatePerMinute,
} from "./checks.ts";
import { type CheckResult, type Datapoint, type FailWhen, negate } from "./types.ts";

/** The failing condition of a runbook threshold: a trigger fails as written, a requirement fails when it
 * no longer holds (errors < 10 fails at errors >= 10). */
export function failWhenFromThreshold(
  threshold: Pick<Threshold, "comparison" | "value" | "sense">,
): FailWhen {
  return threshold.sense === "trigger"
    ? { comparison: threshold.comparison, value: threshold.value }
    : { comparison: negate(threshold.comparison), value: threshold.value };
}

/** The Lambda series of one window, as GetMetricData returned them (Sum for counts, by statistic for Duration). */
export interface LambdaWindowSeries {
  readonly errors: readonly Datapoint[];
  readonly invocations: readonly Datapoint[];
  readonly throttles: readonly Datapoint[];
  readonly duration: Readonly<Record<string, readonly Datapoint[]>>;
}

/** Duration statistic a threshold metric reads, or null for non-duration metrics. */
export function durationStatOf(metric: Threshold["metric"]): string | null {
  if (metric === "lambda.duration.max") return "Maximum";
  if (metric === "lambda.duration.p95") return "p95";
  if (metric === "lambda.duration.p99") return "p99";
  return null;
}

/** Judges one runbook threshold over a window of Lambda metrics; thresholds on other metrics (logs, alarms)
 * are not judged here and come back inconclusive, saying so. `baselineMs` serves "x-baseline" units. */
export function evaluateLambdaThreshold(
  threshold: Threshold,
  series: LambdaWindowSeries,
  options: { periodMs: number; baselineMs?: number | null },
): CheckResult {
  const failWhen = failWhenFromThreshold(threshold);
  const zeroTrafficOk = threshold.zeroTrafficOk;
  const stat = durationStatOf(threshold.metric);
  switch (threshold.metric) {
    case "lambda.errors":
      return evaluateCount({
        label: "errors",
        counts: series.errors,
        traffic: series.invocations,
        failWhen,
        zeroTrafficOk,
      });
    case "lambda.throttles":
      return evaluateCount({
        label: "throttles",
        counts: series.throttles,
        traffic: series.invocations,
        failWhen,
        zeroTrafficOk,
      });
    case "lambda.invocations":
      return evaluateCount({ label: "invocations", counts: series.invocations, failWhen, zeroTrafficOk });
    case "lambda.error-rate":
      return evaluateErrorRate({
        errors: series.errors,
        invocations: series.invocations,
        failWhen,
        zeroTrafficOk,
      });
    case "api.5xx":
      return evaluatePerMinute({
        label: "errors",
        counts: series.errors,
        traffic: series.invocations,
        periodMs: options.periodMs,
        failWhen,
        zeroTrafficOk,
      });
    case "lambda.duration.max":
    case "lambda.duration.p95":
    case "lambda.duration.p99": {
      const points = series.duration[stat ?? ""] ?? [];
      if (threshold.unit === "x-baseline") {
        return evaluateBaselineRatio({
          current: points,
          baseline: options.baselineMs ?? null,
          failWhen,
          zeroTrafficOk,
          statistic: stat ?? "p95",
        });
      }
      return evaluateAbsoluteLatency({ points, failWhen, zeroTrafficOk, statistic: stat ?? "Maximum" });
    }
    default:
      return {
        status: "inconclusive",
        reason: `${threshold.metric} is not a Lambda metric, so a CloudWatch metrics window cannot judge it. Judge it with the check that reads ${threshold.metric}.`,
        observed: {},
      };
  }
}

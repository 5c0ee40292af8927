import type { CheckResult, Datapoint, FailWhen } from "./types.ts";
import { compare, formatNumber } from "./types.ts";
import { bucketize, maxValue, sumValues } from "./window.ts";

/** Inputs shared by the checks over counted metrics (Errors, Throttles, 5xx). */
export interface CountInput {
  /** Datapoints of the counted metric (Sum statistic) inside the window. */
  readonly counts: readonly Datapoint[];
  /** Invocations (Sum) in the window: evidence that a missing count means zero rather than missing data.
   * Lambda publishes no datapoint for a period without invocations, so absence alone proves nothing. */
  readonly traffic?: readonly Datapoint[];
  readonly failWhen: FailWhen;
  /** The runbook item accepts a window without traffic (principle 9); otherwise no data is inconclusive. */
  readonly zeroTrafficOk?: boolean;
  /** What is counted, for the reason text ("Lambda errors", "throttles"). */
  readonly label: string;
}

/** Total of a counted metric over the window against its limit, e.g. errors < 10 in the last hour. */
export function evaluateCount(input: CountInput): CheckResult {
  const traffic = sumValues(input.traffic ?? []);
  const noData = noDataResult(input.counts.length === 0 && traffic === 0, input.zeroTrafficOk, input.label, {
    count: null,
    invocations: traffic,
  });
  if (noData) return noData;
  const total = sumValues(input.counts);
  const observed = { count: total, invocations: traffic, limit: input.failWhen.value };
  const crossed = compare(total, input.failWhen.comparison, input.failWhen.value);
  return crossed
    ? failed(
        `${formatNumber(total)} ${input.label} in the window, ${describeLimit(input.failWhen)}.`,
        observed,
      )
    : passed(`${formatNumber(total)} ${input.label} in the window, within the limit.`, observed);
}

/** Inputs of the error-rate check. */
export interface ErrorRateInput {
  readonly errors: readonly Datapoint[];
  readonly invocations: readonly Datapoint[];
  /** Limit on the rate in percent (0-100). */
  readonly failWhen: FailWhen;
  readonly zeroTrafficOk?: boolean;
}

/** Error rate in percent = sum(Errors) / sum(Invocations) * 100 over the window. */
export function evaluateErrorRate(input: ErrorRateInput): CheckResult {
  const invocations = sumValues(input.invocations);
  const errors = sumValues(input.errors);
  const noData = noDataResult(invocations === 0, input.zeroTrafficOk, "invocations", {
    errors,
    invocations,
    errorRatePercent: null,
  });
  if (noData) return noData;
  const rate = (errors / invocations) * 100;
  const observed = { errors, invocations, errorRatePercent: rate, limitPercent: input.failWhen.value };
  const summary = `error rate ${formatNumber(rate)}% (${formatNumber(errors)} errors / ${formatNumber(invocations)} invocations)`;
  return compare(rate, input.failWhen.comparison, input.failWhen.value)
    ? failed(`The ${summary} ${describeLimit(input.failWhen, "%")}.`, observed)
    : passed(`The ${summary} is within the limit.`, observed);
}

/** Inputs of the per-minute check. */
export interface PerMinuteInput extends CountInput {
  /** Period of the datapoints in milliseconds. Periods shorter than a minute are summed into minutes. */
  readonly periodMs: number;
}

/** Worst minute of a counted metric against a per-minute limit, e.g. 5xx errors > 5/minute.
 * Periods longer than a minute are spread evenly, the only reading a coarser period allows. */
export function evaluatePerMinute(input: PerMinuteInput): CheckResult {
  const traffic = sumValues(input.traffic ?? []);
  const noData = noDataResult(input.counts.length === 0 && traffic === 0, input.zeroTrafficOk, input.label, {
    worstMinute: null,
    invocations: traffic,
  });
  if (noData) return noData;
  const minutes =
    input.periodMs >= 60_000
      ? input.counts.map((p) => ({ timestamp: p.timestamp, value: (p.value * 60_000) / input.periodMs }))
      : bucketize(input.counts, 60_000, "sum");
  const worst = maxValue(minutes) ?? 0;
  const observed = { worstMinute: worst, invocations: traffic, limit: input.failWhen.value };
  return compare(worst, input.failWhen.comparison, input.failWhen.value)
    ? failed(
        `The worst minute had ${formatNumber(worst)} ${input.label}, ${describeLimit(input.failWhen, "/minute")}.`,
        observed,
      )
    : passed(`The worst minute had ${formatNumber(worst)} ${input.label}, within the limit.`, observed);
}

/** Inputs of the latency-against-baseline check. */
export interface BaselineRatioInput {
  /** p95 Duration datapoints of the new version in the window (ms). */
  readonly current: readonly Datapoint[];
  /** p95 Duration of the previous version (ms), or null when it could not be measured. */
  readonly baseline: number | null;
  /** Limit on current / baseline, e.g. > 3 for "P95 latency > 3x baseline". */
  readonly failWhen: FailWhen;
  readonly zeroTrafficOk?: boolean;
  readonly statistic?: string;
}

/** Worst period's percentile latency divided by the previous version's, against a ratio limit. */
export function evaluateBaselineRatio(input: BaselineRatioInput): CheckResult {
  const statistic = input.statistic ?? "p95";
  const worst = maxValue(input.current);
  const noData = noDataResult(worst === null, input.zeroTrafficOk, `${statistic} Duration`, {
    current: null,
    baseline: input.baseline,
    ratio: null,
  });
  if (noData) return noData;
  const current = worst ?? 0;
  if (input.baseline === null || input.baseline <= 0) {
    return {
      status: "inconclusive",
      reason: `No ${statistic} Duration baseline from the previous version (got ${input.baseline ?? "none"}), so ${formatNumber(current)} ms cannot be compared. Check that the previous version has Duration metrics before the deployment.`,
      observed: { current, baseline: input.baseline, ratio: null },
    };
  }
  const ratio = current / input.baseline;
  const observed = { current, baseline: input.baseline, ratio, limit: input.failWhen.value };
  const summary = `${statistic} Duration ${formatNumber(current)} ms is ${formatNumber(ratio)}x the previous version's ${formatNumber(input.baseline)} ms`;
  return compare(ratio, input.failWhen.comparison, input.failWhen.value)
    ? failed(`The ${summary}, ${describeLimit(input.failWhen, "x")}.`, observed)
    : passed(`The ${summary}, within the limit.`, observed);
}

/** Inputs of the absolute latency check. */
export interface AbsoluteLatencyInput {
  /** Percentile Duration datapoints in the window (ms). */
  readonly points: readonly Datapoint[];
  /** Limit in ms, e.g. > 10000 for "P99 latency > 10s". */
  readonly failWhen: FailWhen;
  readonly zeroTrafficOk?: boolean;
  readonly statistic?: string;
}

/** Worst period's percentile latency against an absolute limit. */
export function evaluateAbsoluteLatency(input: AbsoluteLatencyInput): CheckResult {
  const statistic = input.statistic ?? "p99";
  const worst = maxValue(input.points);
  const noData = noDataResult(worst === null, input.zeroTrafficOk, `${statistic} Duration`, { worst: null });
  if (noData) return noData;
  const value = worst ?? 0;
  const observed = { worst: value, limit: input.failWhen.value };
  return compare(value, input.failWhen.comparison, input.failWhen.value)
    ? failed(
        `The worst ${statistic} Duration is ${formatNumber(value)} ms, ${describeLimit(input.failWhen, " ms")}.`,
        observed,
      )
    : passed(`The worst ${statistic} Duration is ${formatNumber(value)} ms, within the limit.`, observed);
}

/** Words for a crossed limit: "above the limit of 5%". */
export function describeLimit(failWhen: FailWhen, unit = ""): string {
  const words = {
    ">": "above the limit of",
    ">=": "at or above the limit of",
    "<": "below the minimum of",
    "<=": "at or below the minimum of",
    "==": "equal to the forbidden value",
    "!=": "different from the required",
  } as const;
  return `${words[failWhen.comparison]} ${formatNumber(failWhen.value)}${unit}`;
}

function noDataResult(
  noData: boolean,
  zeroTrafficOk: boolean | undefined,
  what: string,
  observed: Record<string, number | null>,
): CheckResult | null {
  if (!noData) return null;
  if (zeroTrafficOk) {
    return passed(
      `No ${what} datapoints in the window, which this runbook item accepts (zero traffic is ok).`,
      observed,
    );
  }
  return {
    status: "inconclusive",
    reason: `No ${what} datapoints in the window, so nothing can be judged (no data is not a pass). Send traffic to the function during the window or widen the window, then run again.`,
    observed,
  };
}

function passed(reason: string, observed: Record<string, number | null>): CheckResult {
  return { status: "passed", reason, observed };
}

function failed(reason: string, observed: Record<string, number | null>): CheckResult {
  return { status: "failed", reason, observed };
}

/**
 * How a metric alarm judges its data, as CloudWatch does: the last EvaluationPeriods periods as
 * sliding windows ending now (so data recorded a moment ago counts at once), DatapointsToAlarm of
 * them breaching, and TreatMissingData for periods without data. A pure function of the alarm's
 * settings, its metric's series and the time; the state change itself is recorded by alarms.ts.
 */
import { type Aggregate, collectPeriods, type Dimension, type Series, statisticValue } from "./metrics.ts";
import type { AlarmState, StaticComparison, TreatMissingData } from "./schemas.ts";

/** What evaluation needs of an alarm's configuration. */
export interface EvaluatedAlarm {
  Namespace: string;
  MetricName: string;
  Dimensions: Dimension[];
  Statistic: string | undefined;
  ExtendedStatistic: string | undefined;
  Period: number;
  Unit: string | undefined;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  Threshold: number;
  ComparisonOperator: StaticComparison;
  TreatMissingData: TreatMissingData;
}

export interface Evaluation {
  /** The state the data calls for. */
  state: AlarmState;
  /** StateReason and StateReasonData as CloudWatch words them (computed when asked for). */
  describe(): { reason: string; reasonData: string };
}

const comparisonText: Record<StaticComparison, string> = {
  GreaterThanOrEqualToThreshold: "greater than or equal to",
  GreaterThanThreshold: "greater than",
  LessThanThreshold: "less than",
  LessThanOrEqualToThreshold: "less than or equal to",
};

function breaches(op: StaticComparison, value: number, threshold: number): boolean {
  switch (op) {
    case "GreaterThanOrEqualToThreshold":
      return value >= threshold;
    case "GreaterThanThreshold":
      return value > threshold;
    case "LessThanThreshold":
      return value < threshold;
    case "LessThanOrEqualToThreshold":
      return value <= threshold;
  }
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

function reasonTimestamp(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

function awsTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+0000");
}

/**
 * Evaluates an alarm over `series` (undefined: no data was ever recorded for its metric) at `now`.
 * Undefined when the alarm keeps its state whatever it is (TreatMissingData "ignore" without data).
 */
export function evaluateAlarm(
  c: EvaluatedAlarm,
  series: Series | undefined,
  now: number,
): Evaluation | undefined {
  const stat = c.Statistic ?? c.ExtendedStatistic ?? "Sum";
  const periodMs = c.Period * 1000;
  const n = c.EvaluationPeriods;
  // Sliding windows ending now, oldest first: window i covers [origin + i*P, origin + (i+1)*P).
  const origin = now - n * periodMs;
  const periods = series
    ? collectPeriods(series, origin, periodMs, now + 1, c.Unit)
    : new Map<number, Aggregate>();
  const points: Array<{ start: number; value: number | undefined; sampleCount: number }> = [];
  for (let i = 0; i < n; i++) {
    const entry = periods.get(i);
    points.push({
      start: origin + i * periodMs,
      value: entry ? statisticValue(entry, stat) : undefined,
      sampleCount: entry?.sampleCount ?? 0,
    });
  }
  const present = points.filter((point) => point.value !== undefined);
  const missing = n - present.length;
  const breachingPresent = present.filter((point) =>
    breaches(c.ComparisonOperator, point.value ?? 0, c.Threshold),
  );
  let next: AlarmState;
  switch (c.TreatMissingData) {
    case "breaching":
      next = breachingPresent.length + missing >= c.DatapointsToAlarm ? "ALARM" : "OK";
      break;
    case "notBreaching":
      next = breachingPresent.length >= c.DatapointsToAlarm ? "ALARM" : "OK";
      break;
    case "ignore":
      if (present.length === 0) return undefined;
      next = breachingPresent.length >= c.DatapointsToAlarm ? "ALARM" : "OK";
      break;
    default:
      if (present.length === 0) next = "INSUFFICIENT_DATA";
      else next = breachingPresent.length >= c.DatapointsToAlarm ? "ALARM" : "OK";
  }
  const describe = () => {
    const shown = present.length > 0 ? present : points;
    const list = shown
      .filter((point) => point.value !== undefined)
      .map((point) => `${formatNumber(point.value ?? 0)} (${reasonTimestamp(point.start)})`)
      .join(", ");
    const text = comparisonText[c.ComparisonOperator];
    let reason: string;
    if (next === "INSUFFICIENT_DATA") {
      reason = `Insufficient Data: ${n} datapoint${n === 1 ? " was" : "s were"} unknown.`;
    } else if (next === "ALARM") {
      const count = breachingPresent.length + (c.TreatMissingData === "breaching" ? missing : 0);
      reason = `Threshold Crossed: ${count} out of the last ${n} datapoints [${list}] ${count === 1 ? "was" : "were"} ${text} the threshold (${formatNumber(c.Threshold)}) (minimum ${c.DatapointsToAlarm} datapoint${c.DatapointsToAlarm === 1 ? "" : "s"} for OK -> ALARM transition).`;
    } else {
      reason = `Threshold Crossed: ${present.length} datapoint${present.length === 1 ? "" : "s"} [${list}] ${present.length === 1 ? "was" : "were"} not ${text} the threshold (${formatNumber(c.Threshold)}).`;
    }
    const reasonData = JSON.stringify({
      version: "1.0",
      queryDate: awsTimestamp(now),
      startDate: awsTimestamp(origin),
      statistic: stat,
      period: c.Period,
      recentDatapoints: present.map((point) => point.value),
      threshold: c.Threshold,
      evaluatedDatapoints: present
        .map((point) => ({
          timestamp: awsTimestamp(point.start),
          sampleCount: point.sampleCount,
          value: point.value,
        }))
        .reverse(),
    });
    return { reason, reasonData };
  };
  return { state: next, describe };
}

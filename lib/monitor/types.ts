import type { Datapoint, FailWhen } from "../metrics/types.ts";

export const monitorMetrics = ["Errors", "Invocations", "Throttles", "Duration"] as const;
/** AWS/Lambda metrics the monitor reads. */
export type MonitorMetric = (typeof monitorMetrics)[number];

/** One metric series as a poll read it: which statistic, for which dimension set. */
export interface Series {
  readonly metric: MonitorMetric;
  /** "Sum" for counts, "p95"/"p99" (or "Average", "Maximum") for Duration. */
  readonly stat: string;
  /** CloudWatch dimensions, e.g. `{ FunctionName }` or `{ FunctionName, Resource, ExecutedVersion }`. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly points: readonly Datapoint[];
}

/** What one poll saw. `at` (epoch ms) is the time of the poll; `runMonitor` stamps it from its clock. */
export interface Snapshot {
  readonly at?: number;
  readonly series: readonly Series[];
}

/** A poll that could not read the metrics (after the SDK's own retries). */
export interface PollFailure {
  readonly at: number;
  readonly failure: string;
}

/** Whose metrics are judged: the whole function, or only the new version while a canary shares traffic. */
export type MonitorTarget =
  | { readonly kind: "function"; readonly functionName: string }
  | {
      readonly kind: "canary";
      readonly functionName: string;
      /** The new Lambda version number, matched against the ExecutedVersion (or Resource) dimension. */
      readonly version: string;
      /** What reasons call the version watched alone (default "canary"; a rollback's recovery: the restored one). */
      readonly label?: string;
    };

/** What a rule measures in each period (or, for counts, over the window so far). */
export type Measure =
  /** Errors / Invocations * 100 per period. */
  | { readonly kind: "error-rate-percent" }
  /** Errors per period, scaled to a per-minute rate (periods shorter than a minute scale up). */
  | { readonly kind: "errors-per-minute" }
  /** Errors since the window opened. */
  | { readonly kind: "error-count" }
  /** Throttles since the window opened (throttled calls are not counted in Invocations). */
  | { readonly kind: "throttle-count" }
  /** A Duration percentile per period divided by the previous version's (null: no baseline measured). */
  | { readonly kind: "latency-baseline-ratio"; readonly stat: string; readonly baselineMs: number | null }
  /** A Duration percentile per period in milliseconds. */
  | { readonly kind: "latency-ms"; readonly stat: string };

/** A rollback trigger the monitor watches. */
export interface MonitorRule {
  /** Stable name used in reasons, e.g. "error-rate-5pct-2min". */
  readonly id: string;
  /** Runbook items this rule verifies; a failure is reported against them. */
  readonly itemIds: readonly string[];
  readonly measure: Measure;
  readonly failWhen: FailWhen;
  /** The condition must hold this long (ms) before it counts, e.g. "error rate > 5% for 2 minutes". */
  readonly forMs?: number;
  /** The runbook item accepts a window without traffic (principle 9). */
  readonly zeroTrafficOk?: boolean;
}

/** Everything the pure monitor needs besides the polls. */
export interface MonitorConfig {
  readonly rules: readonly MonitorRule[];
  readonly target: MonitorTarget;
  /** When the window opened (epoch ms), normally the deployment time. */
  readonly startedAt: number;
  readonly windowMs: number;
  readonly intervalMs: number;
  /** Period of the datapoints (ms): 60000 for standard Lambda metrics. */
  readonly periodMs: number;
  /** A data-free stretch longer than this makes the window inconclusive. Default: half the window. */
  readonly maxGapMs?: number;
  /** How long the metric store may take to publish a period; forgiven at the trailing edge. Default 0. */
  readonly lagMs?: number;
}

/** Series the monitor judges, merged over all polls so far and reduced to the target's scope. */
export interface ScopedSeries {
  readonly errors: readonly Datapoint[];
  readonly invocations: readonly Datapoint[];
  readonly throttles: readonly Datapoint[];
  /** Duration by statistic ("p95", "p99", ...). */
  readonly duration: Readonly<Record<string, readonly Datapoint[]>>;
}

/** A rule that crossed its threshold. */
export interface RuleBreach {
  readonly ruleId: string;
  readonly itemIds: readonly string[];
  readonly reason: string;
  /** Start of the breach (epoch ms): the first period of the run that crossed. */
  readonly onsetAt: number;
  readonly observed: Readonly<Record<string, number | null>>;
}

/** The monitor's answer after a poll. Only `continue` lets polling go on. */
export type MonitorDecision =
  | { readonly kind: "continue"; readonly at: number; readonly elapsedMs: number; readonly polls: number }
  | {
      readonly kind: "fail";
      readonly at: number;
      readonly elapsedMs: number;
      readonly polls: number;
      /** The earliest breach; `breaches` lists all of them. */
      readonly breach: RuleBreach;
      readonly breaches: readonly RuleBreach[];
      readonly reason: string;
      readonly evidence: ScopedSeries;
    }
  | {
      readonly kind: "pass" | "inconclusive";
      readonly at: number;
      readonly elapsedMs: number;
      readonly polls: number;
      readonly reason: string;
      /** Runbook items a rule could not judge (inconclusive) or judged (pass). */
      readonly itemIds: readonly string[];
      readonly evidence: ScopedSeries;
    };

export type MonitorDecisionKind = MonitorDecision["kind"];

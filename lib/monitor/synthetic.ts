import type { Datapoint } from "../metrics/types.ts";
import type { Series, Snapshot } from "./types.ts";

/** One version's share of the traffic and how it behaves, each as a function of time (epoch ms). */
export interface SyntheticVersion {
  readonly version: string;
  /** Fraction of the traffic (0-1) this version receives at time t. */
  readonly share: (t: number) => number;
  /** Fraction of its invocations (0-1) that fail at time t. */
  readonly errorRatio: (t: number) => number;
  /** Fraction of its calls (0-1) throttled at time t; throttled calls are not invocations. Default 0. */
  readonly throttleRatio?: (t: number) => number;
  /** Duration percentiles in ms at time t. Default p95 100, p99 150. */
  readonly latency?: (t: number) => { p95: number; p99: number };
}

/** Steady traffic to a function, split over versions through an alias, as CloudWatch would report it. */
export interface SyntheticTraffic {
  readonly functionName: string;
  readonly alias: string;
  readonly periodMs: number;
  readonly callsPerSecond: number;
  readonly versions: readonly SyntheticVersion[];
  /** Whether the metric store published the period starting at `timestamp` (false simulates a gap). */
  readonly published?: (timestamp: number) => boolean;
}

/** What a GetMetricData poll at `at` would return for [fromMs, at): function-level and per-version series,
 * with the period still filling counted only up to `at`. Used by unit tests and the detection bench. */
export function syntheticSnapshot(traffic: SyntheticTraffic, fromMs: number, at: number): Snapshot {
  const { functionName, alias, periodMs } = traffic;
  const perVersion = new Map<string, Record<"inv" | "err" | "thr" | "p95" | "p99", Datapoint[]>>();
  for (const v of traffic.versions)
    perVersion.set(v.version, { inv: [], err: [], thr: [], p95: [], p99: [] });

  for (let ts = Math.floor(fromMs / periodMs) * periodMs; ts < at; ts += periodMs) {
    if (traffic.published && !traffic.published(ts)) continue;
    const seconds = (Math.min(ts + periodMs, at) - ts) / 1000;
    const mid = ts + (Math.min(ts + periodMs, at) - ts) / 2;
    for (const v of traffic.versions) {
      const calls = Math.round(traffic.callsPerSecond * seconds * v.share(mid));
      if (calls === 0) continue;
      const throttled = Math.round(calls * (v.throttleRatio?.(mid) ?? 0));
      const invocations = calls - throttled;
      const errors = Math.round(invocations * v.errorRatio(mid));
      const latency = v.latency?.(mid) ?? { p95: 100, p99: 150 };
      const out = perVersion.get(v.version);
      if (!out) continue;
      out.inv.push({ timestamp: ts, value: invocations });
      out.err.push({ timestamp: ts, value: errors });
      if (throttled > 0) out.thr.push({ timestamp: ts, value: throttled });
      if (invocations > 0) {
        out.p95.push({ timestamp: ts, value: latency.p95 });
        out.p99.push({ timestamp: ts, value: latency.p99 });
      }
    }
  }

  const series: Series[] = [];
  const functionDims = { FunctionName: functionName };
  const all = [...perVersion.values()];
  const sum = (key: "inv" | "err" | "thr"): Datapoint[] => addByTime(all.map((v) => v[key]));
  const max = (key: "p95" | "p99"): Datapoint[] => maxByTime(all.map((v) => v[key]));
  series.push(
    { metric: "Invocations", stat: "Sum", dimensions: functionDims, points: sum("inv") },
    { metric: "Errors", stat: "Sum", dimensions: functionDims, points: sum("err") },
    { metric: "Throttles", stat: "Sum", dimensions: functionDims, points: sum("thr") },
    { metric: "Duration", stat: "p95", dimensions: functionDims, points: max("p95") },
    { metric: "Duration", stat: "p99", dimensions: functionDims, points: max("p99") },
  );
  for (const [version, v] of perVersion) {
    const dims = {
      FunctionName: functionName,
      Resource: `${functionName}:${alias}`,
      ExecutedVersion: version,
    };
    series.push(
      { metric: "Invocations", stat: "Sum", dimensions: dims, points: v.inv },
      { metric: "Errors", stat: "Sum", dimensions: dims, points: v.err },
      { metric: "Throttles", stat: "Sum", dimensions: dims, points: v.thr },
      { metric: "Duration", stat: "p95", dimensions: dims, points: v.p95 },
      { metric: "Duration", stat: "p99", dimensions: dims, points: v.p99 },
    );
  }
  return { at, series };
}

function addByTime(lists: ReadonlyArray<readonly Datapoint[]>): Datapoint[] {
  const byTime = new Map<number, number>();
  for (const list of lists)
    for (const p of list) byTime.set(p.timestamp, (byTime.get(p.timestamp) ?? 0) + p.value);
  return [...byTime].sort(([a], [b]) => a - b).map(([timestamp, value]) => ({ timestamp, value }));
}

function maxByTime(lists: ReadonlyArray<readonly Datapoint[]>): Datapoint[] {
  const byTime = new Map<number, number>();
  for (const list of lists) {
    for (const p of list) byTime.set(p.timestamp, Math.max(byTime.get(p.timestamp) ?? p.value, p.value));
  }
  return [...byTime].sort(([a], [b]) => a - b).map(([timestamp, value]) => ({ timestamp, value }));
}

import { MetricInputError } from "./errors.ts";
import type { Datapoint } from "./types.ts";

/** A half-open time range [startMs, endMs) in epoch milliseconds. */
export interface TimeRange {
  readonly startMs: number;
  readonly endMs: number;
}

/** Datapoints whose period overlaps the range, sorted by time. A period that straddles the start counts,
 * because CloudWatch cannot split it: with 1-minute periods a window opening mid-minute includes that minute. */
export function pointsInRange(points: readonly Datapoint[], range: TimeRange, periodMs: number): Datapoint[] {
  assertPeriod(periodMs);
  return sortByTime(
    points.filter((p) => p.timestamp + periodMs > range.startMs && p.timestamp < range.endMs),
  );
}

/** A copy sorted by timestamp, oldest first. */
export function sortByTime(points: readonly Datapoint[]): Datapoint[] {
  return [...points].sort((a, b) => a.timestamp - b.timestamp);
}

/** Sum of the values (0 for no datapoints: callers decide separately whether "no datapoints" is acceptable). */
export function sumValues(points: readonly Datapoint[]): number {
  return points.reduce((total, p) => total + p.value, 0);
}

/** Largest value, or null without datapoints. */
export function maxValue(points: readonly Datapoint[]): number | null {
  return points.length === 0 ? null : Math.max(...points.map((p) => p.value));
}

/** Re-aggregates datapoints into coarser periods aligned to `bucketMs` (epoch-aligned, like CloudWatch). */
export function bucketize(
  points: readonly Datapoint[],
  bucketMs: number,
  aggregate: "sum" | "max" = "sum",
): Datapoint[] {
  assertPeriod(bucketMs);
  const buckets = new Map<number, number>();
  for (const p of points) {
    const start = Math.floor(p.timestamp / bucketMs) * bucketMs;
    const previous = buckets.get(start);
    if (previous === undefined) buckets.set(start, p.value);
    else buckets.set(start, aggregate === "sum" ? previous + p.value : Math.max(previous, p.value));
  }
  return sortByTime([...buckets].map(([timestamp, value]) => ({ timestamp, value })));
}

/** Merges a newer read of a series into an older one. A period that is still filling is reported again with a
 * bigger value on the next poll, so the newer value for a timestamp replaces the older one. */
export function mergeSeries(older: readonly Datapoint[], newer: readonly Datapoint[]): Datapoint[] {
  const byTime = new Map<number, number>();
  for (const p of older) byTime.set(p.timestamp, p.value);
  for (const p of newer) byTime.set(p.timestamp, p.value);
  return sortByTime([...byTime].map(([timestamp, value]) => ({ timestamp, value })));
}

/** Adds values of datapoints that share a timestamp (several dimension sets that together make one scope). */
export function addSeries(...series: ReadonlyArray<readonly Datapoint[]>): Datapoint[] {
  const byTime = new Map<number, number>();
  for (const points of series) {
    for (const p of points) byTime.set(p.timestamp, (byTime.get(p.timestamp) ?? 0) + p.value);
  }
  return sortByTime([...byTime].map(([timestamp, value]) => ({ timestamp, value })));
}

/** Longest stretch of the range that no datapoint's period covers, in milliseconds.
 * `lagMs` forgives the trailing edge, where a metric store has not published the newest period yet. */
export function longestGapMs(
  points: readonly Datapoint[],
  range: TimeRange,
  periodMs: number,
  lagMs = 0,
): number {
  assertPeriod(periodMs);
  const end = range.endMs - lagMs;
  if (end <= range.startMs) return 0;
  let covered = range.startMs;
  let longest = 0;
  for (const p of pointsInRange(points, range, periodMs)) {
    if (p.timestamp > covered) longest = Math.max(longest, Math.min(p.timestamp, end) - covered);
    covered = Math.max(covered, p.timestamp + periodMs);
    if (covered >= end) return longest;
  }
  return Math.max(longest, end - covered);
}

function assertPeriod(periodMs: number): void {
  if (!Number.isFinite(periodMs) || periodMs <= 0) {
    throw new MetricInputError(
      `A metric period of ${periodMs} ms cannot be used because periods must be positive. Pass the period the series was queried with (60000 for standard Lambda metrics).`,
      { periodMs },
    );
  }
}

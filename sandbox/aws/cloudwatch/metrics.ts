/**
 * CloudWatch metric storage for one (account, region). A metric is (namespace, name, exact dimension
 * set), as on AWS: a query for {FunctionName} does not see data recorded with {FunctionName, Resource}.
 * Data is kept at its storage resolution (1-minute buckets, 1-second for high-resolution data) as
 * sum/count/min/max plus the raw values, so percentiles are computed from what was recorded and memory
 * stays bounded by time, not by the number of invocations.
 */

export interface Dimension {
  Name: string;
  Value: string;
}

/** One normalised PutMetricData member. */
export interface MetricDatum {
  MetricName: string;
  Dimensions: Dimension[];
  Timestamp: Date;
  Unit: string;
  StorageResolution: number;
  /** Raw values with their weights (Value, or Values+Counts). */
  values: Array<{ value: number; count: number }>;
  StatisticValues?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
}

/** Aggregated data of one storage bucket (or of a merged period). */
export interface Aggregate {
  sampleCount: number;
  sum: number;
  min: number;
  max: number;
  /** Values usable for percentiles, with weights; StatisticValues sets with spread cannot contribute. */
  values: number[];
  weights: number[];
}

export interface Series {
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  /** bucket start (ms) -> unit -> aggregate */
  buckets: Map<number, Map<string, Aggregate>>;
  lastTimestamp: number;
}

function emptyAggregate(): Aggregate {
  return {
    sampleCount: 0,
    sum: 0,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    values: [],
    weights: [],
  };
}

export function sortDimensions(dimensions: readonly Dimension[]): Dimension[] {
  return [...dimensions].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

export function seriesKey(namespace: string, metricName: string, dimensions: readonly Dimension[]): string {
  const dims = sortDimensions(dimensions)
    .map((dimension) => `${dimension.Name}=${dimension.Value}`)
    .join("\u0002");
  return `${namespace}\u0001${metricName}\u0001${dims}`;
}

export class MetricStore {
  readonly #series = new Map<string, Series>();

  /** Records one datum. */
  put(namespace: string, datum: MetricDatum): void {
    const key = seriesKey(namespace, datum.MetricName, datum.Dimensions);
    let series = this.#series.get(key);
    if (!series) {
      series = {
        namespace,
        metricName: datum.MetricName,
        dimensions: sortDimensions(datum.Dimensions),
        buckets: new Map(),
        lastTimestamp: 0,
      };
      this.#series.set(key, series);
    }
    const resolutionMs = datum.StorageResolution === 1 ? 1000 : 60_000;
    const time = datum.Timestamp.getTime();
    const start = Math.floor(time / resolutionMs) * resolutionMs;
    let units = series.buckets.get(start);
    if (!units) {
      units = new Map();
      series.buckets.set(start, units);
    }
    let aggregate = units.get(datum.Unit);
    if (!aggregate) {
      aggregate = emptyAggregate();
      units.set(datum.Unit, aggregate);
    }
    for (const { value, count } of datum.values) {
      aggregate.sampleCount += count;
      aggregate.sum += value * count;
      aggregate.min = Math.min(aggregate.min, value);
      aggregate.max = Math.max(aggregate.max, value);
      aggregate.values.push(value);
      aggregate.weights.push(count);
    }
    const set = datum.StatisticValues;
    if (set) {
      aggregate.sampleCount += set.SampleCount;
      aggregate.sum += set.Sum;
      aggregate.min = Math.min(aggregate.min, set.Minimum);
      aggregate.max = Math.max(aggregate.max, set.Maximum);
      // AWS keeps percentiles for a statistic set only when it describes a single value.
      if (set.SampleCount === 1 || set.Minimum === set.Maximum) {
        aggregate.values.push(set.Minimum);
        aggregate.weights.push(set.SampleCount);
      }
    }
    series.lastTimestamp = Math.max(series.lastTimestamp, time);
  }

  /** The series with exactly these dimensions, if any data was recorded for it. */
  get(namespace: string, metricName: string, dimensions: readonly Dimension[]): Series | undefined {
    return this.#series.get(seriesKey(namespace, metricName, dimensions));
  }

  all(): IterableIterator<Series> {
    return this.#series.values();
  }

  /** Drops buckets older than `beforeMs` (AWS keeps 1-minute data for 15 days). */
  prune(beforeMs: number): void {
    for (const [key, series] of this.#series) {
      for (const start of series.buckets.keys()) if (start < beforeMs) series.buckets.delete(start);
      if (series.buckets.size === 0) this.#series.delete(key);
    }
  }
}

/** Merges the buckets of `series` whose start lies in [fromMs, toMs), optionally of one unit only. */
export function aggregateRange(
  series: Series,
  fromMs: number,
  toMs: number,
  unit: string | undefined,
): { aggregate: Aggregate; unit: string } | undefined {
  let merged: Aggregate | undefined;
  let seenUnit: string | undefined;
  for (const [start, units] of series.buckets) {
    if (start < fromMs || start >= toMs) continue;
    for (const [bucketUnit, aggregate] of units) {
      if (unit !== undefined && bucketUnit !== unit) continue;
      merged ??= emptyAggregate();
      seenUnit ??= bucketUnit;
      mergeInto(merged, aggregate);
    }
  }
  if (!merged || merged.sampleCount === 0 || seenUnit === undefined) return undefined;
  return { aggregate: merged, unit: seenUnit };
}

/**
 * Splits the data of `series` into periods of `periodMs` starting at `originMs` (up to `endMs`,
 * exclusive): period index -> merged aggregate. One pass over the stored buckets.
 */
export function collectPeriods(
  series: Series,
  originMs: number,
  periodMs: number,
  endMs: number,
  unit: string | undefined,
): Map<number, { aggregate: Aggregate; unit: string }> {
  const periods = new Map<number, { aggregate: Aggregate; unit: string }>();
  for (const [start, units] of series.buckets) {
    if (start < originMs || start >= endMs) continue;
    const index = Math.floor((start - originMs) / periodMs);
    for (const [bucketUnit, aggregate] of units) {
      if (unit !== undefined && bucketUnit !== unit) continue;
      let entry = periods.get(index);
      if (!entry) {
        entry = { aggregate: emptyAggregate(), unit: bucketUnit };
        periods.set(index, entry);
      }
      mergeInto(entry.aggregate, aggregate);
    }
  }
  for (const [index, entry] of periods) if (entry.aggregate.sampleCount === 0) periods.delete(index);
  return periods;
}

function mergeInto(target: Aggregate, source: Aggregate): void {
  target.sampleCount += source.sampleCount;
  target.sum += source.sum;
  target.min = Math.min(target.min, source.min);
  target.max = Math.max(target.max, source.max);
  for (let i = 0; i < source.values.length; i++) {
    target.values.push(source.values[i] ?? 0);
    target.weights.push(source.weights[i] ?? 0);
  }
}

export const simpleStatistics = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"] as const;
export type SimpleStatistic = (typeof simpleStatistics)[number];

const PERCENTILE = /^p(\d{1,2}(\.\d{1,10})?|100)$/;

/** Whether `stat` names a statistic this sandbox computes (the five simple ones and pNN / pNN.N). */
export function isSupportedStatistic(stat: string): boolean {
  return (simpleStatistics as readonly string[]).includes(stat) || PERCENTILE.test(stat);
}

export function isPercentile(stat: string): boolean {
  return PERCENTILE.test(stat);
}

/** Weighted percentile: the smallest recorded value at or above `p` percent of the samples. */
export function percentile(
  values: readonly number[],
  weights: readonly number[],
  p: number,
): number | undefined {
  if (values.length === 0) return undefined;
  const order = values.map((_, index) => index).sort((a, b) => (values[a] ?? 0) - (values[b] ?? 0));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (total <= 0) return undefined;
  const rank = (p / 100) * total;
  let cumulative = 0;
  for (const index of order) {
    cumulative += weights[index] ?? 0;
    if (cumulative >= rank) return values[index];
  }
  const last = order[order.length - 1];
  return last === undefined ? undefined : values[last];
}

/** The value of one statistic over an aggregate; undefined when it cannot be computed (percentile of sets). */
export function statisticValue(aggregate: Aggregate, stat: string): number | undefined {
  switch (stat) {
    case "SampleCount":
      return aggregate.sampleCount;
    case "Sum":
      return aggregate.sum;
    case "Average":
      return aggregate.sum / aggregate.sampleCount;
    case "Minimum":
      return aggregate.min;
    case "Maximum":
      return aggregate.max;
    default: {
      const match = PERCENTILE.exec(stat);
      if (!match) return undefined;
      return percentile(aggregate.values, aggregate.weights, Number(stat.slice(1)));
    }
  }
}

/** Matches a ListMetrics dimension filter: every filter names a dimension the series has (and its value, if given). */
export function matchesDimensionFilters(
  series: Series,
  filters: ReadonlyArray<{ Name: string; Value?: string | undefined }>,
): boolean {
  return filters.every((filter) =>
    series.dimensions.some(
      (dimension) =>
        dimension.Name === filter.Name && (filter.Value === undefined || dimension.Value === filter.Value),
    ),
  );
}

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
  /** Raw values with their weights (Value, or Values+Counts) as flat [value, count, value, count, ...]. */
  samples: number[];
  StatisticValues?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
}

/** Aggregated data of one storage bucket (or of a merged period) in one unit. */
export interface Aggregate {
  unit: string;
  sampleCount: number;
  sum: number;
  min: number;
  max: number;
  /**
   * Values usable for percentiles as flat [value, weight, value, weight, ...] pairs; statistic sets
   * with spread contribute to the sums but not here (AWS cannot compute their percentiles either).
   */
  samples: number[];
  /** The same bucket's data recorded in another unit (rare). */
  next: Aggregate | undefined;
}

export interface Series {
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  /** bucket start (ms) -> aggregate (chained per unit) */
  buckets: Map<number, Aggregate>;
  lastTimestamp: number;
}

function emptyAggregate(unit: string): Aggregate {
  return {
    unit,
    sampleCount: 0,
    sum: 0,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    samples: [],
    next: undefined,
  };
}

export function sortDimensions(dimensions: readonly Dimension[]): Dimension[] {
  return [...dimensions].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

/** Callers often reuse one Dimensions array for many data (seeding); its key part is computed once. */
const dimensionKeys = new WeakMap<readonly Dimension[], string>();

export function seriesKey(namespace: string, metricName: string, dimensions: readonly Dimension[]): string {
  let dims = dimensionKeys.get(dimensions);
  if (dims === undefined) {
    dims = sortDimensions(dimensions)
      .map((dimension) => `${dimension.Name}=${dimension.Value}`)
      .join("\u0002");
    dimensionKeys.set(dimensions, dims);
  }
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
    let aggregate = series.buckets.get(start);
    if (!aggregate) {
      aggregate = emptyAggregate(datum.Unit);
      series.buckets.set(start, aggregate);
    }
    while (aggregate.unit !== datum.Unit) {
      aggregate.next ??= emptyAggregate(datum.Unit);
      aggregate = aggregate.next;
    }
    let samples = datum.samples;
    for (let i = 0; i + 1 < samples.length; i += 2) {
      const value = samples[i] ?? 0;
      const count = samples[i + 1] ?? 0;
      aggregate.sampleCount += count;
      aggregate.sum += value * count;
      if (value < aggregate.min) aggregate.min = value;
      if (value > aggregate.max) aggregate.max = value;
    }
    const set = datum.StatisticValues;
    if (set) {
      aggregate.sampleCount += set.SampleCount;
      aggregate.sum += set.Sum;
      if (set.Minimum < aggregate.min) aggregate.min = set.Minimum;
      if (set.Maximum > aggregate.max) aggregate.max = set.Maximum;
      // AWS keeps percentiles for a statistic set only when it describes a single value.
      if (set.SampleCount === 1 || set.Minimum === set.Maximum)
        samples = [...samples, set.Minimum, set.SampleCount];
    }
    // concat/slice allocate exactly-sized arrays: most buckets hold one datum, so no growth slack.
    if (samples.length > 0) {
      aggregate.samples =
        aggregate.samples.length === 0 ? samples.slice() : aggregate.samples.concat(samples);
    }
    if (time > series.lastTimestamp) series.lastTimestamp = time;
  }

  /** The series with exactly these dimensions, if any data was recorded for it. */
  get(namespace: string, metricName: string, dimensions: readonly Dimension[]): Series | undefined {
    return this.#series.get(seriesKey(namespace, metricName, dimensions));
  }

  all(): IterableIterator<Series> {
    return this.#series.values();
  }

  /**
   * Removes the data of every series of `namespace` that `matches`, in buckets starting at or after
   * `sinceMs` (all of them without it); returns how many buckets (datapoints) went. A series left
   * without data is dropped, as if it had never been recorded.
   */
  remove(namespace: string, matches: (series: Series) => boolean, sinceMs?: number): number {
    let removed = 0;
    for (const [key, series] of this.#series) {
      if (series.namespace !== namespace || !matches(series)) continue;
      for (const start of series.buckets.keys()) {
        if (sinceMs !== undefined && start < sinceMs) continue;
        series.buckets.delete(start);
        removed += 1;
      }
      if (series.buckets.size === 0) this.#series.delete(key);
      else {
        let last = 0;
        for (const start of series.buckets.keys()) if (start > last) last = start;
        series.lastTimestamp = Math.min(series.lastTimestamp, last + 60_000 - 1);
      }
    }
    return removed;
  }

  /** Drops buckets older than `beforeMs` (AWS keeps 1-minute data for 15 days). */
  prune(beforeMs: number): void {
    for (const [key, series] of this.#series) {
      for (const start of series.buckets.keys()) if (start < beforeMs) series.buckets.delete(start);
      if (series.buckets.size === 0) this.#series.delete(key);
    }
  }
}

function mergeInto(target: Aggregate, source: Aggregate): void {
  target.sampleCount += source.sampleCount;
  target.sum += source.sum;
  if (source.min < target.min) target.min = source.min;
  if (source.max > target.max) target.max = source.max;
  for (const sample of source.samples) target.samples.push(sample);
}

/**
 * Splits the data of `series` into periods of `periodMs` starting at `originMs` (up to `endMs`,
 * exclusive): period index -> merged aggregate (of `unit` only, if given; else of the first unit seen).
 * One pass over the stored buckets.
 */
export function collectPeriods(
  series: Series,
  originMs: number,
  periodMs: number,
  endMs: number,
  unit: string | undefined,
): Map<number, Aggregate> {
  const periods = new Map<number, Aggregate>();
  for (const [start, first] of series.buckets) {
    if (start < originMs || start >= endMs) continue;
    const index = Math.floor((start - originMs) / periodMs);
    for (let aggregate: Aggregate | undefined = first; aggregate; aggregate = aggregate.next) {
      if (unit !== undefined && aggregate.unit !== unit) continue;
      let merged = periods.get(index);
      if (!merged) {
        merged = emptyAggregate(aggregate.unit);
        periods.set(index, merged);
      }
      mergeInto(merged, aggregate);
    }
  }
  for (const [index, merged] of periods) if (merged.sampleCount === 0) periods.delete(index);
  return periods;
}

export const simpleStatistics = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"] as const;

const PERCENTILE = /^p(\d{1,2}(\.\d{1,10})?|100)$/;

/** Whether `stat` names a statistic this sandbox computes (the five simple ones and pNN / pNN.N). */
export function isSupportedStatistic(stat: string): boolean {
  return (simpleStatistics as readonly string[]).includes(stat) || PERCENTILE.test(stat);
}

export function isPercentile(stat: string): boolean {
  return PERCENTILE.test(stat);
}

/** Weighted percentile over [value, weight, ...] pairs: the smallest value at or above `p` percent of the weight. */
export function percentile(samples: readonly number[], p: number): number | undefined {
  const pairs: Array<[number, number]> = [];
  let total = 0;
  for (let i = 0; i + 1 < samples.length; i += 2) {
    const value = samples[i] ?? 0;
    const weight = samples[i + 1] ?? 0;
    pairs.push([value, weight]);
    total += weight;
  }
  if (pairs.length === 0 || total <= 0) return undefined;
  pairs.sort((a, b) => a[0] - b[0]);
  const rank = (p / 100) * total;
  let cumulative = 0;
  for (const [value, weight] of pairs) {
    cumulative += weight;
    if (cumulative >= rank) return value;
  }
  return pairs[pairs.length - 1]?.[0];
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
      return percentile(aggregate.samples, Number(stat.slice(1)));
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

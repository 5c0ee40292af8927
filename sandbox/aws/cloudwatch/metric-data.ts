/**
 * CloudWatch's metric operations over one region's metric store: PutMetricData's rules for what may
 * be recorded, and the three reads (GetMetricStatistics, GetMetricData with metric math, ListMetrics).
 */

import { WireMap } from "../protocols.ts";
import { decodeToken, encodeToken } from "../regional.ts";
import {
  invalidCombination,
  invalidToken,
  invalidValue,
  missingParameter,
  validationError,
} from "./errors.ts";
import { evaluateExpression, type TimeSeries } from "./expressions.ts";
import {
  collectPeriods,
  isPercentile,
  isSupportedStatistic,
  type MetricDatum,
  type MetricStore,
  matchesDimensionFilters,
  type Series,
  simpleStatistics,
  statisticValue,
} from "./metrics.ts";
import type {
  GetMetricDataRequest,
  GetMetricStatisticsRequest,
  ListMetricsRequest,
  PutMetricDataInput,
} from "./schemas.ts";

const TWO_WEEKS_MS = 14 * 24 * 60 * 60 * 1000;

/** Whether `period` (seconds) is one CloudWatch accepts; 1-30 s only for high-resolution data. */
export function isValidPeriod(period: number, allowHighResolution: boolean): boolean {
  if (period <= 0) return false;
  if (period % 60 === 0) return true;
  return allowHighResolution && [1, 5, 10, 20, 30].includes(period);
}

/** Where period buckets start: the start time rounded down to the minute (to the period below 60 s). */
function originFor(startMs: number, periodSeconds: number): number {
  const step = periodSeconds < 60 ? periodSeconds * 1000 : 60_000;
  return Math.floor(startMs / step) * step;
}

/** The query window of a read, checked as CloudWatch checks it. */
function queryWindow(start: Date, end: Date, period: number) {
  const startMs = start.getTime();
  const endMs = end.getTime();
  if (startMs >= endMs)
    throw invalidValue("The parameter StartTime must be less than the parameter EndTime.");
  if (!isValidPeriod(period, true)) {
    throw invalidValue(
      `The parameter Period must be 1, 5, 10, 20, 30, or a multiple of 60 (got ${period}); use 60 or more for standard-resolution metrics.`,
    );
  }
  return { endMs, periodMs: period * 1000, origin: originFor(startMs, period) };
}

/**
 * PutMetricData's semantic rules (exactly one of Value/Values/StatisticValues, timestamps from two
 * weeks back to two hours ahead, finite numbers, Values and Counts of one size), applied to a request
 * whose shape is already checked; returns the data normalised for the store.
 */
export function normaliseMetricData(request: PutMetricDataInput, now: number): MetricDatum[] {
  return request.MetricData.map((datum, index) => {
    const member = `MetricData.member.${index + 1}`;
    if (datum.MetricName.length === 0 || datum.MetricName.length > 255) {
      throw invalidValue(`The parameter ${member}.MetricName must be 1 to 255 characters long.`);
    }
    const kinds = [datum.Value, datum.StatisticValues, datum.Values].filter(
      (kind) => kind !== undefined,
    ).length;
    if (kinds !== 1) {
      throw invalidCombination(
        `The parameters ${member}.Value, ${member}.StatisticValues and ${member}.Values are mutually exclusive and you must specify exactly one of them.`,
      );
    }
    const timestamp = datum.Timestamp ?? new Date(now);
    const time = timestamp.getTime();
    if (Number.isNaN(time) || time < now - TWO_WEEKS_MS) {
      throw invalidValue(
        `The parameter ${member}.Timestamp must specify a time no more than two weeks in the past.`,
      );
    }
    if (time > now + 2 * 60 * 60 * 1000) {
      throw invalidValue(
        `The parameter ${member}.Timestamp must specify a time no more than two hours in the future.`,
      );
    }
    if (
      datum.StorageResolution !== undefined &&
      datum.StorageResolution !== 1 &&
      datum.StorageResolution !== 60
    ) {
      throw invalidValue(
        `The value ${datum.StorageResolution} for parameter ${member}.StorageResolution is invalid.`,
      );
    }
    const samples: number[] = [];
    if (datum.Value !== undefined) samples.push(datum.Value, 1);
    if (datum.Values !== undefined) {
      if (datum.Counts !== undefined && datum.Counts.length !== datum.Values.length) {
        throw invalidValue(
          `The parameters ${member}.Values and ${member}.Counts must be arrays of the same size.`,
        );
      }
      datum.Values.forEach((value, i) => {
        samples.push(value, datum.Counts?.[i] ?? 1);
      });
    }
    for (let i = 0; i + 1 < samples.length; i += 2) {
      const value = samples[i] ?? Number.NaN;
      const count = samples[i + 1] ?? Number.NaN;
      if (!Number.isFinite(value) || !Number.isFinite(count) || count < 0) {
        throw invalidValue(`The value ${value} (count ${count}) for parameter ${member} is invalid.`);
      }
    }
    const normalised: MetricDatum = {
      MetricName: datum.MetricName,
      Dimensions: datum.Dimensions ?? [],
      Timestamp: timestamp,
      Unit: datum.Unit ?? "None",
      StorageResolution: datum.StorageResolution ?? 60,
      samples,
    };
    if (datum.StatisticValues) {
      const set = datum.StatisticValues;
      if (set.SampleCount <= 0 || set.Minimum > set.Maximum) {
        throw invalidValue(
          `The parameter ${member}.StatisticValues must have SampleCount > 0 and Minimum <= Maximum.`,
        );
      }
      normalised.StatisticValues = set;
    }
    return normalised;
  });
}

/** GetMetricStatistics over `metrics` (undefined: a region nobody recorded data in). */
export function getMetricStatistics(metrics: MetricStore | undefined, request: GetMetricStatisticsRequest) {
  const statistics = request.Statistics ?? [];
  const extended = request.ExtendedStatistics ?? [];
  if (statistics.length === 0 && extended.length === 0) {
    throw missingParameter("The parameter Statistics or ExtendedStatistics must be specified.");
  }
  if (statistics.length > 0 && extended.length > 0) {
    throw invalidCombination("The parameters Statistics and ExtendedStatistics are mutually exclusive.");
  }
  for (const stat of extended) {
    if (!isPercentile(stat))
      throw invalidValue(`The value ${stat} for parameter ExtendedStatistics is not supported.`);
  }
  const { endMs, periodMs, origin } = queryWindow(request.StartTime, request.EndTime, request.Period);
  const requested = Math.ceil((endMs - origin) / periodMs);
  if (requested > 1440) {
    throw invalidCombination(
      `You have requested up to ${requested} datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
    );
  }
  const series = metrics?.get(request.Namespace, request.MetricName, request.Dimensions ?? []);
  const datapoints: unknown[] = [];
  if (series) {
    const periods = collectPeriods(series, origin, periodMs, endMs, request.Unit);
    for (const [index, aggregate] of [...periods].sort((a, b) => a[0] - b[0])) {
      const point: Record<string, unknown> = { Timestamp: new Date(origin + index * periodMs) };
      for (const stat of statistics) point[stat] = statisticValue(aggregate, stat);
      if (extended.length > 0) {
        const values: Record<string, number> = {};
        for (const stat of extended) {
          const value = statisticValue(aggregate, stat);
          if (value !== undefined) values[stat] = value;
        }
        point.ExtendedStatistics = new WireMap(values);
      }
      point.Unit = aggregate.unit;
      datapoints.push(point);
    }
  }
  return { Label: request.MetricName, Datapoints: datapoints };
}

/** GetMetricData: MetricStat queries, then metric math over their results, for `accountId` only. */
export function getMetricData(
  metrics: MetricStore | undefined,
  request: GetMetricDataRequest,
  accountId: string,
) {
  const seen = new Set<string>();
  for (const query of request.MetricDataQueries) {
    if (seen.has(query.Id))
      throw invalidValue(`The value ${query.Id} for parameter MetricDataQueries.Id is duplicated.`);
    seen.add(query.Id);
    if ((query.MetricStat === undefined) === (query.Expression === undefined)) {
      throw validationError(`The query ${query.Id} must specify exactly one of MetricStat and Expression.`);
    }
    if (query.AccountId !== undefined && query.AccountId !== accountId) {
      throw validationError(
        `The query ${query.Id} names account ${query.AccountId}; cross-account queries need a monitoring account link, which this sandbox does not have.`,
      );
    }
  }
  const results = new Map<string, TimeSeries>();
  const startMs = request.StartTime.getTime();
  const endMs = request.EndTime.getTime();
  if (startMs >= endMs)
    throw invalidValue("The parameter StartTime must be less than the parameter EndTime.");
  let gridPeriod = 60;
  for (const query of request.MetricDataQueries) {
    const stat = query.MetricStat;
    if (!stat) continue;
    if (!stat.Metric.Namespace || !stat.Metric.MetricName) {
      throw missingParameter(`The query ${query.Id} must name the metric's Namespace and MetricName.`);
    }
    if (!isSupportedStatistic(stat.Stat)) {
      throw invalidValue(
        `The value ${stat.Stat} for parameter MetricDataQueries.member.MetricStat.Stat is not a valid statistic (supported: ${simpleStatistics.join(", ")}, pNN).`,
      );
    }
    const { periodMs, origin } = queryWindow(request.StartTime, request.EndTime, stat.Period);
    gridPeriod = stat.Period;
    const series = metrics?.get(stat.Metric.Namespace, stat.Metric.MetricName, stat.Metric.Dimensions ?? []);
    const values: TimeSeries = new Map();
    if (series) {
      for (const [index, aggregate] of collectPeriods(series, origin, periodMs, endMs, stat.Unit)) {
        const value = statisticValue(aggregate, stat.Stat);
        if (value !== undefined) values.set(origin + index * periodMs, value);
      }
    }
    results.set(query.Id, values);
  }
  const gridOrigin = originFor(startMs, gridPeriod);
  const grid: number[] = [];
  for (let time = gridOrigin; time < endMs; time += gridPeriod * 1000) grid.push(time);
  for (const query of request.MetricDataQueries) {
    if (query.Expression === undefined) continue;
    results.set(query.Id, evaluateExpression(query.Expression, results, grid));
  }
  const ascending = request.ScanBy === "TimestampAscending";
  const out = request.MetricDataQueries.filter((query) => query.ReturnData !== false).map((query) => {
    const series = [...(results.get(query.Id) ?? new Map<number, number>())].sort((a, b) =>
      ascending ? a[0] - b[0] : b[0] - a[0],
    );
    return {
      Id: query.Id,
      Label: query.Label ?? query.MetricStat?.Metric.MetricName ?? query.Id,
      Timestamps: series.map(([time]) => new Date(time)),
      Values: series.map(([, value]) => value),
      StatusCode: "Complete",
      Messages: [],
    };
  });
  return { MetricDataResults: out, Messages: [] };
}

/** ListMetrics: 500 a page; RecentlyActive keeps series with data in the 3 hours before `now`. */
export function listMetrics(metrics: MetricStore | undefined, request: ListMetricsRequest, now: number) {
  const since = request.RecentlyActive ? now - 3 * 60 * 60 * 1000 : Number.NEGATIVE_INFINITY;
  const all: Series[] = [...(metrics?.all() ?? [])].filter(
    (series) =>
      (request.Namespace === undefined || series.namespace === request.Namespace) &&
      (request.MetricName === undefined || series.metricName === request.MetricName) &&
      matchesDimensionFilters(series, request.Dimensions ?? []) &&
      series.lastTimestamp >= since,
  );
  const offset = request.NextToken === undefined ? 0 : decodeToken(request.NextToken);
  if (offset === undefined) throw invalidToken();
  const page = all.slice(offset, offset + 500);
  return {
    Metrics: page.map((series) => ({
      Namespace: series.namespace,
      MetricName: series.metricName,
      Dimensions: series.dimensions,
    })),
    NextToken: offset + 500 < all.length ? encodeToken(offset + 500) : undefined,
  };
}

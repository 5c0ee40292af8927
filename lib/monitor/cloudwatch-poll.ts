import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { getMetricSeries, type MetricQuery } from "../metrics/query.ts";
import { dimensionSetsFor } from "./select.ts";
import type { MonitorMetric, MonitorTarget, Series, Snapshot } from "./types.ts";

/** Options of `cloudWatchPoll`. */
export interface CloudWatchPollOptions {
  readonly client: CloudWatchClient;
  readonly target: MonitorTarget;
  /** The alias carrying the canary traffic (its ExecutedVersion series are the canary's). */
  readonly aliasName?: string;
  /** Window start: every poll reads from here to now. */
  readonly startedAt: number;
  readonly periodSeconds: number;
  /** Duration statistics to read besides the counts. Default p95 and p99. */
  readonly durationStats?: readonly string[];
  readonly clock?: () => number;
}

const counts: readonly MonitorMetric[] = ["Errors", "Invocations", "Throttles"];

/** A `poll` for `runMonitor` that reads the target's Lambda metrics from CloudWatch with GetMetricData. */
export function cloudWatchPoll(options: CloudWatchPollOptions): () => Promise<Snapshot> {
  const clock = options.clock ?? Date.now;
  const periodMs = options.periodSeconds * 1000;
  const queries: Array<MetricQuery & { readonly metric: MonitorMetric }> = [];
  dimensionSetsFor(options.target, options.aliasName).forEach((dimensions, d) => {
    for (const metric of counts) {
      queries.push({
        id: `m${d}_${metric.toLowerCase()}`,
        metric,
        metricName: metric,
        stat: "Sum",
        dimensions,
      });
    }
    for (const stat of options.durationStats ?? ["p95", "p99"]) {
      const id = `m${d}_duration_${stat.replace(/[^a-zA-Z0-9]/g, "_")}`;
      queries.push({ id, metric: "Duration", metricName: "Duration", stat, dimensions });
    }
  });
  return async () => {
    const now = clock();
    const read = await getMetricSeries(options.client, {
      queries,
      startTime: new Date(Math.floor(options.startedAt / periodMs) * periodMs),
      // One period past now, so the period still filling is included.
      endTime: new Date((Math.floor(now / periodMs) + 1) * periodMs),
      periodSeconds: options.periodSeconds,
    });
    const series: Series[] = queries.map((q) => ({
      metric: q.metric,
      stat: q.stat,
      dimensions: q.dimensions,
      points: read.get(q.id) ?? [],
    }));
    return { at: clock(), series };
  };
}

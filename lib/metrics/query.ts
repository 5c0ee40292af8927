import type { CloudWatchClient, MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { sdk } from "../aws/sdk.ts";
import { datapointsFromMetricData } from "./cloudwatch.ts";
import { MetricInputError } from "./errors.ts";
import type { Datapoint } from "./types.ts";

/** One series to read from AWS/Lambda (or another namespace). */
export interface MetricQuery {
  /** Unique within the request; letters, digits and underscores, starting with a lowercase letter. */
  readonly id: string;
  readonly metricName: string;
  /** "Sum", "Average", "Maximum", "p95", "p99", ... */
  readonly stat: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly namespace?: string;
}

/** Options of `getMetricSeries`. */
export interface GetMetricSeriesOptions {
  readonly queries: readonly MetricQuery[];
  readonly startTime: Date;
  readonly endTime: Date;
  readonly periodSeconds: number;
}

// GetMetricData accepts at most 500 queries per call.
const maxQueriesPerCall = 500;

/** Reads several series with GetMetricData (following NextToken), keyed by query id, oldest first.
 * Throttling is retried by the client's own retry strategy; whatever still fails propagates to the caller. */
export async function getMetricSeries(
  client: CloudWatchClient,
  options: GetMetricSeriesOptions,
): Promise<Map<string, Datapoint[]>> {
  const out = new Map<string, Datapoint[]>();
  for (const q of options.queries) {
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(q.id)) {
      throw new MetricInputError(
        `Metric query id "${q.id}" is not accepted by GetMetricData: ids start with a lowercase letter and hold only letters, digits and underscores. Rename the query.`,
        { id: q.id },
      );
    }
    out.set(q.id, []);
  }
  for (let i = 0; i < options.queries.length; i += maxQueriesPerCall) {
    const chunk = options.queries.slice(i, i + maxQueriesPerCall);
    const MetricDataQueries: MetricDataQuery[] = chunk.map((q) => ({
      Id: q.id,
      ReturnData: true,
      MetricStat: {
        Metric: {
          Namespace: q.namespace ?? "AWS/Lambda",
          MetricName: q.metricName,
          Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })),
        },
        Period: options.periodSeconds,
        Stat: q.stat,
      },
    }));
    let NextToken: string | undefined;
    do {
      const page = await client.send(
        new (sdk.cloudwatch().GetMetricDataCommand)({
          MetricDataQueries,
          StartTime: options.startTime,
          EndTime: options.endTime,
          ScanBy: "TimestampAscending",
          ...(NextToken === undefined ? {} : { NextToken }),
        }),
      );
      for (const result of page.MetricDataResults ?? []) {
        const id = result.Id;
        if (id === undefined || !out.has(id)) continue;
        out.set(id, [...(out.get(id) ?? []), ...datapointsFromMetricData(result)]);
      }
      NextToken = page.NextToken;
    } while (NextToken);
  }
  return out;
}

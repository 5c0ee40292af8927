import { z } from "zod";
import { MetricInputError } from "./errors.ts";
import type { Datapoint } from "./types.ts";
import { sortByTime } from "./window.ts";

/** The part of a GetMetricData `MetricDataResults[]` entry the evaluation reads. */
export const MetricDataResultSchema = z.object({
  Id: z.string().optional(),
  Label: z.string().optional(),
  Timestamps: z.array(z.date()).default([]),
  Values: z.array(z.number().finite()).default([]),
  StatusCode: z.string().optional(),
});
export type MetricDataResult = z.infer<typeof MetricDataResultSchema>;

/** Turns one GetMetricData result into datapoints, oldest first; rejects a result whose arrays disagree. */
export function datapointsFromMetricData(result: unknown): Datapoint[] {
  const parsed = MetricDataResultSchema.safeParse(result);
  if (!parsed.success) {
    throw new MetricInputError(
      `A GetMetricData result could not be read: ${z.prettifyError(parsed.error)}. The metrics endpoint answered outside the CloudWatch API shape; check AWS_ENDPOINT_URL_CLOUDWATCH.`,
      { result },
      { cause: parsed.error },
    );
  }
  const { Timestamps, Values, Id } = parsed.data;
  if (Timestamps.length !== Values.length) {
    throw new MetricInputError(
      `GetMetricData result ${Id ?? "(no id)"} has ${Timestamps.length} timestamps but ${Values.length} values, so datapoints cannot be paired. The metrics endpoint returned a malformed result; report it to whoever runs that endpoint.`,
      { id: Id, timestamps: Timestamps.length, values: Values.length },
    );
  }
  return sortByTime(
    Timestamps.map((timestamp, index) => ({ timestamp: timestamp.getTime(), value: Values[index] ?? 0 })),
  );
}

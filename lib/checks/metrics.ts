/**
 * Post-deploy CloudWatch metrics (tenant runbook 8.1): Errors, Invocations, Throttles (Sum) and Duration (Average,
 * Maximum, p95, p99) of one function over the range its item looks back on, each threshold judged as a Finding.
 */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { Threshold } from "../../runbooks/index.ts";
import { evaluateLambdaThreshold, getMetricSeries, type LambdaWindowSeries } from "../metrics/index.ts";
import type { Finding } from "./finding.ts";
import { PERIOD_SECONDS } from "./window.ts";

/** The Lambda series of one function over a range, with the range read (ISO timestamps). */
export interface LambdaWindow {
  readonly points: LambdaWindowSeries;
  readonly range: { readonly start: string; readonly end: string };
}

/**
 * The range an item's thresholds look back on: the longest of their windows (a threshold without one, or an item
 * without thresholds, uses the monitoring window), ending now and never starting before the deployment.
 */
export function metricsRange(options: {
  thresholds: readonly Threshold[];
  windowMs: number;
  deployedAt: Date;
  now: Date;
}): { start: Date; end: Date } {
  const windows = options.thresholds.map((t) => (t.windowSeconds ?? options.windowMs / 1000) * 1000);
  const lookBackMs = windows.length === 0 ? options.windowMs : Math.max(...windows);
  const end = options.now.getTime();
  return { start: new Date(Math.max(options.deployedAt.getTime(), end - lookBackMs)), end: new Date(end) };
}

/** Reads the function's Lambda metrics over `range` with GetMetricData, in whole periods from the one it starts in. */
export async function readLambdaWindow(
  cloudwatch: CloudWatchClient,
  functionName: string,
  range: { readonly start: Date; readonly end: Date },
): Promise<LambdaWindow> {
  const { start, end } = range;
  const dimensions = { FunctionName: functionName };
  const read = await getMetricSeries(cloudwatch, {
    queries: [
      { id: "errors", metricName: "Errors", stat: "Sum", dimensions },
      { id: "invocations", metricName: "Invocations", stat: "Sum", dimensions },
      { id: "throttles", metricName: "Throttles", stat: "Sum", dimensions },
      { id: "average", metricName: "Duration", stat: "Average", dimensions },
      { id: "maximum", metricName: "Duration", stat: "Maximum", dimensions },
      { id: "p95", metricName: "Duration", stat: "p95", dimensions },
      { id: "p99", metricName: "Duration", stat: "p99", dimensions },
    ],
    // Whole periods: the one the window opened in, up to the one still filling.
    startTime: new Date(Math.floor(start.getTime() / 60_000) * 60_000),
    endTime: new Date((Math.floor(end.getTime() / 60_000) + 1) * 60_000),
    periodSeconds: PERIOD_SECONDS,
  });
  const get = (id: string) => read.get(id) ?? [];
  return {
    points: {
      errors: get("errors"),
      invocations: get("invocations"),
      throttles: get("throttles"),
      duration: { Average: get("average"), Maximum: get("maximum"), p95: get("p95"), p99: get("p99") },
    },
    range: { start: start.toISOString(), end: end.toISOString() },
  };
}

/** Tenant runbook 8.1: one threshold of an item over the function's window; no datapoints is inconclusive. */
export function judgeLambdaThreshold(
  functionName: string,
  threshold: Threshold,
  window: LambdaWindow,
): Finding {
  const result = evaluateLambdaThreshold(threshold, window.points, { periodMs: PERIOD_SECONDS * 1000 });
  return {
    status: result.status,
    reason: `${functionName}: ${result.reason}`,
    evidence: {
      functionName,
      range: window.range,
      threshold,
      observed: result.observed,
      series: window.points,
    },
  };
}

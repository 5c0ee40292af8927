/**
 * The post-deploy monitoring window of a service: one polling monitor per function over the environment's
 * window (runbooks: SIT 30 s, PROD 5 min), run once and shared by the tests that each judge one runbook item.
 */

import type { Environment, Service } from "../../runbooks/index.ts";
import type { AwsClients } from "../aws/index.ts";
import { getMetricSeries } from "../metrics/index.ts";
import {
  cloudWatchPoll,
  durationStatsOf,
  type MonitorDecision,
  type MonitorRule,
  type MonitorTarget,
  monitorRulesFromItems,
  runMonitor,
} from "../monitor/index.ts";
import type { DeployedFunction } from "./deployed.ts";
import { applicableItems, POST_DEPLOY_ITEMS as ITEMS } from "./items.ts";
import { previousVersion } from "./lambda.ts";

/** CloudWatch publishes standard Lambda metrics at 1-minute resolution. */
export const PERIOD_SECONDS = 60;

export { monitorProgressLine } from "../monitor/index.ts";

/** The window's timing from the environment (overridable: HARNESS_<ENV>_MONITORING_WINDOW_SECONDS, ..._INTERVAL_SECONDS). */
export function windowTiming(environment: Environment): { windowMs: number; intervalMs: number } {
  const windowMs = environment.monitoring.windowSeconds * 1000;
  return { windowMs, intervalMs: Math.min(environment.monitoring.intervalSeconds * 1000, windowMs) };
}

/** The result of one function's window, as the tests read it (plain data, so it can be shared through a file). */
export interface FunctionWindow {
  readonly functionName: string;
  readonly target: MonitorTarget;
  readonly startedAt: number;
  readonly rules: readonly MonitorRule[];
  readonly skipped: ReadonlyArray<{ itemId: string; metric: string; reason: string }>;
  readonly baseline: { readonly valueMs: number | null; readonly source: string };
  readonly decision: Exclude<MonitorDecision, { kind: "continue" }>;
  readonly polls: number;
}

/** One-minute p95 Duration values of one dimension set (the previous version, or the whole function). */
export interface BaselineSeries {
  readonly label: string;
  readonly values: readonly number[];
}

/** p95 Duration of the version served before `before`, then of the whole function, over the hour before it. */
async function readBaselineSeries(
  aws: AwsClients,
  functionName: string,
  previous: string | null,
  before: Date,
): Promise<BaselineSeries[]> {
  const dimensionSets: Array<{ label: string; dimensions: Record<string, string> }> = [
    ...(previous === null
      ? []
      : [
          {
            label: `version ${previous}`,
            dimensions: { FunctionName: functionName, ExecutedVersion: previous },
          },
        ]),
    { label: "the whole function", dimensions: { FunctionName: functionName } },
  ];
  const read = await getMetricSeries(aws.cloudwatch, {
    queries: dimensionSets.map((d, i) => ({
      id: `b${i}`,
      metricName: "Duration",
      stat: "p95",
      dimensions: d.dimensions,
    })),
    startTime: new Date(before.getTime() - 3_600_000),
    endTime: before,
    periodSeconds: PERIOD_SECONDS,
  });
  return dimensionSets.map((d, i) => ({
    label: d.label,
    values: (read.get(`b${i}`) ?? []).map((p) => p.value),
  }));
}

/** The latency baseline: the median minute of the first series with data (previous version before the function). */
export function baselineFrom(series: readonly BaselineSeries[]): { valueMs: number | null; source: string } {
  for (const s of series) {
    const values = [...s.values].sort((a, b) => a - b);
    if (values.length === 0) continue;
    // The median minute: one slow minute before the deployment should not raise the bar for the new version.
    const median = values[Math.floor(values.length / 2)] ?? null;
    return {
      valueMs: median,
      source: `median of ${values.length} one-minute p95 values of ${s.label} in the hour before the deployment`,
    };
  }
  return { valueMs: null, source: "no Duration datapoints in the hour before the deployment" };
}

/** The rules for a service in an environment: the Lambda thresholds of its applicable monitor items. Throttles
 * always fail the window (a throttled call never reaches the code); without an item of their own they are
 * reported against the environment's monitoring item. */
export function windowRules(service: Service, environment: Environment, baselineMs: number | null) {
  const items = applicableItems(ITEMS.monitor, service.id, environment.id);
  const { rules, skipped } = monitorRulesFromItems(items, { baselineP95Ms: baselineMs });
  const first = items[0];
  if (first && !rules.some((r) => r.measure.kind === "throttle-count")) {
    rules.push({
      id: "throttles",
      itemIds: [first.id],
      measure: { kind: "throttle-count" },
      failWhen: { comparison: ">", value: 0 },
    });
  }
  return { rules, skipped };
}

/** The canary's version: the one extra version an alias routes to; undefined without a split or with several. */
export function canaryVersionOf(routing: Readonly<Record<string, number>>): string | undefined {
  const weighted = Object.keys(routing);
  return weighted.length === 1 ? weighted[0] : undefined;
}

/** Whole function, or the new version alone while the alias still splits traffic (a canary). */
export function targetFor(fn: DeployedFunction): MonitorTarget {
  const canaryVersion = canaryVersionOf(fn.state.routing);
  return canaryVersion === undefined
    ? { kind: "function", functionName: fn.functionName }
    : { kind: "canary", functionName: fn.functionName, version: canaryVersion };
}

/** Runs one function's window (or reads it from the past, when the deployment is older than the window). */
export async function runFunctionWindow(options: {
  aws: AwsClients;
  fn: DeployedFunction;
  service: Service;
  environment: Environment;
  onPoll?: (decision: MonitorDecision) => void;
}): Promise<FunctionWindow> {
  const { aws, fn } = options;
  const { windowMs, intervalMs } = windowTiming(options.environment);
  const target = targetFor(fn);
  const startedAt = fn.deployedAt.getTime();
  const baseline = baselineFrom(
    await readBaselineSeries(
      aws,
      fn.functionName,
      previousVersion(fn.state, fn.records).version,
      fn.deployedAt,
    ),
  );
  const { rules, skipped } = windowRules(options.service, options.environment, baseline.valueMs);
  const run = await runMonitor({
    poll: cloudWatchPoll({
      client: aws.cloudwatch,
      target,
      aliasName: fn.state.aliasName,
      startedAt,
      periodSeconds: PERIOD_SECONDS,
      durationStats: durationStatsOf(rules),
    }),
    rules,
    target,
    startedAt,
    windowMs,
    intervalMs,
    periodMs: PERIOD_SECONDS * 1000,
    ...(options.onPoll ? { onDecision: options.onPoll } : {}),
  });
  return {
    functionName: fn.functionName,
    target,
    startedAt,
    rules,
    skipped,
    baseline,
    decision: run.decision,
    polls: run.history.length,
  };
}

/** Identifies one deployment of the service's functions: the windows of the same key are the same windows. */
export function windowsKey(
  environment: Environment,
  service: Service,
  functions: readonly DeployedFunction[],
): string {
  return [
    environment.id,
    service.id,
    ...functions.map(
      (fn) => `${fn.functionName}:${fn.state.aliased.functionVersion}@${fn.deployedAt.toISOString()}`,
    ),
  ].join("|");
}

/** Runs the window of every function of the service, side by side. */
export function runServiceWindows(options: {
  aws: AwsClients;
  functions: readonly DeployedFunction[];
  service: Service;
  environment: Environment;
  onPoll?: (functionName: string, decision: MonitorDecision) => void;
}): Promise<FunctionWindow[]> {
  return Promise.all(
    options.functions.map((fn) =>
      runFunctionWindow({
        aws: options.aws,
        fn,
        service: options.service,
        environment: options.environment,
        ...(options.onPoll ? { onPoll: (d: MonitorDecision) => options.onPoll?.(fn.functionName, d) } : {}),
      }),
    ),
  );
}

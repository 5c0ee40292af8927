/**
 * The post-deploy monitoring window of a service: one polling monitor per function over the environment's
 * window (runbooks: SIT 30 s, PROD 5 min), run once and shared by the tests that each judge one runbook item.
 */

import { z } from "zod";
import { DEFAULT_SYNTHETIC_PER_MINUTE, type Environment, type Service } from "../../runbooks/index.ts";
import type { AwsClients } from "../aws/index.ts";
import { getMetricSeries, sumValues } from "../metrics/index.ts";
import {
  cloudWatchPoll,
  durationStatsOf,
  fileLedger,
  type MonitorDecision,
  type MonitorRule,
  type MonitorTarget,
  memoryLedger,
  monitorRulesFromItems,
  quietTraffic,
  runMonitor,
  type Snapshot,
  type SyntheticLedger,
  type SyntheticOutcome,
  type WindowTraffic,
  windowTraffic,
} from "../monitor/index.ts";
import type { DeployedFunction } from "./deployed.ts";
import { type HealthInvocation, invokeHealth } from "./health.ts";
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

/** Health invokes a minute the window sends while the function is quiet (HARNESS_<ENV>_MONITORING_SYNTHETIC_PER_MINUTE; 0 = off). */
export function syntheticRate(environment: Environment): number {
  return environment.monitoring.syntheticPerMinute ?? DEFAULT_SYNTHETIC_PER_MINUTE;
}

/** Header that marks the window's own requests in the function's event (and so in its logs). */
export const SYNTHETIC_HEADER = { name: "x-bbws-synthetic", value: "post-deploy-monitoring-window" } as const;

/** The service's health payload, tagged as synthetic. Only a GET is ever sent: the traffic is read-only in
 * every environment, PROD's read-only policy included. */
export function syntheticHealthPayload(service: Service): Service["healthPayload"] {
  const payload = service.healthPayload;
  if (payload.httpMethod !== "GET") {
    throw new Error(
      `The synthetic traffic of the monitoring window sends read-only requests only, but ${service.id}'s health payload is ${String(payload.httpMethod)}. Fix the service's healthPayload in runbooks/services.ts.`,
    );
  }
  return { ...payload, headers: { ...payload.headers, [SYNTHETIC_HEADER.name]: SYNTHETIC_HEADER.value } };
}

const ProxyStatusSchema = z.looseObject({ statusCode: z.number().int() });

/** How a synthetic health invoke ended: a function error or any answer but statusCode 200 is a failure; a
 * refusal is a throttle, not an invocation; on a canary, a call the primary version served is not the canary's. */
export function syntheticOutcomeOf(invocation: HealthInvocation, target: MonitorTarget): SyntheticOutcome {
  if (invocation.kind === "refused") return "refused";
  if (
    target.kind === "canary" &&
    invocation.executedVersion !== null &&
    invocation.executedVersion !== target.version
  )
    return "elsewhere";
  if (invocation.functionError) return "failed";
  let parsed: unknown;
  try {
    parsed = JSON.parse(invocation.response);
  } catch {
    return "failed";
  }
  const result = ProxyStatusSchema.safeParse(parsed);
  return result.success && result.data.statusCode === 200 ? "ok" : "failed";
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
  /** The window's own read-only traffic, and its share of the invocations the window judged. */
  readonly traffic: WindowTraffic;
  /** Who watched it when it was not this run (a rollback command that handed its window over). */
  readonly watchedBy?: string;
}

/** One-minute p95 Duration values of one dimension set (the previous version, or the whole function). */
export interface BaselineSeries {
  readonly label: string;
  readonly values: readonly number[];
}

/** p95 Duration of the version served before `before`, then of the whole function, over the hour before it. */
export async function readBaselineSeries(
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

/**
 * The smallest baseline a latency ratio is taken against: a version answering in a few milliseconds is measured in
 * scheduling and garbage-collection noise, and 3x of 4 ms (12 ms) is a busy machine, not a regression to page
 * anyone about. 25 ms was not enough: a healthy canary's p95 reached 101 ms on a loaded CI machine (a clean-clone
 * run). With 50 ms, a p95 under 150 ms never alerts; 9.2's P99 limit of 10 s is the absolute bound.
 */
export const MIN_LATENCY_BASELINE_MS = 50;

/** The latency baseline: the median minute of the first series with data (previous version before the function). */
export function baselineFrom(series: readonly BaselineSeries[]): { valueMs: number | null; source: string } {
  for (const s of series) {
    const values = [...s.values].sort((a, b) => a - b);
    if (values.length === 0) continue;
    // The median minute: one slow minute before the deployment should not raise the bar for the new version.
    const median = values[Math.floor(values.length / 2)] ?? 0;
    const source = `median of ${values.length} one-minute p95 values of ${s.label} in the hour before the deployment`;
    return median >= MIN_LATENCY_BASELINE_MS
      ? { valueMs: median, source }
      : {
          valueMs: MIN_LATENCY_BASELINE_MS,
          source: `${source} was ${median} ms, below the ${MIN_LATENCY_BASELINE_MS} ms floor a ratio is taken against`,
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

/** The deployed version's own invocations through the alias (its ExecutedVersion series), for the quiet rule: the
 * function-wide series of a period that straddles the deployment also holds the previous version's calls. */
function deployedVersionPoll(aws: AwsClients, fn: DeployedFunction, startedAt: number) {
  const target: MonitorTarget = {
    kind: "canary",
    functionName: fn.functionName,
    version: fn.state.aliased.functionVersion,
  };
  const poll = cloudWatchPoll({
    client: aws.cloudwatch,
    target,
    aliasName: fn.state.aliasName,
    startedAt,
    periodSeconds: PERIOD_SECONDS,
    durationStats: [],
  });
  return { target, poll };
}

/** What one watched function gave: the monitor's decision and the window's own traffic. */
export interface WatchedFunction {
  readonly decision: Exclude<MonitorDecision, { kind: "continue" }>;
  readonly polls: number;
  readonly traffic: WindowTraffic;
}

/**
 * Watches one function's metrics (the whole function, or a canary's version) over a window with the rules
 * given, sending read-only health invokes through `qualifier` while it is quiet. The post-deploy window and
 * the promotion's canary both run on it.
 */
export async function watchFunction(options: {
  aws: AwsClients;
  functionName: string;
  /** The alias the traffic goes through and whose metrics are read. */
  aliasName: string;
  target: MonitorTarget;
  startedAt: number;
  windowMs: number;
  intervalMs: number;
  rules: readonly MonitorRule[];
  ratePerMinute: number;
  service: Service;
  quietPoll?: { target: MonitorTarget; poll: () => Promise<Snapshot> };
  ledger?: SyntheticLedger;
  onPoll?: (decision: MonitorDecision) => void;
  signal?: AbortSignal;
}): Promise<WatchedFunction> {
  const { aws, target, startedAt, windowMs, rules } = options;
  const payload = syntheticHealthPayload(options.service);
  const traffic = quietTraffic({
    ratePerMinute: options.ratePerMinute,
    target,
    startedAt,
    windowMs,
    periodMs: PERIOD_SECONDS * 1000,
    // The same client and call as the direct health invoke check, so the traffic takes the checks' path.
    send: async () =>
      syntheticOutcomeOf(
        await invokeHealth({
          lambda: aws.lambda,
          functionName: options.functionName,
          qualifier: options.aliasName,
          payload,
        }),
        target,
      ),
    ledger: options.ledger ?? memoryLedger(),
    ...(options.quietPoll ? { quietPoll: options.quietPoll } : {}),
  });
  const run = await runMonitor({
    poll: traffic.poll(
      cloudWatchPoll({
        client: aws.cloudwatch,
        target,
        aliasName: options.aliasName,
        startedAt,
        periodSeconds: PERIOD_SECONDS,
        durationStats: durationStatsOf(rules),
      }),
    ),
    rules,
    target,
    startedAt,
    windowMs,
    intervalMs: options.intervalMs,
    periodMs: PERIOD_SECONDS * 1000,
    ...(options.onPoll ? { onDecision: options.onPoll } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  }).finally(() => traffic.stop());
  const report = await traffic.stop();
  return {
    decision: run.decision,
    polls: run.history.length,
    traffic: windowTraffic({
      ratePerMinute: options.ratePerMinute,
      ...report,
      observedInvocations: sumValues(run.decision.evidence.invocations),
    }),
  };
}

/** Runs one function's window (or reads it from the past, when the deployment is older than the window). */
export async function runFunctionWindow(options: {
  aws: AwsClients;
  fn: DeployedFunction;
  service: Service;
  environment: Environment;
  onPoll?: (decision: MonitorDecision) => void;
  /** Folder where windows of the same deployment in other workers count their synthetic traffic together
   * (the run folder); without one, this process counts alone. */
  ledgerDir?: string | null;
  /** Identifies the deployment for the ledger (`windowsKey`). */
  key?: string;
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
  const ledgerKey = `${options.key ?? ""}|${fn.functionName}`;
  const watched = await watchFunction({
    aws,
    functionName: fn.functionName,
    aliasName: fn.state.aliasName,
    target,
    startedAt,
    windowMs,
    intervalMs,
    rules,
    ratePerMinute: syntheticRate(options.environment),
    service: options.service,
    ledger: options.ledgerDir ? fileLedger(options.ledgerDir, ledgerKey) : memoryLedger(),
    ...(target.kind === "function" ? { quietPoll: deployedVersionPoll(aws, fn, startedAt) } : {}),
    ...(options.onPoll ? { onPoll: options.onPoll } : {}),
  });
  return {
    functionName: fn.functionName,
    target,
    startedAt,
    rules,
    skipped,
    baseline,
    decision: watched.decision,
    polls: watched.polls,
    traffic: watched.traffic,
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
  /** See `runFunctionWindow`: the run folder, where workers count their synthetic traffic together. */
  ledgerDir?: string | null;
}): Promise<FunctionWindow[]> {
  const key = windowsKey(options.environment, options.service, options.functions);
  return Promise.all(
    options.functions.map((fn) =>
      runFunctionWindow({
        aws: options.aws,
        fn,
        service: options.service,
        environment: options.environment,
        key,
        ...(options.ledgerDir ? { ledgerDir: options.ledgerDir } : {}),
        ...(options.onPoll ? { onPoll: (d: MonitorDecision) => options.onPoll?.(fn.functionName, d) } : {}),
      }),
    ),
  );
}

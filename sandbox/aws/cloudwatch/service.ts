/**
 * CloudWatch metrics and alarms per (account, region): the metric store (metrics.ts) with the metric
 * operations (metric-data.ts), and the alarms (alarms.ts) with their evaluation (alarm-evaluation.ts).
 * Lambda invocations record AWS/Lambda data here; wire.ts serves these operations over JSON 1.0 (with
 * awsQuery compatibility, `X-Amz-Target: GraniteServiceVersion20100801.<Op>`), Smithy RPC v2 CBOR and
 * the older Query form.
 *
 * Alarm evaluation: every `evaluationIntervalMs` (default 1 s, 0 = only on demand) and right after new
 * data arrives, each alarm looks at its last EvaluationPeriods periods and transitions when the result
 * differs from the current state, recording a StateUpdate history item. SetAlarmState therefore holds
 * only until the next evaluation, as on AWS ("often within seconds"); the in-process `setAlarmState`
 * takes `holdMs` to keep a forced state (fault injection).
 */
import { type CallContext, Regional } from "../regional.ts";
import { parseInput } from "../validation.ts";
import { alarmConfigOf, describeAlarmHistory, describeAlarms, RegionAlarms } from "./alarms.ts";
import { alarmNotFound, alarmsNotFound, invalidFormat, invalidValue } from "./errors.ts";
import { getMetricData, getMetricStatistics, listMetrics, normaliseMetricData } from "./metric-data.ts";
import { type MetricDatum, MetricStore } from "./metrics.ts";
import {
  DeleteAlarmsInputSchema,
  DescribeAlarmHistoryInputSchema,
  DescribeAlarmsInputSchema,
  GetMetricDataInputSchema,
  GetMetricStatisticsInputSchema,
  ListMetricsInputSchema,
  PutMetricAlarmInputSchema,
  type PutMetricDataInput,
  PutMetricDataInputSchema,
  SetAlarmStateInputSchema,
} from "./schemas.ts";

interface RegionCloudWatch {
  metrics: MetricStore;
  alarms: RegionAlarms;
}

/** AWS keeps 1-minute data for 15 days. */
const RETENTION_MS = 15 * 24 * 60 * 60 * 1000;

export interface CloudWatchBackendOptions {
  /** How often alarms are evaluated; 0 disables the timer (evaluation then only after new data). */
  evaluationIntervalMs?: number;
  now?: () => number;
  log?: (line: string) => void;
}

export class CloudWatchBackend {
  readonly #regions = new Regional<RegionCloudWatch>(() => ({
    metrics: new MetricStore(),
    alarms: new RegionAlarms((line) => this.#log(line)),
  }));
  readonly #now: () => number;
  readonly #log: (line: string) => void;
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #dirty = new Set<string>();
  #scheduled = false;
  #lastPrune = 0;
  #closed = false;

  constructor(options: CloudWatchBackendOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? (() => {});
    const interval = options.evaluationIntervalMs ?? 1000;
    if (interval > 0) {
      this.#timer = setInterval(() => this.evaluateAlarms(), interval);
      this.#timer.unref();
    }
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
  }

  // ---- metric data ----

  /**
   * Records metric data. `allowAwsNamespaces` is for the sandbox itself (Lambda's own metrics,
   * seeding history); on the wire, AWS refuses namespaces starting with "AWS/".
   */
  putMetricData(accountId: string, region: string, input: unknown, allowAwsNamespaces = true): void {
    const request = parseInput(PutMetricDataInputSchema, input, invalidValue);
    if (!allowAwsNamespaces && request.Namespace.startsWith("AWS/")) {
      throw invalidValue(`The value ${request.Namespace} for parameter Namespace is invalid.`);
    }
    this.#record(accountId, region, request);
  }

  /**
   * The in-process form for the sandbox's own seeding: the input is typed by the caller, so only the
   * semantic rules are checked (one of Value/Values/StatisticValues, timestamps within two weeks,
   * finite numbers), which keeps seeding 24 h of history for every function fast. No 1000-item limit.
   */
  putMetricDataTyped(accountId: string, region: string, input: PutMetricDataInput): void {
    if (input.Namespace.length === 0 || input.Namespace.length > 255) {
      throw invalidValue("The parameter Namespace must be 1 to 255 characters long.");
    }
    this.#record(accountId, region, input);
  }

  #record(accountId: string, region: string, request: PutMetricDataInput): void {
    this.recordInternal(accountId, region, request.Namespace, normaliseMetricData(request, this.#now()));
  }

  /** Records already-validated data without parsing (Lambda's per-invocation metrics). */
  recordInternal(accountId: string, region: string, namespace: string, data: readonly MetricDatum[]): void {
    const state = this.#regions.get(accountId, region);
    for (const datum of data) state.metrics.put(namespace, datum);
    this.#markDirty(accountId, region);
  }

  /**
   * Removes the data of every series in `namespace` with `dimension` among its dimensions, from
   * `sinceMs` on (all without it), and re-evaluates the region's alarms. In-process only: CloudWatch
   * has no such API (data ages out); the sandbox uses it to give a function no history.
   */
  deleteMetricData(
    accountId: string,
    region: string,
    namespace: string,
    dimension: { Name: string; Value: string },
    sinceMs?: number,
  ): number {
    const state = this.#regions.peek(accountId, region);
    if (!state) return 0;
    const removed = state.metrics.remove(
      namespace,
      (series) => series.dimensions.some((d) => d.Name === dimension.Name && d.Value === dimension.Value),
      sinceMs,
    );
    this.#markDirty(accountId, region);
    return removed;
  }

  #markDirty(accountId: string, region: string): void {
    this.#dirty.add(`${accountId}/${region}`);
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      const keys = [...this.#dirty];
      this.#dirty.clear();
      for (const key of keys) {
        const [accountId, region] = key.split("/");
        if (accountId !== undefined && region !== undefined) this.#evaluateRegion(accountId, region);
      }
    }).unref();
  }

  getMetricStatistics(input: unknown, ctx: CallContext) {
    const request = parseInput(GetMetricStatisticsInputSchema, input, invalidValue);
    return getMetricStatistics(this.#regions.peek(ctx.accountId, ctx.region)?.metrics, request);
  }

  getMetricData(input: unknown, ctx: CallContext) {
    const request = parseInput(GetMetricDataInputSchema, input, invalidValue);
    return getMetricData(this.#regions.peek(ctx.accountId, ctx.region)?.metrics, request, ctx.accountId);
  }

  listMetrics(input: unknown, ctx: CallContext) {
    const request = parseInput(ListMetricsInputSchema, input, invalidValue);
    return listMetrics(this.#regions.peek(ctx.accountId, ctx.region)?.metrics, request, this.#now());
  }

  // ---- alarms ----

  /** Creates or replaces a metric alarm, then evaluates it at once. */
  putMetricAlarm(accountId: string, region: string, input: unknown): void {
    const config = alarmConfigOf(parseInput(PutMetricAlarmInputSchema, input, invalidValue));
    const state = this.#regions.get(accountId, region);
    const arn = `arn:aws:cloudwatch:${region}:${accountId}:alarm:${config.AlarmName}`;
    state.alarms.put(config, arn, new Date(this.#now()));
    state.alarms.evaluate(config.AlarmName, state.metrics, this.#now());
  }

  /** Forces an alarm's state. `holdMs` (in-process only) keeps it there against evaluation for that long. */
  setAlarmState(accountId: string, region: string, input: unknown, holdMs = 0): void {
    const request = parseInput(SetAlarmStateInputSchema, input, invalidValue);
    if (request.StateReasonData !== undefined) {
      try {
        JSON.parse(request.StateReasonData);
      } catch {
        throw invalidFormat("StateReasonData is not valid JSON.");
      }
    }
    const alarms = this.#regions.peek(accountId, region)?.alarms;
    const now = this.#now();
    if (!alarms?.setState(request, holdMs > 0 ? now + holdMs : 0, now))
      throw alarmNotFound(request.AlarmName);
  }

  deleteAlarms(input: unknown, ctx: CallContext): Record<string, never> {
    const request = parseInput(DeleteAlarmsInputSchema, input, invalidValue);
    const alarms = this.#regions.peek(ctx.accountId, ctx.region)?.alarms;
    const missing = request.AlarmNames.filter((name) => !alarms?.has(name));
    if (missing.length > 0) throw alarmsNotFound(missing);
    for (const name of request.AlarmNames) alarms?.delete(name);
    return {};
  }

  describeAlarms(input: unknown, ctx: CallContext) {
    const request = parseInput(DescribeAlarmsInputSchema, input, invalidValue);
    const alarms = this.#regions.peek(ctx.accountId, ctx.region)?.alarms;
    return alarms ? alarms.describe(request) : describeAlarms([], request);
  }

  describeAlarmHistory(input: unknown, ctx: CallContext) {
    const request = parseInput(DescribeAlarmHistoryInputSchema, input, invalidValue);
    const alarms = this.#regions.peek(ctx.accountId, ctx.region)?.alarms;
    return alarms ? alarms.describeHistory(request) : describeAlarmHistory([], request);
  }

  // ---- evaluation ----

  /** Evaluates every alarm now (the timer calls this; tests and orchestration may too). */
  evaluateAlarms(): void {
    if (this.#closed) return;
    const now = this.#now();
    if (now - this.#lastPrune > 10 * 60 * 1000) {
      this.#lastPrune = now;
      for (const [, state] of this.#regions.entries()) state.metrics.prune(now - RETENTION_MS);
    }
    for (const [key] of this.#regions.entries()) {
      const [accountId, region] = key.split("/");
      if (accountId !== undefined && region !== undefined) this.#evaluateRegion(accountId, region);
    }
  }

  #evaluateRegion(accountId: string, region: string): void {
    const state = this.#regions.peek(accountId, region);
    if (state) state.alarms.evaluateAll(state.metrics, this.#now());
  }
}

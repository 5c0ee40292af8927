/**
 * CloudWatch metrics and alarms (AWS JSON 1.0 with awsQuery compatibility, `X-Amz-Target:
 * GraniteServiceVersion20100801.<Op>`; also Smithy RPC v2 CBOR and the older Query form). Lambda
 * invocations record AWS/Lambda data here; alarms are evaluated against the recorded data.
 *
 * Alarm evaluation: every `evaluationIntervalMs` (default 1 s, 0 = only on demand) and right after new
 * data arrives, each alarm looks at its last EvaluationPeriods periods, sliding windows ending now (so
 * data recorded a moment ago counts at once), applies DatapointsToAlarm and TreatMissingData, and
 * transitions when the result differs from the current state, recording a StateUpdate history item.
 * SetAlarmState therefore holds only until the next evaluation, as on AWS ("often within seconds");
 * the in-process `setAlarmState` takes `holdMs` to keep a forced state (fault injection).
 */
import { z } from "zod";
import { AwsServiceError } from "../errors.ts";
import { WireMap } from "../protocols.ts";
import { type CallContext, decodeToken, encodeToken, type Operation, Regional } from "../regional.ts";
import { parseInput, TimestampSchema } from "../validation.ts";
import { evaluateExpression, type TimeSeries } from "./expressions.ts";
import {
  type Aggregate,
  collectPeriods,
  type Dimension,
  isPercentile,
  isSupportedStatistic,
  type MetricDatum,
  MetricStore,
  matchesDimensionFilters,
  type Series,
  simpleStatistics,
  statisticValue,
} from "./metrics.ts";

// ---- errors (JSON type = Smithy shape name, awsQuery code as CloudWatch's Query API names it) ----

const invalidValue = (message: string) =>
  new AwsServiceError("InvalidParameterValueException", message, { queryCode: "InvalidParameterValue" });
const invalidCombination = (message: string) =>
  new AwsServiceError("InvalidParameterCombinationException", message, {
    queryCode: "InvalidParameterCombination",
  });
const missingParameter = (message: string) =>
  new AwsServiceError("MissingRequiredParameterException", message, { queryCode: "MissingParameter" });
const alarmNotFound = (name: string) =>
  new AwsServiceError("ResourceNotFound", `Alarm ${name} not found`, {
    status: 404,
    queryCode: "ResourceNotFound",
  });
const invalidToken = () =>
  new AwsServiceError(
    "InvalidNextToken",
    "The service couldn't process the NextToken. Start again without it.",
    {
      queryCode: "InvalidNextToken",
    },
  );

// ---- schemas: numbers and booleans also arrive as strings through the Query protocol ----

const Num = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/, "Member must be a number")
    .transform(Number),
]);
const Int = Num.pipe(z.number().int("Member must be an integer"));
const Bool = z.union([z.boolean(), z.enum(["true", "false"]).transform((value) => value === "true")]);

export const metricUnits = [
  "Seconds",
  "Microseconds",
  "Milliseconds",
  "Bytes",
  "Kilobytes",
  "Megabytes",
  "Gigabytes",
  "Terabytes",
  "Bits",
  "Kilobits",
  "Megabits",
  "Gigabits",
  "Terabits",
  "Percent",
  "Count",
  "Bytes/Second",
  "Kilobytes/Second",
  "Megabytes/Second",
  "Gigabytes/Second",
  "Terabytes/Second",
  "Bits/Second",
  "Kilobits/Second",
  "Megabits/Second",
  "Gigabits/Second",
  "Terabits/Second",
  "Count/Second",
  "None",
] as const;
const UnitSchema = z.enum(metricUnits);

const DimensionSchema = z.object({ Name: z.string().min(1).max(255), Value: z.string().min(1).max(1024) });
const DimensionsSchema = z.array(DimensionSchema).max(30);
const NamespaceSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^:].*$/, "Member must satisfy regular expression pattern: [^:].*");

const MetricDatumSchema = z.object({
  MetricName: z.string().min(1).max(255),
  Dimensions: DimensionsSchema.optional(),
  Timestamp: TimestampSchema.optional(),
  Value: Num.optional(),
  StatisticValues: z.object({ SampleCount: Num, Sum: Num, Minimum: Num, Maximum: Num }).optional(),
  Values: z.array(Num).max(150).optional(),
  Counts: z.array(Num).max(150).optional(),
  Unit: UnitSchema.optional(),
  StorageResolution: Int.optional(),
});

export const PutMetricDataInputSchema = z.object({
  Namespace: NamespaceSchema,
  MetricData: z.array(MetricDatumSchema).min(1).max(1000),
});

export type MetricUnit = (typeof metricUnits)[number];

/** One PutMetricData member, in the SDK's shape (Dates for timestamps). */
export interface MetricDatumInput {
  MetricName: string;
  Dimensions?: Dimension[] | undefined;
  Timestamp?: Date | undefined;
  Value?: number | undefined;
  StatisticValues?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number } | undefined;
  Values?: number[] | undefined;
  Counts?: number[] | undefined;
  Unit?: MetricUnit | undefined;
  StorageResolution?: number | undefined;
}

export interface PutMetricDataInput {
  Namespace: string;
  MetricData: MetricDatumInput[];
}

const comparisonOperators = [
  "GreaterThanOrEqualToThreshold",
  "GreaterThanThreshold",
  "LessThanThreshold",
  "LessThanOrEqualToThreshold",
] as const;
const ComparisonOperatorSchema = z.enum([
  ...comparisonOperators,
  "LessThanLowerOrGreaterThanUpperThreshold",
  "LessThanLowerThreshold",
  "GreaterThanUpperThreshold",
]);
type StaticComparison = (typeof comparisonOperators)[number];
function isStaticComparison(value: string): value is StaticComparison {
  return comparisonOperators.some((operator) => operator === value);
}
const TreatMissingDataSchema = z.enum(["breaching", "notBreaching", "ignore", "missing"]);

export const PutMetricAlarmInputSchema = z.object({
  AlarmName: z.string().min(1).max(255),
  AlarmDescription: z.string().max(1024).optional(),
  ActionsEnabled: Bool.optional(),
  OKActions: z.array(z.string()).max(5).optional(),
  AlarmActions: z.array(z.string()).max(5).optional(),
  InsufficientDataActions: z.array(z.string()).max(5).optional(),
  MetricName: z.string().min(1).max(255).optional(),
  Namespace: NamespaceSchema.optional(),
  Statistic: z.enum(simpleStatistics).optional(),
  ExtendedStatistic: z.string().optional(),
  Dimensions: DimensionsSchema.optional(),
  Period: Int.optional(),
  Unit: UnitSchema.optional(),
  EvaluationPeriods: Int.pipe(z.number().min(1)),
  DatapointsToAlarm: Int.pipe(z.number().min(1)).optional(),
  Threshold: Num.optional(),
  ComparisonOperator: ComparisonOperatorSchema,
  TreatMissingData: TreatMissingDataSchema.optional(),
  EvaluateLowSampleCountPercentile: z.string().optional(),
  Metrics: z.array(z.unknown()).optional(),
  ThresholdMetricId: z.string().optional(),
  Tags: z.array(z.object({ Key: z.string(), Value: z.string() })).optional(),
});
export type PutMetricAlarmInput = z.input<typeof PutMetricAlarmInputSchema>;

export const alarmStates = ["OK", "ALARM", "INSUFFICIENT_DATA"] as const;
export type AlarmState = (typeof alarmStates)[number];
const StateValueSchema = z.enum(alarmStates);

export const SetAlarmStateInputSchema = z.object({
  AlarmName: z.string().min(1).max(255),
  StateValue: StateValueSchema,
  StateReason: z.string().max(1023),
  StateReasonData: z.string().max(4000).optional(),
});
export type SetAlarmStateInput = z.input<typeof SetAlarmStateInputSchema>;

// ---- state ----

interface AlarmConfig {
  AlarmName: string;
  AlarmDescription: string | undefined;
  ActionsEnabled: boolean;
  OKActions: string[];
  AlarmActions: string[];
  InsufficientDataActions: string[];
  MetricName: string;
  Namespace: string;
  Statistic: string | undefined;
  ExtendedStatistic: string | undefined;
  Dimensions: Dimension[];
  Period: number;
  Unit: string | undefined;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  Threshold: number;
  ComparisonOperator: StaticComparison;
  TreatMissingData: z.infer<typeof TreatMissingDataSchema>;
}

interface AlarmRecord {
  config: AlarmConfig;
  arn: string;
  state: AlarmState;
  stateReason: string;
  stateReasonData: string | undefined;
  stateUpdated: Date;
  stateTransitioned: Date;
  configUpdated: Date;
  /** Evaluation leaves the state alone until then (in-process setAlarmState with holdMs). */
  holdUntil: number;
}

interface HistoryItem {
  AlarmName: string;
  AlarmType: "MetricAlarm";
  Timestamp: Date;
  HistoryItemType: "ConfigurationUpdate" | "StateUpdate" | "Action";
  HistorySummary: string;
  HistoryData: string;
}

interface RegionCloudWatch {
  metrics: MetricStore;
  alarms: Map<string, AlarmRecord>;
  history: HistoryItem[];
}

const MAX_HISTORY = 10_000;
const TWO_WEEKS_MS = 14 * 24 * 60 * 60 * 1000;
const RETENTION_MS = 15 * 24 * 60 * 60 * 1000;

function isValidPeriod(period: number, allowHighResolution: boolean): boolean {
  if (period <= 0) return false;
  if (period % 60 === 0) return true;
  return allowHighResolution && [1, 5, 10, 20, 30].includes(period);
}

/** Where period buckets start: the start time rounded down to the minute (to the period below 60 s). */
function originFor(startMs: number, periodSeconds: number): number {
  const step = periodSeconds < 60 ? periodSeconds * 1000 : 60_000;
  return Math.floor(startMs / step) * step;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

function reasonTimestamp(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

function awsTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+0000");
}

const comparisonText: Record<StaticComparison, string> = {
  GreaterThanOrEqualToThreshold: "greater than or equal to",
  GreaterThanThreshold: "greater than",
  LessThanThreshold: "less than",
  LessThanOrEqualToThreshold: "less than or equal to",
};

function breaches(op: StaticComparison, value: number, threshold: number): boolean {
  switch (op) {
    case "GreaterThanOrEqualToThreshold":
      return value >= threshold;
    case "GreaterThanThreshold":
      return value > threshold;
    case "LessThanThreshold":
      return value < threshold;
    case "LessThanOrEqualToThreshold":
      return value <= threshold;
  }
}

export interface CloudWatchBackendOptions {
  /** How often alarms are evaluated; 0 disables the timer (evaluation then only after new data). */
  evaluationIntervalMs?: number;
  now?: () => number;
  log?: (line: string) => void;
}

export class CloudWatchBackend {
  readonly #regions = new Regional<RegionCloudWatch>(() => ({
    metrics: new MetricStore(),
    alarms: new Map(),
    history: [],
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
    const now = this.#now();
    const data: MetricDatum[] = request.MetricData.map((datum, index) => {
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
    const state = this.#regions.get(accountId, region);
    for (const datum of data) state.metrics.put(request.Namespace, datum);
    this.#markDirty(accountId, region);
  }

  /** Records already-validated data without parsing (Lambda's per-invocation metrics). */
  recordInternal(accountId: string, region: string, namespace: string, data: readonly MetricDatum[]): void {
    const state = this.#regions.get(accountId, region);
    for (const datum of data) state.metrics.put(namespace, datum);
    this.#markDirty(accountId, region);
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
    const request = parseInput(
      z.object({
        Namespace: NamespaceSchema,
        MetricName: z.string().min(1).max(255),
        Dimensions: DimensionsSchema.optional(),
        StartTime: TimestampSchema,
        EndTime: TimestampSchema,
        Period: Int,
        Statistics: z.array(z.enum(simpleStatistics)).min(1).max(5).optional(),
        ExtendedStatistics: z.array(z.string()).min(1).max(10).optional(),
        Unit: UnitSchema.optional(),
      }),
      input,
      invalidValue,
    );
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
    const { startMs, endMs, periodMs, origin } = this.#window(
      request.StartTime,
      request.EndTime,
      request.Period,
    );
    const requested = Math.ceil((endMs - origin) / periodMs);
    if (requested > 1440) {
      throw invalidCombination(
        `You have requested up to ${requested} datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
      );
    }
    void startMs;
    const series = this.#regions
      .peek(ctx.accountId, ctx.region)
      ?.metrics.get(request.Namespace, request.MetricName, request.Dimensions ?? []);
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

  #window(start: Date, end: Date, period: number) {
    const startMs = start.getTime();
    const endMs = end.getTime();
    if (startMs >= endMs)
      throw invalidValue("The parameter StartTime must be less than the parameter EndTime.");
    if (!isValidPeriod(period, true)) {
      throw invalidValue(
        `The parameter Period must be 1, 5, 10, 20, 30, or a multiple of 60 (got ${period}); use 60 or more for standard-resolution metrics.`,
      );
    }
    return { startMs, endMs, periodMs: period * 1000, origin: originFor(startMs, period) };
  }

  getMetricData(input: unknown, ctx: CallContext) {
    const QuerySchema = z.object({
      Id: z
        .string()
        .min(1)
        .max(255)
        .regex(
          /^[a-z][a-zA-Z0-9_]*$/,
          "Member must start with a lowercase letter and contain only letters, digits and _",
        ),
      MetricStat: z
        .object({
          Metric: z.object({
            Namespace: NamespaceSchema.optional(),
            MetricName: z.string().min(1).max(255).optional(),
            Dimensions: DimensionsSchema.optional(),
          }),
          Period: Int,
          Stat: z.string(),
          Unit: UnitSchema.optional(),
        })
        .optional(),
      Expression: z.string().min(1).max(2048).optional(),
      Label: z.string().optional(),
      ReturnData: Bool.optional(),
      Period: Int.optional(),
      AccountId: z.string().optional(),
    });
    const request = parseInput(
      z.object({
        MetricDataQueries: z.array(QuerySchema).min(1).max(500),
        StartTime: TimestampSchema,
        EndTime: TimestampSchema,
        NextToken: z.string().optional(),
        ScanBy: z.enum(["TimestampDescending", "TimestampAscending"]).optional(),
        MaxDatapoints: Int.optional(),
        LabelOptions: z.object({ Timezone: z.string().optional() }).optional(),
      }),
      input,
      invalidValue,
    );
    const seen = new Set<string>();
    for (const query of request.MetricDataQueries) {
      if (seen.has(query.Id))
        throw invalidValue(`The value ${query.Id} for parameter MetricDataQueries.Id is duplicated.`);
      seen.add(query.Id);
      if ((query.MetricStat === undefined) === (query.Expression === undefined)) {
        throw new AwsServiceError(
          "ValidationError",
          `The query ${query.Id} must specify exactly one of MetricStat and Expression.`,
          { queryCode: "ValidationError" },
        );
      }
      if (query.AccountId !== undefined && query.AccountId !== ctx.accountId) {
        throw new AwsServiceError(
          "ValidationError",
          `The query ${query.Id} names account ${query.AccountId}; cross-account queries need a monitoring account link, which this sandbox does not have.`,
          { queryCode: "ValidationError" },
        );
      }
    }
    const metrics = this.#regions.peek(ctx.accountId, ctx.region)?.metrics;
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
      const { periodMs, origin } = this.#window(request.StartTime, request.EndTime, stat.Period);
      gridPeriod = stat.Period;
      const series = metrics?.get(
        stat.Metric.Namespace,
        stat.Metric.MetricName,
        stat.Metric.Dimensions ?? [],
      );
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

  listMetrics(input: unknown, ctx: CallContext) {
    const request = parseInput(
      z.object({
        Namespace: NamespaceSchema.optional(),
        MetricName: z.string().min(1).max(255).optional(),
        Dimensions: z
          .array(
            z.object({ Name: z.string().min(1).max(255), Value: z.string().min(1).max(1024).optional() }),
          )
          .max(10)
          .optional(),
        NextToken: z.string().optional(),
        RecentlyActive: z.literal("PT3H").optional(),
        IncludeLinkedAccounts: Bool.optional(),
        OwningAccount: z.string().optional(),
      }),
      input,
      invalidValue,
    );
    const since = request.RecentlyActive ? this.#now() - 3 * 60 * 60 * 1000 : Number.NEGATIVE_INFINITY;
    const all: Series[] = [...(this.#regions.peek(ctx.accountId, ctx.region)?.metrics.all() ?? [])].filter(
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

  // ---- alarms ----

  /** Creates or replaces a metric alarm, then evaluates it at once. */
  putMetricAlarm(accountId: string, region: string, input: unknown): void {
    const request = parseInput(PutMetricAlarmInputSchema, input, invalidValue);
    if (request.Metrics !== undefined || request.ThresholdMetricId !== undefined) {
      throw invalidCombination(
        "Metric math and anomaly detection alarms (Metrics, ThresholdMetricId) are not supported by the sandbox; define a single-metric alarm with MetricName and Namespace.",
      );
    }
    if (!request.MetricName || !request.Namespace) {
      throw missingParameter(
        "The parameters MetricName and Namespace are required for a single-metric alarm.",
      );
    }
    if ((request.Statistic === undefined) === (request.ExtendedStatistic === undefined)) {
      throw invalidCombination(
        "Exactly one element of the Statistic and ExtendedStatistic parameters must be specified.",
      );
    }
    if (request.ExtendedStatistic !== undefined && !isPercentile(request.ExtendedStatistic)) {
      throw invalidValue(
        `The value ${request.ExtendedStatistic} for parameter ExtendedStatistic is not supported.`,
      );
    }
    if (request.Period === undefined) throw missingParameter("The parameter Period is required.");
    if (!isValidPeriod(request.Period, true) || request.Period === 1 || request.Period === 5) {
      throw invalidValue("The parameter Period must be 10, 20, 30 or a multiple of 60.");
    }
    if (request.Period * request.EvaluationPeriods > 7 * 24 * 60 * 60) {
      throw invalidValue(
        "The product of Period and EvaluationPeriods must not exceed 7 days (604800 seconds).",
      );
    }
    const datapointsToAlarm = request.DatapointsToAlarm ?? request.EvaluationPeriods;
    if (datapointsToAlarm > request.EvaluationPeriods) {
      throw invalidValue("DatapointsToAlarm must be less than or equal to EvaluationPeriods.");
    }
    if (request.Threshold === undefined) throw missingParameter("The parameter Threshold is required.");
    const operator = request.ComparisonOperator;
    if (!isStaticComparison(operator)) {
      throw invalidCombination(
        `The comparison operator ${operator} needs an anomaly detection band (ThresholdMetricId), which the sandbox does not support.`,
      );
    }
    const config: AlarmConfig = {
      AlarmName: request.AlarmName,
      AlarmDescription: request.AlarmDescription,
      ActionsEnabled: request.ActionsEnabled ?? true,
      OKActions: request.OKActions ?? [],
      AlarmActions: request.AlarmActions ?? [],
      InsufficientDataActions: request.InsufficientDataActions ?? [],
      MetricName: request.MetricName,
      Namespace: request.Namespace,
      Statistic: request.Statistic,
      ExtendedStatistic: request.ExtendedStatistic,
      Dimensions: request.Dimensions ?? [],
      Period: request.Period,
      Unit: request.Unit,
      EvaluationPeriods: request.EvaluationPeriods,
      DatapointsToAlarm: datapointsToAlarm,
      Threshold: request.Threshold,
      ComparisonOperator: operator,
      TreatMissingData: request.TreatMissingData ?? "missing",
    };
    const state = this.#regions.get(accountId, region);
    const now = new Date(this.#now());
    const existing = state.alarms.get(config.AlarmName);
    if (existing) {
      existing.config = config;
      existing.configUpdated = now;
      this.#addHistory(state, {
        AlarmName: config.AlarmName,
        AlarmType: "MetricAlarm",
        Timestamp: now,
        HistoryItemType: "ConfigurationUpdate",
        HistorySummary: `Alarm "${config.AlarmName}" updated`,
        HistoryData: JSON.stringify({
          version: "1.0",
          type: "Update",
          updatedAlarm: this.#configJson(config),
        }),
      });
    } else {
      state.alarms.set(config.AlarmName, {
        config,
        arn: `arn:aws:cloudwatch:${region}:${accountId}:alarm:${config.AlarmName}`,
        state: "INSUFFICIENT_DATA",
        stateReason: "Unchecked: Initial alarm creation",
        stateReasonData: undefined,
        stateUpdated: now,
        stateTransitioned: now,
        configUpdated: now,
        holdUntil: 0,
      });
      this.#addHistory(state, {
        AlarmName: config.AlarmName,
        AlarmType: "MetricAlarm",
        Timestamp: now,
        HistoryItemType: "ConfigurationUpdate",
        HistorySummary: `Alarm "${config.AlarmName}" created`,
        HistoryData: JSON.stringify({
          version: "1.0",
          type: "Create",
          createdAlarm: this.#configJson(config),
        }),
      });
    }
    const alarm = state.alarms.get(config.AlarmName);
    if (alarm) this.#evaluate(state, alarm);
  }

  #configJson(config: AlarmConfig): Record<string, unknown> {
    return {
      metricName: config.MetricName,
      namespace: config.Namespace,
      statistic: config.Statistic,
      extendedStatistic: config.ExtendedStatistic,
      dimensions: config.Dimensions.map((dimension) => ({ name: dimension.Name, value: dimension.Value })),
      period: config.Period,
      evaluationPeriods: config.EvaluationPeriods,
      datapointsToAlarm: config.DatapointsToAlarm,
      threshold: config.Threshold,
      comparisonOperator: config.ComparisonOperator,
      treatMissingData: config.TreatMissingData,
    };
  }

  #addHistory(state: RegionCloudWatch, item: HistoryItem): void {
    state.history.push(item);
    if (state.history.length > MAX_HISTORY) state.history.splice(0, state.history.length - MAX_HISTORY);
  }

  #transition(
    state: RegionCloudWatch,
    alarm: AlarmRecord,
    next: AlarmState,
    reason: string,
    reasonData: string | undefined,
  ): void {
    const now = new Date(this.#now());
    const old = { stateValue: alarm.state, stateReason: alarm.stateReason };
    alarm.state = next;
    alarm.stateReason = reason;
    alarm.stateReasonData = reasonData;
    alarm.stateUpdated = now;
    alarm.stateTransitioned = now;
    const newState: Record<string, unknown> = { stateValue: next, stateReason: reason };
    if (reasonData !== undefined) {
      try {
        newState.stateReasonData = JSON.parse(reasonData);
      } catch {
        newState.stateReasonData = reasonData;
      }
    }
    this.#addHistory(state, {
      AlarmName: alarm.config.AlarmName,
      AlarmType: "MetricAlarm",
      Timestamp: now,
      HistoryItemType: "StateUpdate",
      HistorySummary: `Alarm updated from ${old.stateValue} to ${next}`,
      HistoryData: JSON.stringify({ version: "1.0", oldState: old, newState }),
    });
    this.#log(`cloudwatch: alarm ${alarm.config.AlarmName} ${old.stateValue} -> ${next}`);
  }

  /** Forces an alarm's state. `holdMs` (in-process only) keeps it there against evaluation for that long. */
  setAlarmState(accountId: string, region: string, input: unknown, holdMs = 0): void {
    const request = parseInput(SetAlarmStateInputSchema, input, invalidValue);
    if (request.StateReasonData !== undefined) {
      try {
        JSON.parse(request.StateReasonData);
      } catch {
        throw new AwsServiceError("InvalidFormatFault", "StateReasonData is not valid JSON.", {
          queryCode: "InvalidFormat",
        });
      }
    }
    const state = this.#regions.peek(accountId, region);
    const alarm = state?.alarms.get(request.AlarmName);
    if (!state || !alarm) throw alarmNotFound(request.AlarmName);
    alarm.holdUntil = holdMs > 0 ? this.#now() + holdMs : 0;
    if (alarm.state !== request.StateValue) {
      this.#transition(state, alarm, request.StateValue, request.StateReason, request.StateReasonData);
    } else {
      alarm.stateReason = request.StateReason;
      alarm.stateReasonData = request.StateReasonData;
      alarm.stateUpdated = new Date(this.#now());
    }
  }

  deleteAlarms(input: unknown, ctx: CallContext): Record<string, never> {
    const request = parseInput(
      z.object({ AlarmNames: z.array(z.string().min(1)).min(1).max(100) }),
      input,
      invalidValue,
    );
    const state = this.#regions.peek(ctx.accountId, ctx.region);
    const missing = request.AlarmNames.filter((name) => !state?.alarms.has(name));
    if (missing.length > 0) {
      throw new AwsServiceError(
        "ResourceNotFound",
        `The following alarms were not found: ${missing.join(", ")}`,
        {
          status: 404,
          queryCode: "ResourceNotFound",
        },
      );
    }
    for (const name of request.AlarmNames) state?.alarms.delete(name);
    return {};
  }

  describeAlarms(input: unknown, ctx: CallContext) {
    const request = parseInput(
      z.object({
        AlarmNames: z.array(z.string().min(1).max(255)).max(100).optional(),
        AlarmNamePrefix: z.string().min(1).max(255).optional(),
        AlarmTypes: z.array(z.enum(["CompositeAlarm", "MetricAlarm"])).optional(),
        ChildrenOfAlarmName: z.string().optional(),
        ParentsOfAlarmName: z.string().optional(),
        StateValue: StateValueSchema.optional(),
        ActionPrefix: z.string().min(1).max(1024).optional(),
        MaxRecords: Int.pipe(z.number().min(1).max(100)).optional(),
        NextToken: z.string().optional(),
      }),
      input,
      invalidValue,
    );
    if (request.AlarmNames !== undefined && request.AlarmNamePrefix !== undefined) {
      throw invalidCombination("AlarmNamePrefix and AlarmNames cannot be specified together.");
    }
    const names = request.AlarmNames ? new Set(request.AlarmNames) : undefined;
    const wantsMetricAlarms = request.AlarmTypes === undefined || request.AlarmTypes.includes("MetricAlarm");
    const alarms = wantsMetricAlarms
      ? [...(this.#regions.peek(ctx.accountId, ctx.region)?.alarms.values() ?? [])]
          .filter((alarm) => names === undefined || names.has(alarm.config.AlarmName))
          .filter(
            (alarm) =>
              request.AlarmNamePrefix === undefined ||
              alarm.config.AlarmName.startsWith(request.AlarmNamePrefix),
          )
          .filter((alarm) => request.StateValue === undefined || alarm.state === request.StateValue)
          .filter(
            (alarm) =>
              request.ActionPrefix === undefined ||
              [
                ...alarm.config.AlarmActions,
                ...alarm.config.OKActions,
                ...alarm.config.InsufficientDataActions,
              ].some((action) => action.startsWith(request.ActionPrefix ?? "")),
          )
          .sort((a, b) => (a.config.AlarmName < b.config.AlarmName ? -1 : 1))
      : [];
    const offset = request.NextToken === undefined ? 0 : decodeToken(request.NextToken);
    if (offset === undefined) throw invalidToken();
    const limit = request.MaxRecords ?? 50;
    const page = alarms.slice(offset, offset + limit);
    return {
      MetricAlarms: page.map((alarm) => this.#renderAlarm(alarm)),
      CompositeAlarms: [],
      NextToken: offset + limit < alarms.length ? encodeToken(offset + limit) : undefined,
    };
  }

  #renderAlarm(alarm: AlarmRecord) {
    const c = alarm.config;
    return {
      AlarmName: c.AlarmName,
      AlarmArn: alarm.arn,
      AlarmDescription: c.AlarmDescription,
      AlarmConfigurationUpdatedTimestamp: alarm.configUpdated,
      ActionsEnabled: c.ActionsEnabled,
      OKActions: c.OKActions,
      AlarmActions: c.AlarmActions,
      InsufficientDataActions: c.InsufficientDataActions,
      StateValue: alarm.state,
      StateReason: alarm.stateReason,
      StateReasonData: alarm.stateReasonData,
      StateUpdatedTimestamp: alarm.stateUpdated,
      MetricName: c.MetricName,
      Namespace: c.Namespace,
      Statistic: c.Statistic,
      ExtendedStatistic: c.ExtendedStatistic,
      Dimensions: c.Dimensions,
      Period: c.Period,
      Unit: c.Unit,
      EvaluationPeriods: c.EvaluationPeriods,
      DatapointsToAlarm: c.DatapointsToAlarm,
      Threshold: c.Threshold,
      ComparisonOperator: c.ComparisonOperator,
      TreatMissingData: c.TreatMissingData,
      StateTransitionedTimestamp: alarm.stateTransitioned,
    };
  }

  describeAlarmHistory(input: unknown, ctx: CallContext) {
    const request = parseInput(
      z.object({
        AlarmName: z.string().min(1).max(255).optional(),
        AlarmContributorId: z.string().optional(),
        AlarmTypes: z.array(z.enum(["CompositeAlarm", "MetricAlarm"])).optional(),
        HistoryItemType: z
          .enum([
            "ConfigurationUpdate",
            "StateUpdate",
            "Action",
            "AlarmContributorStateUpdate",
            "AlarmContributorAction",
          ])
          .optional(),
        StartDate: TimestampSchema.optional(),
        EndDate: TimestampSchema.optional(),
        MaxRecords: Int.pipe(z.number().min(1).max(100)).optional(),
        NextToken: z.string().optional(),
        ScanBy: z.enum(["TimestampDescending", "TimestampAscending"]).optional(),
      }),
      input,
      invalidValue,
    );
    const start = request.StartDate?.getTime() ?? Number.NEGATIVE_INFINITY;
    const end = request.EndDate?.getTime() ?? Number.POSITIVE_INFINITY;
    const wantsMetricAlarms = request.AlarmTypes === undefined || request.AlarmTypes.includes("MetricAlarm");
    const items = wantsMetricAlarms
      ? (this.#regions.peek(ctx.accountId, ctx.region)?.history ?? []).filter(
          (item) =>
            (request.AlarmName === undefined || item.AlarmName === request.AlarmName) &&
            (request.HistoryItemType === undefined || item.HistoryItemType === request.HistoryItemType) &&
            item.Timestamp.getTime() >= start &&
            item.Timestamp.getTime() <= end,
        )
      : [];
    const ordered = request.ScanBy === "TimestampAscending" ? [...items] : [...items].reverse();
    const offset = request.NextToken === undefined ? 0 : decodeToken(request.NextToken);
    if (offset === undefined) throw invalidToken();
    const limit = request.MaxRecords ?? 100;
    return {
      AlarmHistoryItems: ordered.slice(offset, offset + limit),
      NextToken: offset + limit < ordered.length ? encodeToken(offset + limit) : undefined,
    };
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
    if (!state) return;
    for (const alarm of state.alarms.values()) {
      try {
        this.#evaluate(state, alarm);
      } catch (error) {
        this.#log(`cloudwatch: evaluating alarm ${alarm.config.AlarmName} failed: ${String(error)}`);
      }
    }
  }

  #evaluate(state: RegionCloudWatch, alarm: AlarmRecord): void {
    const now = this.#now();
    if (alarm.holdUntil > now) return;
    const c = alarm.config;
    const stat = c.Statistic ?? c.ExtendedStatistic ?? "Sum";
    const periodMs = c.Period * 1000;
    const n = c.EvaluationPeriods;
    // Sliding windows ending now, oldest first: window i covers [origin + i*P, origin + (i+1)*P).
    const origin = now - n * periodMs;
    const series = state.metrics.get(c.Namespace, c.MetricName, c.Dimensions);
    const periods = series
      ? collectPeriods(series, origin, periodMs, now + 1, c.Unit)
      : new Map<number, Aggregate>();
    const points: Array<{ start: number; value: number | undefined; sampleCount: number }> = [];
    for (let i = 0; i < n; i++) {
      const entry = periods.get(i);
      points.push({
        start: origin + i * periodMs,
        value: entry ? statisticValue(entry, stat) : undefined,
        sampleCount: entry?.sampleCount ?? 0,
      });
    }
    const present = points.filter((point) => point.value !== undefined);
    const missing = n - present.length;
    const breachingPresent = present.filter((point) =>
      breaches(c.ComparisonOperator, point.value ?? 0, c.Threshold),
    );
    let next: AlarmState;
    switch (c.TreatMissingData) {
      case "breaching":
        next = breachingPresent.length + missing >= c.DatapointsToAlarm ? "ALARM" : "OK";
        break;
      case "notBreaching":
        next = breachingPresent.length >= c.DatapointsToAlarm ? "ALARM" : "OK";
        break;
      case "ignore":
        if (present.length === 0) return;
        next = breachingPresent.length >= c.DatapointsToAlarm ? "ALARM" : "OK";
        break;
      default:
        if (present.length === 0) next = "INSUFFICIENT_DATA";
        else next = breachingPresent.length >= c.DatapointsToAlarm ? "ALARM" : "OK";
    }
    if (next === alarm.state && !alarm.stateReason.startsWith("Unchecked:")) return;
    const shown = present.length > 0 ? present : points;
    const list = shown
      .filter((point) => point.value !== undefined)
      .map((point) => `${formatNumber(point.value ?? 0)} (${reasonTimestamp(point.start)})`)
      .join(", ");
    const text = comparisonText[c.ComparisonOperator];
    let reason: string;
    if (next === "INSUFFICIENT_DATA") {
      reason = `Insufficient Data: ${n} datapoint${n === 1 ? " was" : "s were"} unknown.`;
    } else if (next === "ALARM") {
      const count = breachingPresent.length + (c.TreatMissingData === "breaching" ? missing : 0);
      reason = `Threshold Crossed: ${count} out of the last ${n} datapoints [${list}] ${count === 1 ? "was" : "were"} ${text} the threshold (${formatNumber(c.Threshold)}) (minimum ${c.DatapointsToAlarm} datapoint${c.DatapointsToAlarm === 1 ? "" : "s"} for OK -> ALARM transition).`;
    } else {
      reason = `Threshold Crossed: ${present.length} datapoint${present.length === 1 ? "" : "s"} [${list}] ${present.length === 1 ? "was" : "were"} not ${text} the threshold (${formatNumber(c.Threshold)}).`;
    }
    const reasonData = JSON.stringify({
      version: "1.0",
      queryDate: awsTimestamp(now),
      startDate: awsTimestamp(origin),
      statistic: stat,
      period: c.Period,
      recentDatapoints: present.map((point) => point.value),
      threshold: c.Threshold,
      evaluatedDatapoints: present
        .map((point) => ({
          timestamp: awsTimestamp(point.start),
          sampleCount: point.sampleCount,
          value: point.value,
        }))
        .reverse(),
    });
    if (next === alarm.state) {
      // The first evaluation replaces "Unchecked: Initial alarm creation" without a state change.
      alarm.stateReason = reason;
      alarm.stateReasonData = reasonData;
      alarm.stateUpdated = new Date(now);
      return;
    }
    this.#transition(state, alarm, next, reason, reasonData);
  }

  /** The wire operations, by operation name (JSON target, CBOR path or Query Action). */
  operations(): Record<string, Operation> {
    return {
      PutMetricData: (input, ctx) => {
        this.putMetricData(ctx.accountId, ctx.region, input, false);
        return {};
      },
      GetMetricStatistics: (input, ctx) => this.getMetricStatistics(input, ctx),
      GetMetricData: (input, ctx) => this.getMetricData(input, ctx),
      ListMetrics: (input, ctx) => this.listMetrics(input, ctx),
      PutMetricAlarm: (input, ctx) => {
        this.putMetricAlarm(ctx.accountId, ctx.region, input);
        return {};
      },
      DescribeAlarms: (input, ctx) => this.describeAlarms(input, ctx),
      DeleteAlarms: (input, ctx) => this.deleteAlarms(input, ctx),
      SetAlarmState: (input, ctx) => {
        this.setAlarmState(ctx.accountId, ctx.region, input);
        return {};
      },
      DescribeAlarmHistory: (input, ctx) => this.describeAlarmHistory(input, ctx),
    };
  }
}

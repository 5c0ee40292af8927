/**
 * Metric alarms of one region: their configuration as PutMetricAlarm accepts it, their state and
 * history, and the reads (DescribeAlarms, DescribeAlarmHistory). State changes come from evaluation
 * (alarm-evaluation.ts) or SetAlarmState; SetAlarmState holds only until the next evaluation that
 * computes a different state, as on AWS, unless a hold keeps it (the in-process `holdMs`).
 */
import { decodeToken, encodeToken } from "../regional.ts";
import { type EvaluatedAlarm, evaluateAlarm } from "./alarm-evaluation.ts";
import { invalidCombination, invalidToken, invalidValue, missingParameter } from "./errors.ts";
import { isValidPeriod } from "./metric-data.ts";
import { isPercentile, type MetricStore } from "./metrics.ts";
import {
  type AlarmState,
  type DescribeAlarmHistoryRequest,
  type DescribeAlarmsRequest,
  isStaticComparison,
  type PutMetricAlarmRequest,
  type SetAlarmStateRequest,
} from "./schemas.ts";

export interface AlarmConfig extends EvaluatedAlarm {
  AlarmName: string;
  AlarmDescription: string | undefined;
  ActionsEnabled: boolean;
  OKActions: string[];
  AlarmActions: string[];
  InsufficientDataActions: string[];
}

export interface AlarmRecord {
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

export interface HistoryItem {
  AlarmName: string;
  AlarmType: "MetricAlarm";
  Timestamp: Date;
  HistoryItemType: "ConfigurationUpdate" | "StateUpdate" | "Action";
  HistorySummary: string;
  HistoryData: string;
}

const MAX_HISTORY = 10_000;

/** The alarm PutMetricAlarm describes, or the error CloudWatch answers for what the sandbox cannot run. */
export function alarmConfigOf(request: PutMetricAlarmRequest): AlarmConfig {
  if (request.Metrics !== undefined || request.ThresholdMetricId !== undefined) {
    throw invalidCombination(
      "Metric math and anomaly detection alarms (Metrics, ThresholdMetricId) are not supported by the sandbox; define a single-metric alarm with MetricName and Namespace.",
    );
  }
  if (!request.MetricName || !request.Namespace) {
    throw missingParameter("The parameters MetricName and Namespace are required for a single-metric alarm.");
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
  return {
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
}

function configJson(config: AlarmConfig): Record<string, unknown> {
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

function renderAlarm(alarm: AlarmRecord) {
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

/** The alarms of one (account, region) and their history. */
export class RegionAlarms {
  readonly #alarms = new Map<string, AlarmRecord>();
  readonly #history: HistoryItem[] = [];
  readonly #log: (line: string) => void;

  constructor(log: (line: string) => void) {
    this.#log = log;
  }

  has(name: string): boolean {
    return this.#alarms.has(name);
  }

  /** Creates or replaces an alarm (a ConfigurationUpdate history item); evaluate it next. */
  put(config: AlarmConfig, arn: string, now: Date): void {
    const existing = this.#alarms.get(config.AlarmName);
    if (existing) {
      existing.config = config;
      existing.configUpdated = now;
      this.#addHistory({
        AlarmName: config.AlarmName,
        AlarmType: "MetricAlarm",
        Timestamp: now,
        HistoryItemType: "ConfigurationUpdate",
        HistorySummary: `Alarm "${config.AlarmName}" updated`,
        HistoryData: JSON.stringify({ version: "1.0", type: "Update", updatedAlarm: configJson(config) }),
      });
      return;
    }
    this.#alarms.set(config.AlarmName, {
      config,
      arn,
      state: "INSUFFICIENT_DATA",
      stateReason: "Unchecked: Initial alarm creation",
      stateReasonData: undefined,
      stateUpdated: now,
      stateTransitioned: now,
      configUpdated: now,
      holdUntil: 0,
    });
    this.#addHistory({
      AlarmName: config.AlarmName,
      AlarmType: "MetricAlarm",
      Timestamp: now,
      HistoryItemType: "ConfigurationUpdate",
      HistorySummary: `Alarm "${config.AlarmName}" created`,
      HistoryData: JSON.stringify({ version: "1.0", type: "Create", createdAlarm: configJson(config) }),
    });
  }

  /**
   * Forces an alarm's state (false: no such alarm); until `holdUntil` (ms), evaluation leaves it there.
   * StateReasonData must already be known to be JSON.
   */
  setState(request: SetAlarmStateRequest, holdUntil: number, now: number): boolean {
    const alarm = this.#alarms.get(request.AlarmName);
    if (!alarm) return false;
    alarm.holdUntil = holdUntil;
    if (alarm.state !== request.StateValue) {
      this.#transition(alarm, request.StateValue, request.StateReason, request.StateReasonData, now);
    } else {
      alarm.stateReason = request.StateReason;
      alarm.stateReasonData = request.StateReasonData;
      alarm.stateUpdated = new Date(now);
    }
    return true;
  }

  delete(name: string): void {
    this.#alarms.delete(name);
  }

  /** Evaluates every alarm of the region against `metrics` at `now`. */
  evaluateAll(metrics: MetricStore, now: number): void {
    for (const alarm of this.#alarms.values()) {
      try {
        this.#evaluate(alarm, metrics, now);
      } catch (error) {
        this.#log(`cloudwatch: evaluating alarm ${alarm.config.AlarmName} failed: ${String(error)}`);
      }
    }
  }

  /** Evaluates one alarm (after PutMetricAlarm). */
  evaluate(name: string, metrics: MetricStore, now: number): void {
    const alarm = this.#alarms.get(name);
    if (alarm) this.#evaluate(alarm, metrics, now);
  }

  #evaluate(alarm: AlarmRecord, metrics: MetricStore, now: number): void {
    if (alarm.holdUntil > now) return;
    const c = alarm.config;
    const evaluation = evaluateAlarm(c, metrics.get(c.Namespace, c.MetricName, c.Dimensions), now);
    if (evaluation === undefined) return;
    if (evaluation.state === alarm.state && !alarm.stateReason.startsWith("Unchecked:")) return;
    const { reason, reasonData } = evaluation.describe();
    if (evaluation.state === alarm.state) {
      // The first evaluation replaces "Unchecked: Initial alarm creation" without a state change.
      alarm.stateReason = reason;
      alarm.stateReasonData = reasonData;
      alarm.stateUpdated = new Date(now);
      return;
    }
    this.#transition(alarm, evaluation.state, reason, reasonData, now);
  }

  #addHistory(item: HistoryItem): void {
    this.#history.push(item);
    if (this.#history.length > MAX_HISTORY) this.#history.splice(0, this.#history.length - MAX_HISTORY);
  }

  #transition(
    alarm: AlarmRecord,
    next: AlarmState,
    reason: string,
    reasonData: string | undefined,
    nowMs: number,
  ): void {
    const now = new Date(nowMs);
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
    this.#addHistory({
      AlarmName: alarm.config.AlarmName,
      AlarmType: "MetricAlarm",
      Timestamp: now,
      HistoryItemType: "StateUpdate",
      HistorySummary: `Alarm updated from ${old.stateValue} to ${next}`,
      HistoryData: JSON.stringify({ version: "1.0", oldState: old, newState }),
    });
    this.#log(`cloudwatch: alarm ${alarm.config.AlarmName} ${old.stateValue} -> ${next}`);
  }

  /** DescribeAlarms over this region's alarms. */
  describe(request: DescribeAlarmsRequest) {
    return describeAlarms(this.#alarms.values(), request);
  }

  /** DescribeAlarmHistory over this region's history. */
  describeHistory(request: DescribeAlarmHistoryRequest) {
    return describeAlarmHistory(this.#history, request);
  }
}

/** DescribeAlarms over `records` (none: a region without alarms). */
export function describeAlarms(records: Iterable<AlarmRecord>, request: DescribeAlarmsRequest) {
  if (request.AlarmNames !== undefined && request.AlarmNamePrefix !== undefined) {
    throw invalidCombination("AlarmNamePrefix and AlarmNames cannot be specified together.");
  }
  const names = request.AlarmNames ? new Set(request.AlarmNames) : undefined;
  const wantsMetricAlarms = request.AlarmTypes === undefined || request.AlarmTypes.includes("MetricAlarm");
  const alarms = wantsMetricAlarms
    ? [...records]
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
    MetricAlarms: page.map(renderAlarm),
    CompositeAlarms: [],
    NextToken: offset + limit < alarms.length ? encodeToken(offset + limit) : undefined,
  };
}

/** DescribeAlarmHistory over `history` (recorded oldest first); newest first unless ScanBy says otherwise. */
export function describeAlarmHistory(history: readonly HistoryItem[], request: DescribeAlarmHistoryRequest) {
  const start = request.StartDate?.getTime() ?? Number.NEGATIVE_INFINITY;
  const end = request.EndDate?.getTime() ?? Number.POSITIVE_INFINITY;
  const wantsMetricAlarms = request.AlarmTypes === undefined || request.AlarmTypes.includes("MetricAlarm");
  const items = wantsMetricAlarms
    ? history.filter(
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

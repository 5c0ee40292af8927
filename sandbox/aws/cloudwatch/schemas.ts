/**
 * The inputs of CloudWatch's operations, in the shapes its three wire forms share (JSON 1.0, CBOR and
 * Query, where numbers and booleans arrive as strings), and the SDK-shaped types the in-process API
 * takes.
 */
import { z } from "zod";
import { TimestampSchema } from "../validation.ts";
import { type Dimension, simpleStatistics } from "./metrics.ts";

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
export type MetricUnit = (typeof metricUnits)[number];

const DimensionSchema = z.object({ Name: z.string().min(1).max(255), Value: z.string().min(1).max(1024) });
const DimensionsSchema = z.array(DimensionSchema).max(30);
const NamespaceSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^:].*$/, "Member must satisfy regular expression pattern: [^:].*");

// ---- metrics ----

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

export const GetMetricStatisticsInputSchema = z.object({
  Namespace: NamespaceSchema,
  MetricName: z.string().min(1).max(255),
  Dimensions: DimensionsSchema.optional(),
  StartTime: TimestampSchema,
  EndTime: TimestampSchema,
  Period: Int,
  Statistics: z.array(z.enum(simpleStatistics)).min(1).max(5).optional(),
  ExtendedStatistics: z.array(z.string()).min(1).max(10).optional(),
  Unit: UnitSchema.optional(),
});
export type GetMetricStatisticsRequest = z.output<typeof GetMetricStatisticsInputSchema>;

const MetricDataQuerySchema = z.object({
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

export const GetMetricDataInputSchema = z.object({
  MetricDataQueries: z.array(MetricDataQuerySchema).min(1).max(500),
  StartTime: TimestampSchema,
  EndTime: TimestampSchema,
  NextToken: z.string().optional(),
  ScanBy: z.enum(["TimestampDescending", "TimestampAscending"]).optional(),
  MaxDatapoints: Int.optional(),
  LabelOptions: z.object({ Timezone: z.string().optional() }).optional(),
});
export type GetMetricDataRequest = z.output<typeof GetMetricDataInputSchema>;

export const ListMetricsInputSchema = z.object({
  Namespace: NamespaceSchema.optional(),
  MetricName: z.string().min(1).max(255).optional(),
  Dimensions: z
    .array(z.object({ Name: z.string().min(1).max(255), Value: z.string().min(1).max(1024).optional() }))
    .max(10)
    .optional(),
  NextToken: z.string().optional(),
  RecentlyActive: z.literal("PT3H").optional(),
  IncludeLinkedAccounts: Bool.optional(),
  OwningAccount: z.string().optional(),
});
export type ListMetricsRequest = z.output<typeof ListMetricsInputSchema>;

// ---- alarms ----

const staticComparisons = [
  "GreaterThanOrEqualToThreshold",
  "GreaterThanThreshold",
  "LessThanThreshold",
  "LessThanOrEqualToThreshold",
] as const;
/** The comparisons of a static threshold (the others need an anomaly detection band). */
export type StaticComparison = (typeof staticComparisons)[number];
export function isStaticComparison(value: string): value is StaticComparison {
  return staticComparisons.some((operator) => operator === value);
}
const ComparisonOperatorSchema = z.enum([
  ...staticComparisons,
  "LessThanLowerOrGreaterThanUpperThreshold",
  "LessThanLowerThreshold",
  "GreaterThanUpperThreshold",
]);

const TreatMissingDataSchema = z.enum(["breaching", "notBreaching", "ignore", "missing"]);
export type TreatMissingData = z.infer<typeof TreatMissingDataSchema>;

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
export type PutMetricAlarmRequest = z.output<typeof PutMetricAlarmInputSchema>;

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
export type SetAlarmStateRequest = z.output<typeof SetAlarmStateInputSchema>;

export const DeleteAlarmsInputSchema = z.object({ AlarmNames: z.array(z.string().min(1)).min(1).max(100) });

export const DescribeAlarmsInputSchema = z.object({
  AlarmNames: z.array(z.string().min(1).max(255)).max(100).optional(),
  AlarmNamePrefix: z.string().min(1).max(255).optional(),
  AlarmTypes: z.array(z.enum(["CompositeAlarm", "MetricAlarm"])).optional(),
  ChildrenOfAlarmName: z.string().optional(),
  ParentsOfAlarmName: z.string().optional(),
  StateValue: StateValueSchema.optional(),
  ActionPrefix: z.string().min(1).max(1024).optional(),
  MaxRecords: Int.pipe(z.number().min(1).max(100)).optional(),
  NextToken: z.string().optional(),
});
export type DescribeAlarmsRequest = z.output<typeof DescribeAlarmsInputSchema>;

export const DescribeAlarmHistoryInputSchema = z.object({
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
});
export type DescribeAlarmHistoryRequest = z.output<typeof DescribeAlarmHistoryInputSchema>;

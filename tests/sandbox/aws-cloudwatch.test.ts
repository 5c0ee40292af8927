/**
 * The sandbox's CloudWatch through @aws-sdk/client-cloudwatch: metrics recorded by Lambda invocations,
 * PutMetricData / GetMetricStatistics / GetMetricData / ListMetrics semantics, alarms evaluated from
 * recorded data with their history, and (with a fake clock) the alarm evaluation rules themselves.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
} from "@aws-sdk/client-lambda";
import { strToU8, zipSync } from "fflate";
import { generateCredentials } from "../../sandbox/accounts.ts";
import { CloudWatchBackend } from "../../sandbox/aws/cloudwatch/service.ts";
import { type AwsSandbox, type SandboxAccount, startAwsServer } from "../../sandbox/aws/index.ts";
import type { CallContext } from "../../sandbox/aws/regional.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const codeDir = `${repo}.sandbox/test-code-cw-${randomBytes(4).toString("hex")}`;
const dev: SandboxAccount = { name: "dev", accountId: "536580886816", ...generateCredentials() };
const ACCOUNT = dev.accountId;
const REGION = "eu-west-1";

let aws: AwsSandbox;
let cw: CloudWatchClient;
let lambda: LambdaClient;

const handler = `
export const handler = async (event) => {
  if (event.fail) throw new Error("requested failure");
  await new Promise((resolve) => setTimeout(resolve, event.sleepMs ?? 0));
  return "ok";
};`;

async function rejects(promise: Promise<unknown>, name: string): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error);
    assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
    return error;
  }
  assert.fail(`expected ${name}, but the call succeeded`);
}

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

before(async () => {
  aws = await startAwsServer({
    accounts: [dev],
    dynamodbBackend: async () => "http://127.0.0.1:9",
    codeDir,
    alarmEvaluationIntervalMs: 200,
  });
  const config = {
    endpoint: aws.url,
    region: REGION,
    credentials: { accessKeyId: dev.accessKeyId, secretAccessKey: dev.secretAccessKey },
    maxAttempts: 1,
  };
  cw = new CloudWatchClient(config);
  lambda = new LambdaClient(config);
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: "bbws-metrics-dev",
      Runtime: "nodejs20.x",
      Role: "arn:aws:iam::536580886816:role/bbws-test",
      Handler: "index.handler",
      Code: { ZipFile: zipSync({ "index.mjs": strToU8(handler) }) },
    }),
  );
  await lambda.send(new PublishVersionCommand({ FunctionName: "bbws-metrics-dev", Description: "1.0.0" }));
  await lambda.send(
    new CreateAliasCommand({ FunctionName: "bbws-metrics-dev", Name: "latest-dev", FunctionVersion: "1" }),
  );
});

after(async () => {
  await aws.close();
  await rm(codeDir, { recursive: true, force: true });
});

describe("Lambda metrics and alarms", () => {
  test("every invocation records Invocations, Errors, Duration and Throttles per dimension set", async () => {
    const start = minutesAgo(5);
    const payloads = [
      ...Array.from({ length: 15 }, (_, i) => ({ sleepMs: i })),
      ...Array.from({ length: 5 }, () => ({ fail: true })),
    ];
    await Promise.all(
      payloads.map((payload) =>
        lambda.send(
          new InvokeCommand({
            FunctionName: "bbws-metrics-dev",
            Qualifier: "latest-dev",
            Payload: strToU8(JSON.stringify(payload)),
          }),
        ),
      ),
    );
    await aws.lambda.invoke(ACCOUNT, REGION, "bbws-metrics-dev", "latest-dev", "{}");
    const end = new Date(Date.now() + 60_000);
    const sum = async (metric: string, dimensions: Array<{ Name: string; Value: string }>) => {
      const out = await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: "AWS/Lambda",
          MetricName: metric,
          Dimensions: dimensions,
          StartTime: start,
          EndTime: end,
          Period: 3600,
          Statistics: ["Sum", "SampleCount"],
        }),
      );
      return (out.Datapoints ?? []).reduce((total, point) => total + (point.Sum ?? 0), 0);
    };
    const byName = [{ Name: "FunctionName", Value: "bbws-metrics-dev" }];
    assert.equal(await sum("Invocations", byName), 21);
    assert.equal(await sum("Errors", byName), 5);
    assert.equal(await sum("Throttles", byName), 0);
    assert.equal(
      await sum("Invocations", [...byName, { Name: "Resource", Value: "bbws-metrics-dev:latest-dev" }]),
      21,
    );
    assert.equal(await sum("Invocations", [...byName, { Name: "ExecutedVersion", Value: "1" }]), 21);
    assert.equal(
      await sum("Invocations", [...byName, { Name: "Resource", Value: "bbws-metrics-dev:nope" }]),
      0,
    );

    const duration = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: "AWS/Lambda",
        MetricName: "Duration",
        Dimensions: byName,
        StartTime: start,
        EndTime: end,
        Period: 3600,
        ExtendedStatistics: ["p50", "p95"],
      }),
    );
    const point = duration.Datapoints?.[0];
    assert.equal(point?.Unit, "Milliseconds");
    const p50 = point?.ExtendedStatistics?.p50 ?? Number.NaN;
    const p95 = point?.ExtendedStatistics?.p95 ?? Number.NaN;
    assert.ok(p95 >= p50 && p50 > 0, `p50 ${p50}, p95 ${p95}`);
    assert.ok(p95 >= 12, `the slowest handlers sleep 14 ms, p95 was ${p95}`);

    await lambda.send(
      new PutFunctionConcurrencyCommand({
        FunctionName: "bbws-metrics-dev",
        ReservedConcurrentExecutions: 0,
      }),
    );
    await rejects(
      lambda.send(new InvokeCommand({ FunctionName: "bbws-metrics-dev" })),
      "TooManyRequestsException",
    );
    assert.equal(await sum("Throttles", byName), 1);
    assert.equal(await sum("Invocations", byName), 21, "a throttled invoke records no Invocations");
  });

  test("an Errors alarm goes to ALARM from recorded errors, with its state history", async () => {
    await lambda.send(
      new PutFunctionConcurrencyCommand({
        FunctionName: "bbws-metrics-dev",
        ReservedConcurrentExecutions: 10,
      }),
    );
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "bbws-metrics-dev-errors",
        Namespace: "AWS/Lambda",
        MetricName: "Errors",
        Dimensions: [
          { Name: "FunctionName", Value: "bbws-metrics-dev" },
          { Name: "Resource", Value: "bbws-metrics-dev:alarm-test" },
        ],
        Statistic: "Sum",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        TreatMissingData: "notBreaching",
      }),
    );
    const initial = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["bbws-metrics-dev-errors"] }));
    assert.equal(initial.MetricAlarms?.[0]?.StateValue, "OK");
    await lambda.send(
      new CreateAliasCommand({ FunctionName: "bbws-metrics-dev", Name: "alarm-test", FunctionVersion: "1" }),
    );
    await lambda.send(
      new InvokeCommand({
        FunctionName: "bbws-metrics-dev",
        Qualifier: "alarm-test",
        Payload: strToU8('{"fail":true}'),
      }),
    );
    const alarm = await waitFor("the alarm to fire", async () => {
      const out = await cw.send(
        new DescribeAlarmsCommand({ AlarmNamePrefix: "bbws-metrics-dev", StateValue: "ALARM" }),
      );
      return out.MetricAlarms?.[0];
    });
    assert.equal(alarm.AlarmName, "bbws-metrics-dev-errors");
    assert.equal(alarm.AlarmArn, "arn:aws:cloudwatch:eu-west-1:536580886816:alarm:bbws-metrics-dev-errors");
    assert.match(
      alarm.StateReason ?? "",
      /^Threshold Crossed: 1 out of the last 1 datapoints \[1\.0 \(.*\)\] was greater than or equal to the threshold \(1\.0\)/,
    );

    const history = await cw.send(
      new DescribeAlarmHistoryCommand({
        AlarmName: "bbws-metrics-dev-errors",
        HistoryItemType: "StateUpdate",
      }),
    );
    const latest = history.AlarmHistoryItems?.[0];
    assert.equal(latest?.HistorySummary, "Alarm updated from OK to ALARM");
    const data: unknown = JSON.parse(latest?.HistoryData ?? "{}");
    assert.equal(Reflect.get(Reflect.get(Object(data), "oldState"), "stateValue"), "OK");
    assert.equal(Reflect.get(Reflect.get(Object(data), "newState"), "stateValue"), "ALARM");
    assert.deepEqual(
      history.AlarmHistoryItems?.map((item) => item.HistorySummary),
      ["Alarm updated from OK to ALARM", "Alarm updated from INSUFFICIENT_DATA to OK"],
    );
    const all = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "bbws-metrics-dev-errors" }));
    assert.ok(all.AlarmHistoryItems?.some((item) => item.HistoryItemType === "ConfigurationUpdate"));

    // SetAlarmState lasts until the next evaluation, as on AWS; the in-process hold keeps it.
    await cw.send(
      new SetAlarmStateCommand({
        AlarmName: "bbws-metrics-dev-errors",
        StateValue: "OK",
        StateReason: "testing",
      }),
    );
    await waitFor("evaluation to restore ALARM", async () => {
      const out = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["bbws-metrics-dev-errors"] }));
      return out.MetricAlarms?.[0]?.StateValue === "ALARM" ? true : undefined;
    });
    aws.cloudwatch.setAlarmState(ACCOUNT, REGION, {
      AlarmName: "bbws-metrics-dev-errors",
      StateValue: "OK",
      StateReason: "held by the test",
      holdMs: 60_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const held = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["bbws-metrics-dev-errors"] }));
    assert.equal(held.MetricAlarms?.[0]?.StateValue, "OK");
    assert.equal(held.MetricAlarms?.[0]?.StateReason, "held by the test");

    await rejects(
      cw.send(new SetAlarmStateCommand({ AlarmName: "no-such-alarm", StateValue: "OK", StateReason: "x" })),
      "ResourceNotFound",
    );
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ["bbws-metrics-dev-errors"] }));
    const after = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["bbws-metrics-dev-errors"] }));
    assert.deepEqual(after.MetricAlarms, []);
  });
});

describe("CloudWatch metric API", () => {
  test("PutMetricData with Value, Values/Counts and StatisticValues; statistics computed like AWS", async () => {
    const at = minutesAgo(180);
    at.setUTCSeconds(10, 0);
    await cw.send(
      new PutMetricDataCommand({
        Namespace: "BBWS/Harness",
        MetricData: [
          {
            MetricName: "Latency",
            Dimensions: [{ Name: "Env", Value: "dev" }],
            Timestamp: at,
            Value: 10,
            Unit: "Milliseconds",
          },
          {
            MetricName: "Latency",
            Dimensions: [{ Name: "Env", Value: "dev" }],
            Timestamp: at,
            Values: [20, 30, 100],
            Counts: [5, 3, 1],
            Unit: "Milliseconds",
          },
          {
            MetricName: "Latency",
            Dimensions: [{ Name: "Env", Value: "dev" }],
            Timestamp: new Date(at.getTime() + 60_000),
            StatisticValues: { SampleCount: 4, Sum: 40, Minimum: 5, Maximum: 15 },
            Unit: "Milliseconds",
          },
        ],
      }),
    );
    const stats = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: "BBWS/Harness",
        MetricName: "Latency",
        Dimensions: [{ Name: "Env", Value: "dev" }],
        StartTime: new Date(at.getTime() - 120_000),
        EndTime: new Date(at.getTime() + 240_000),
        Period: 60,
        Statistics: ["Sum", "Average", "Minimum", "Maximum", "SampleCount"],
      }),
    );
    const points = stats.Datapoints ?? [];
    assert.equal(points.length, 2);
    const [first, second] = points;
    assert.equal(first?.Timestamp?.getTime(), Math.floor(at.getTime() / 60_000) * 60_000);
    assert.equal(first?.SampleCount, 10);
    assert.equal(first?.Sum, 10 + 100 + 90 + 100);
    assert.equal(first?.Minimum, 10);
    assert.equal(first?.Maximum, 100);
    assert.equal(first?.Average, 30);
    assert.equal(first?.Unit, "Milliseconds");
    assert.equal(second?.SampleCount, 4);
    assert.equal(second?.Average, 10);

    const percentiles = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: "BBWS/Harness",
        MetricName: "Latency",
        Dimensions: [{ Name: "Env", Value: "dev" }],
        StartTime: new Date(at.getTime() - 60_000),
        EndTime: new Date(at.getTime() + 60_000),
        Period: 120,
        ExtendedStatistics: ["p50", "p90"],
      }),
    );
    assert.deepEqual(percentiles.Datapoints?.[0]?.ExtendedStatistics, { p50: 20, p90: 30 });

    const data = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(at.getTime() - 60_000),
        EndTime: new Date(at.getTime() + 180_000),
        MetricDataQueries: [
          {
            Id: "sum",
            MetricStat: {
              Metric: {
                Namespace: "BBWS/Harness",
                MetricName: "Latency",
                Dimensions: [{ Name: "Env", Value: "dev" }],
              },
              Period: 60,
              Stat: "Sum",
            },
          },
          {
            Id: "count",
            ReturnData: false,
            MetricStat: {
              Metric: {
                Namespace: "BBWS/Harness",
                MetricName: "Latency",
                Dimensions: [{ Name: "Env", Value: "dev" }],
              },
              Period: 60,
              Stat: "SampleCount",
            },
          },
          { Id: "avg", Expression: "sum / count", Label: "average" },
          {
            Id: "p90",
            MetricStat: {
              Metric: {
                Namespace: "BBWS/Harness",
                MetricName: "Latency",
                Dimensions: [{ Name: "Env", Value: "dev" }],
              },
              Period: 60,
              Stat: "p90",
            },
          },
        ],
      }),
    );
    const results = data.MetricDataResults ?? [];
    assert.deepEqual(
      results.map((result) => result.Id),
      ["sum", "avg", "p90"],
    );
    assert.deepEqual(results[0]?.Values, [40, 300], "newest first, as AWS returns them");
    assert.ok((results[0]?.Timestamps?.[0]?.getTime() ?? 0) > (results[0]?.Timestamps?.[1]?.getTime() ?? 0));
    assert.deepEqual(results[1]?.Values, [10, 30]);
    assert.equal(results[1]?.Label, "average");
    assert.equal(results[0]?.StatusCode, "Complete");
    assert.deepEqual(results[2]?.Values, [30], "a statistic set with spread has no percentiles, as on AWS");

    const listed = await cw.send(new ListMetricsCommand({ Namespace: "BBWS/Harness" }));
    assert.deepEqual(listed.Metrics, [
      { Namespace: "BBWS/Harness", MetricName: "Latency", Dimensions: [{ Name: "Env", Value: "dev" }] },
    ]);
    const lambdaMetrics = await cw.send(
      new ListMetricsCommand({
        Namespace: "AWS/Lambda",
        MetricName: "Invocations",
        Dimensions: [{ Name: "Resource" }],
      }),
    );
    assert.ok((lambdaMetrics.Metrics ?? []).length >= 1);
    assert.ok(
      lambdaMetrics.Metrics?.every((metric) => metric.Dimensions?.some((d) => d.Name === "Resource")),
    );
  });

  test("a large PutMetricData, which the SDK sends gzip-compressed, is recorded in full", async () => {
    const at = minutesAgo(30);
    const MetricData = Array.from({ length: 1000 }, (_, i) => ({
      MetricName: "Bulk",
      Dimensions: [{ Name: "Batch", Value: "gzip" }],
      Timestamp: at,
      Value: i,
    }));
    await cw.send(new PutMetricDataCommand({ Namespace: "BBWS/Harness", MetricData }));
    const out = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: "BBWS/Harness",
        MetricName: "Bulk",
        Dimensions: [{ Name: "Batch", Value: "gzip" }],
        StartTime: minutesAgo(40),
        EndTime: minutesAgo(20),
        Period: 600,
        Statistics: ["SampleCount", "Sum"],
      }),
    );
    assert.equal(out.Datapoints?.[0]?.SampleCount, 1000);
    assert.equal(out.Datapoints?.[0]?.Sum, (999 * 1000) / 2);
  });

  test("invalid requests are refused with CloudWatch's error codes", async () => {
    const error = await rejects(
      cw.send(
        new PutMetricDataCommand({
          Namespace: "AWS/Lambda",
          MetricData: [{ MetricName: "Invocations", Value: 1 }],
        }),
      ),
      "InvalidParameterValueException",
    );
    assert.equal(
      Reflect.get(error, "Code"),
      "InvalidParameterValue",
      "the awsQuery-compatible code is sent too",
    );
    await rejects(
      cw.send(
        new PutMetricDataCommand({
          Namespace: "BBWS/Harness",
          MetricData: [{ MetricName: "Old", Value: 1, Timestamp: minutesAgo(15 * 24 * 60) }],
        }),
      ),
      "InvalidParameterValueException",
    );
    await rejects(
      cw.send(
        new PutMetricDataCommand({
          Namespace: "BBWS/Harness",
          MetricData: [{ MetricName: "Both", Value: 1, Values: [1] }],
        }),
      ),
      "InvalidParameterCombinationException",
    );
    const base = {
      Namespace: "AWS/Lambda",
      MetricName: "Errors",
      StartTime: minutesAgo(60),
      EndTime: new Date(),
    };
    await rejects(
      cw.send(new GetMetricStatisticsCommand({ ...base, Period: 45, Statistics: ["Sum"] })),
      "InvalidParameterValueException",
    );
    await rejects(
      cw.send(new GetMetricStatisticsCommand({ ...base, Period: 60 })),
      "MissingRequiredParameterException",
    );
    await rejects(
      cw.send(
        new GetMetricStatisticsCommand({
          ...base,
          Period: 60,
          Statistics: ["Sum"],
          ExtendedStatistics: ["p95"],
        }),
      ),
      "InvalidParameterCombinationException",
    );
    await rejects(
      cw.send(
        new GetMetricStatisticsCommand({
          ...base,
          StartTime: minutesAgo(60 * 48),
          Period: 60,
          Statistics: ["Sum"],
        }),
      ),
      "InvalidParameterCombinationException",
    );
    await rejects(
      cw.send(
        new PutMetricAlarmCommand({
          AlarmName: "bad",
          Namespace: "AWS/Lambda",
          MetricName: "Errors",
          Statistic: "Sum",
          ExtendedStatistic: "p95",
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: "GreaterThanThreshold",
        }),
      ),
      "InvalidParameterCombinationException",
    );
  });

  test("DescribeAlarms filters by prefix, names and state, and pages with NextToken", async () => {
    for (const name of ["bbws-page-a", "bbws-page-b", "bbws-page-c", "other-alarm"]) {
      await cw.send(
        new PutMetricAlarmCommand({
          AlarmName: name,
          Namespace: "BBWS/Harness",
          MetricName: "Nothing",
          Statistic: "Sum",
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: "GreaterThanThreshold",
        }),
      );
    }
    const first = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "bbws-page-", MaxRecords: 2 }));
    assert.deepEqual(
      first.MetricAlarms?.map((alarm) => alarm.AlarmName),
      ["bbws-page-a", "bbws-page-b"],
    );
    const second = await cw.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: "bbws-page-", MaxRecords: 2, NextToken: first.NextToken }),
    );
    assert.deepEqual(
      second.MetricAlarms?.map((alarm) => alarm.AlarmName),
      ["bbws-page-c"],
    );
    assert.equal(second.NextToken, undefined);
    const insufficient = await cw.send(
      new DescribeAlarmsCommand({ AlarmNames: ["other-alarm"], StateValue: "INSUFFICIENT_DATA" }),
    );
    assert.equal(insufficient.MetricAlarms?.[0]?.StateReason, "Insufficient Data: 1 datapoint was unknown.");
    const none = await cw.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: "bbws-page-", StateValue: "ALARM" }),
    );
    assert.deepEqual(none.MetricAlarms, []);
  });
});

describe("alarm evaluation rules (fake clock)", () => {
  const ctx: CallContext = { account: dev, accountId: ACCOUNT, region: REGION, requestId: "test" };

  function setup() {
    let now = Date.UTC(2026, 10, 22, 12, 0, 30);
    const backend = new CloudWatchBackend({ evaluationIntervalMs: 0, now: () => now });
    const put = (minutesBack: number, value: number) =>
      backend.putMetricData(ACCOUNT, REGION, {
        Namespace: "BBWS/Test",
        MetricData: [{ MetricName: "Errors", Value: value, Timestamp: new Date(now - minutesBack * 60_000) }],
      });
    const alarm = (input: {
      EvaluationPeriods: number;
      DatapointsToAlarm?: number;
      TreatMissingData?: "breaching" | "notBreaching" | "ignore" | "missing";
    }) =>
      backend.putMetricAlarm(ACCOUNT, REGION, {
        AlarmName: "rule",
        Namespace: "BBWS/Test",
        MetricName: "Errors",
        Statistic: "Sum",
        Period: 60,
        Threshold: 5,
        ComparisonOperator: "GreaterThanThreshold",
        ...input,
      });
    const state = () => {
      const out = backend.describeAlarms({ AlarmNames: ["rule"] }, ctx);
      return out.MetricAlarms[0]?.StateValue;
    };
    return {
      backend,
      put,
      alarm,
      state,
      advance: (ms: number) => {
        now += ms;
        backend.evaluateAlarms();
      },
    };
  }

  test("DatapointsToAlarm M of N: two breaching minutes out of three fire, one does not", () => {
    const one = setup();
    one.put(2, 10);
    one.put(1, 1);
    one.put(0, 1);
    one.alarm({ EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    assert.equal(one.state(), "OK");
    one.put(0, 9);
    one.backend.evaluateAlarms();
    assert.equal(one.state(), "ALARM");
    one.backend.close();
  });

  test("TreatMissingData decides what no data means", () => {
    const cases = [
      ["missing", "INSUFFICIENT_DATA"],
      ["notBreaching", "OK"],
      ["breaching", "ALARM"],
    ] as const;
    for (const [treat, expected] of cases) {
      const each = setup();
      each.alarm({ EvaluationPeriods: 2, TreatMissingData: treat });
      assert.equal(each.state(), expected, `TreatMissingData ${treat}`);
      each.backend.close();
    }
    const ignore = setup();
    ignore.put(0, 10);
    ignore.alarm({ EvaluationPeriods: 1, TreatMissingData: "ignore" });
    assert.equal(ignore.state(), "ALARM");
    ignore.advance(5 * 60_000);
    assert.equal(ignore.state(), "ALARM", "ignore keeps the state when data stops");
    ignore.backend.close();
  });

  test("data ageing out of the evaluation window returns the alarm to OK", () => {
    const s = setup();
    s.put(0, 10);
    s.alarm({ EvaluationPeriods: 1, TreatMissingData: "notBreaching" });
    assert.equal(s.state(), "ALARM");
    s.advance(2 * 60_000);
    assert.equal(s.state(), "OK");
    const history = s.backend.describeAlarmHistory(
      { AlarmName: "rule", HistoryItemType: "StateUpdate" },
      ctx,
    );
    assert.deepEqual(
      history.AlarmHistoryItems.map((item) => item.HistorySummary),
      ["Alarm updated from ALARM to OK", "Alarm updated from INSUFFICIENT_DATA to ALARM"],
    );
    s.backend.close();
  });
});

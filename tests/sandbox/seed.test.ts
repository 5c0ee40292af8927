/**
 * Seeding the past (POST {controlUrl}/seed, sb.seed, `npm run sandbox -- seed`): every action, read
 * back over the AWS wire APIs as the pre-promotion gate reads it; bad requests are refused whole; and
 * the seeded estate's logs and LastModified agree with its metrics and deployment records.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
} from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
} from "@aws-sdk/client-lambda";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import {
  type EnvironmentName,
  environmentNames,
  functionsOf,
  namesFor,
  type SandboxHandle,
  SandboxUsageError,
  type SeedActionInput,
  startSandbox,
} from "../../sandbox/index.ts";
import { sandboxCli } from "./cli-capture.ts";

const HOUR = 60 * 60 * 1000;
let sandbox: SandboxHandle;
let stateDir: string;

function config(env: EnvironmentName) {
  const e = sandbox.endpoints.environments[env];
  return {
    endpoint: sandbox.endpoints.awsEndpoint,
    region: e.region,
    credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey },
    maxAttempts: 1,
  };
}

const clients = new Map<
  EnvironmentName,
  {
    cw: CloudWatchClient;
    logs: CloudWatchLogsClient;
    lambda: LambdaClient;
    ddb: DynamoDBClient;
    ssm: SSMClient;
  }
>();
function aws(env: EnvironmentName) {
  let c = clients.get(env);
  if (!c) {
    c = {
      cw: new CloudWatchClient(config(env)),
      logs: new CloudWatchLogsClient(config(env)),
      lambda: new LambdaClient(config(env)),
      ddb: new DynamoDBClient(config(env)),
      ssm: new SSMClient(config(env)),
    };
    clients.set(env, c);
  }
  return c;
}

before(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "bbws-sandbox-seed-"));
  sandbox = await startSandbox({ stateDir, workerIdleMs: 3_000 });
});

after(async () => {
  for (const c of clients.values()) for (const client of Object.values(c)) client.destroy();
  await sandbox?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

/** A window ending a minute from now, fixed once so a read before and after a seed see the same buckets. */
function lastHours(hours: number): { start: Date; end: Date; hours: number } {
  const end = new Date(Date.now() + 60_000);
  return { start: new Date(end.getTime() - hours * HOUR - 60_000), end, hours };
}

/** Sum and datapoint count of a function's metric under {FunctionName} (plus `extra`) in `window`. */
async function sum(
  env: EnvironmentName,
  functionName: string,
  metric: string,
  window: { start: Date; end: Date; hours: number },
  extra: Array<{ Name: string; Value: string }> = [],
): Promise<{ sum: number; datapoints: number }> {
  const out = await aws(env).cw.send(
    new GetMetricStatisticsCommand({
      Namespace: "AWS/Lambda",
      MetricName: metric,
      Dimensions: [{ Name: "FunctionName", Value: functionName }, ...extra],
      StartTime: window.start,
      EndTime: window.end,
      Period: (window.hours + 1) * 3600,
      Statistics: ["Sum"],
    }),
  );
  const points = out.Datapoints ?? [];
  return { sum: points.reduce((total, point) => total + (point.Sum ?? 0), 0), datapoints: points.length };
}

async function control(path: string, body: unknown, token = sandbox.endpoints.controlToken) {
  const response = await fetch(`${sandbox.endpoints.controlUrl}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as unknown };
}

function errorMessage(json: unknown): string {
  const error = typeof json === "object" && json !== null && "error" in json ? json.error : undefined;
  return typeof error === "object" && error !== null && "message" in error ? String(error.message) : "";
}

describe("the seeded estate", () => {
  for (const env of environmentNames) {
    test(`${env}: every function has a log group, LastModified on the deployment timeline`, async () => {
      const names = namesFor(env);
      const now = Date.now();
      for (const service of ["tenant-instance-management", "access-management"] as const) {
        for (const functionName of functionsOf(service, env)) {
          const events = await aws(env).logs.send(
            new FilterLogEventsCommand({
              logGroupName: `/aws/lambda/${functionName}`,
              startTime: now - 24 * HOUR,
              filterPattern: "REPORT",
            }),
          );
          assert.ok((events.events ?? []).length >= 24, `${functionName}: REPORT lines over 24 h`);
          const errorsLastHour = await aws(env).logs.send(
            new FilterLogEventsCommand({
              logGroupName: `/aws/lambda/${functionName}`,
              startTime: now - HOUR,
              filterPattern: "ERROR",
            }),
          );
          assert.deepEqual(errorsLastHour.events ?? [], [], `${functionName}: no ERROR in the last hour`);

          const alias = await aws(env).lambda.send(
            new GetAliasCommand({ FunctionName: functionName, Name: names.liveAlias }),
          );
          const live = await aws(env).lambda.send(
            new GetFunctionConfigurationCommand({
              FunctionName: functionName,
              Qualifier: alias.FunctionVersion,
            }),
          );
          const liveAge = now - Date.parse(live.LastModified ?? "");
          assert.ok(Math.abs(liveAge - 26 * HOUR) < 5 * 60_000, `${functionName}: live version 26 h old`);
          const versions = await aws(env).lambda.send(
            new ListVersionsByFunctionCommand({ FunctionName: functionName }),
          );
          const published = (versions.Versions ?? [])
            .filter((v) => v.Version !== "$LATEST")
            .map((v) => Date.parse(v.LastModified ?? ""));
          for (let i = 1; i < published.length; i++) {
            assert.equal((published[i] ?? 0) - (published[i - 1] ?? 0), 7 * 24 * HOUR, "a week apart");
          }
        }
      }
      const records = await aws(env).ddb.send(
        new QueryCommand({
          TableName: names.tables.deployments,
          KeyConditionExpression: "PK = :pk",
          ExpressionAttributeValues: { ":pk": { S: `DEPLOYMENT#${names.tenantFunction}` } },
          ScanIndexForward: false,
          Limit: 1,
        }),
      );
      const newest = records.Items?.[0];
      const config3 = await aws(env).lambda.send(
        new GetFunctionConfigurationCommand({
          FunctionName: names.tenantFunction,
          Qualifier: newest?.functionVersion?.S,
        }),
      );
      assert.equal(Date.parse(config3.LastModified ?? ""), Date.parse(newest?.deployedAt?.S ?? ""));
    });
  }

  test("dev: the one tenant error about 5 h ago has its ERROR log event", async () => {
    const fn = namesFor("dev").tenantFunction;
    const now = Date.now();
    const events = await aws("dev").logs.send(
      new FilterLogEventsCommand({
        logGroupName: `/aws/lambda/${fn}`,
        startTime: now - 24 * HOUR,
        filterPattern: "ERROR",
      }),
    );
    const found = events.events ?? [];
    assert.equal(found.length, 1);
    const age = now - (found[0]?.timestamp ?? 0);
    assert.ok(age > 4.9 * HOUR && age < 5 * HOUR, `ERROR ${age} ms ago`);
    assert.match(found[0]?.message ?? "", /\tERROR\tInvoke Error \t\{"errorType"/);
  });
});

describe("POST /seed", () => {
  test("metric: the last hour sees errors seeded 30 min ago, not those seeded 2 h ago, under every dimension set", async () => {
    const w1 = lastHours(1);
    const w24 = lastHours(24);
    const fn = namesFor("sit").tenantFunction;
    const before1h = await sum("sit", fn, "Errors", w1);
    const before24h = await sum("sit", fn, "Errors", w24);
    const invocationsBefore = await sum("sit", fn, "Invocations", w1);
    const result = await sandbox.seed("sit", [
      { kind: "metric", functionName: fn, metric: "Errors", value: 10, minutesAgo: 30 },
      { kind: "metric", functionName: fn, metric: "Errors", value: 7, minutesAgo: 120 },
    ]);
    assert.equal(result.applied.length, 2);
    assert.equal((await sum("sit", fn, "Errors", w1)).sum, before1h.sum + 10);
    assert.equal((await sum("sit", fn, "Errors", w24)).sum, before24h.sum + 17);
    // Failed invocations are invocations.
    assert.equal((await sum("sit", fn, "Invocations", w1)).sum, invocationsBefore.sum + 10);
    const alias = { Name: "Resource", Value: `${fn}:latest-sit` };
    const executed = { Name: "ExecutedVersion", Value: "3" };
    for (const extra of [[alias], [executed], [alias, executed]]) {
      const under = await sum("sit", fn, "Errors", w1, extra);
      assert.ok(under.sum >= 10, `Errors under ${JSON.stringify(extra)}`);
    }
    // GetMetricData sees the same as GetMetricStatistics.
    const end = new Date(Date.now() + 60_000);
    const data = await aws("sit").cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(end.getTime() - HOUR - 60_000),
        EndTime: end,
        MetricDataQueries: [
          {
            Id: "errors",
            MetricStat: {
              Metric: {
                Namespace: "AWS/Lambda",
                MetricName: "Errors",
                Dimensions: [{ Name: "FunctionName", Value: fn }],
              },
              Period: 3660,
              Stat: "Sum",
            },
          },
        ],
      }),
    );
    const values = data.MetricDataResults?.[0]?.Values ?? [];
    assert.equal(
      values.reduce((a, b) => a + b, 0),
      before1h.sum + 10,
    );
  });

  test("metric: Throttles are not invocations; Duration is one sample", async () => {
    const w1 = lastHours(1);
    const fn = namesFor("prod").accessFunction("audit");
    const invocations = await sum("prod", fn, "Invocations", w1);
    await sandbox.seed("prod", [
      { kind: "metric", functionName: fn, metric: "Throttles", value: 4, minutesAgo: 10 },
      { kind: "metric", functionName: fn, metric: "Duration", value: 9000, minutesAgo: 10 },
    ]);
    assert.equal((await sum("prod", fn, "Throttles", w1)).sum, 4);
    assert.equal((await sum("prod", fn, "Invocations", w1)).sum, invocations.sum);
    const end = new Date(Date.now() + 60_000);
    const max = await aws("prod").cw.send(
      new GetMetricStatisticsCommand({
        Namespace: "AWS/Lambda",
        MetricName: "Duration",
        Dimensions: [{ Name: "FunctionName", Value: fn }],
        StartTime: new Date(end.getTime() - HOUR),
        EndTime: end,
        Period: 3600,
        Statistics: ["Maximum"],
      }),
    );
    assert.equal(max.Datapoints?.[0]?.Maximum, 9000);
  });

  test("clear-metrics: no datapoints at all in 24 h, under any dimension set; then only what is seeded", async () => {
    const w24 = lastHours(24);
    const fn = namesFor("dev").accessFunction("roles");
    assert.ok((await sum("dev", fn, "Invocations", w24)).datapoints > 0);
    const result = await sandbox.seed("dev", [{ kind: "clear-metrics", functionName: fn }]);
    const applied = result.applied[0];
    assert.ok(applied?.kind === "clear-metrics" && applied.removedDatapoints > 0);
    for (const metric of ["Invocations", "Errors", "Throttles", "Duration"]) {
      assert.equal((await sum("dev", fn, metric, w24)).datapoints, 0, metric);
      const resource = [{ Name: "Resource", Value: `${fn}:latest-dev` }];
      assert.equal((await sum("dev", fn, metric, w24, resource)).datapoints, 0, `${metric} by Resource`);
    }
    // Other functions keep their history.
    assert.ok((await sum("dev", namesFor("dev").accessFunction("audit"), "Invocations", w24)).datapoints > 0);
    await sandbox.seed("dev", [
      { kind: "metric", functionName: fn, metric: "Invocations", value: 100, minutesAgo: 5 },
    ]);
    assert.deepEqual(await sum("dev", fn, "Invocations", w24), { sum: 100, datapoints: 1 });
    assert.deepEqual(await sum("dev", fn, "Errors", w24), { sum: 0, datapoints: 1 });
  });

  test("clear-metrics sinceHoursAgo keeps the older history", async () => {
    const w1 = lastHours(1);
    const w24 = lastHours(24);
    const fn = namesFor("prod").tenantFunction;
    await sandbox.seed("prod", [{ kind: "clear-metrics", functionName: fn, sinceHoursAgo: 2 }]);
    assert.equal((await sum("prod", fn, "Invocations", w1)).datapoints, 0);
    assert.ok((await sum("prod", fn, "Invocations", w24)).sum > 0);
  });

  test("log: FilterLogEvents ERROR in the last hour finds the seeded line, in the functions' format", async () => {
    const fn = namesFor("sit").accessFunction("authorizer");
    const at = new Date(Date.now() - 20 * 60_000).toISOString();
    await sandbox.seed("sit", [
      { kind: "log", functionName: fn, level: "ERROR", message: "token verification failed", at },
      { kind: "log", functionName: fn, message: "just info", minutesAgo: 10 },
    ]);
    const found = await aws("sit").logs.send(
      new FilterLogEventsCommand({
        logGroupName: `/aws/lambda/${fn}`,
        startTime: Date.now() - HOUR,
        filterPattern: "ERROR",
      }),
    );
    assert.equal(found.events?.length, 1);
    const event = found.events?.[0];
    assert.equal(event?.timestamp, Date.parse(at));
    const [time, , level, json] = (event?.message ?? "").split("\t");
    assert.equal(time, at);
    assert.equal(level, "ERROR");
    assert.deepEqual(JSON.parse(json ?? "{}"), {
      level: "ERROR",
      message: "token verification failed",
      timestamp: at,
      service: "access-management",
    });
    assert.match(event?.logStreamName ?? "", /^\d{4}\/\d{2}\/\d{2}\/\[2\][0-9a-f]{32}$/);
    // A JSON filter on the level finds it too; the INFO line is there, and not an error.
    const byLevel = async (filterPattern: string) =>
      (
        await aws("sit").logs.send(
          new FilterLogEventsCommand({
            logGroupName: `/aws/lambda/${fn}`,
            startTime: Date.now() - HOUR,
            filterPattern,
          }),
        )
      ).events?.map((e) => JSON.parse(e.message?.split("\t")[3] ?? "{}").message) ?? [];
    assert.deepEqual(await byLevel('{ $.level = "ERROR" }'), ["token verification failed"]);
    assert.ok((await byLevel('{ $.level = "INFO" }')).includes("just info"));
  });

  test("alarm-state: ALARM is held through evaluations until set OK", async () => {
    const alarmName = `${namesFor("dev").tenantAlarmPrefix}-throttles`;
    const read = async () =>
      (
        await aws("dev").cw.send(
          new DescribeAlarmsCommand({
            AlarmNamePrefix: namesFor("dev").tenantAlarmPrefix,
            StateValue: "ALARM",
          }),
        )
      ).MetricAlarms?.map((alarm) => alarm.AlarmName) ?? [];
    await sandbox.seed("dev", [{ kind: "alarm-state", alarmName, state: "ALARM" }]);
    assert.deepEqual(await read(), [alarmName]);
    // Evaluation runs every second, and new data triggers one at once.
    await sandbox.seed("dev", [
      { kind: "metric", functionName: namesFor("dev").tenantFunction, metric: "Invocations", value: 1 },
    ]);
    await sleep(1_500);
    assert.deepEqual(await read(), [alarmName]);
    await sandbox.seed("dev", [{ kind: "alarm-state", alarmName, state: "OK" }]);
    await sleep(1_500);
    assert.deepEqual(await read(), []);
  });

  test("alarm-state with hold false is what SetAlarmState does: the next evaluation follows the data", async () => {
    const alarmName = namesFor("prod").accessAlarm("roles");
    await sandbox.seed("prod", [{ kind: "alarm-state", alarmName, state: "ALARM", hold: false }]);
    await sleep(1_500);
    const alarms = await aws("prod").cw.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }));
    assert.equal(alarms.MetricAlarms?.[0]?.StateValue, "OK");
  });

  test("deployment-age: the record and LastModified agree; earlier versions stay before it", async () => {
    const names = namesFor("sit");
    const fn = names.tenantFunction;
    const result = await sandbox.seed("sit", [{ kind: "deployment-age", functionName: fn, hoursAgo: 3 }]);
    const applied = result.applied[0];
    assert.ok(applied?.kind === "deployment-age");
    assert.equal(applied.functionVersion, "3");
    assert.deepEqual(applied.movedBack, []);
    const live = await aws("sit").lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: names.liveAlias }),
    );
    const lastModified = Date.parse(live.LastModified ?? "");
    assert.ok(Math.abs(Date.now() - 3 * HOUR - lastModified) < 60_000);
    const records = await aws("sit").ddb.send(
      new QueryCommand({
        TableName: names.tables.deployments,
        KeyConditionExpression: "PK = :pk",
        ExpressionAttributeValues: { ":pk": { S: `DEPLOYMENT#${fn}` } },
        ScanIndexForward: false,
      }),
    );
    const items = records.Items ?? [];
    assert.equal(items.length, 3, "one record per version, none duplicated");
    assert.equal(items[0]?.functionVersion?.S, "3");
    assert.equal(Date.parse(items[0]?.deployedAt?.S ?? ""), lastModified);
    assert.equal(items[0]?.SK?.S, items[0]?.deployedAt?.S);

    // Older than the previous deploy: the previous one moves a week before it.
    const older = await sandbox.seed("sit", [
      { kind: "deployment-age", functionName: fn, hoursAgo: 24 * 10 },
    ]);
    const moved = older.applied[0];
    assert.ok(moved?.kind === "deployment-age");
    assert.deepEqual(
      moved.movedBack.map((entry) => entry.functionVersion),
      ["2", "1"],
    );
    const after = await aws("sit").ddb.send(
      new QueryCommand({
        TableName: names.tables.deployments,
        KeyConditionExpression: "PK = :pk",
        ExpressionAttributeValues: { ":pk": { S: `DEPLOYMENT#${fn}` } },
        ScanIndexForward: false,
      }),
    );
    assert.deepEqual(
      after.Items?.map((item) => item.functionVersion?.S),
      ["3", "2", "1"],
    );
    const v2 = await aws("sit").lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: "2" }),
    );
    assert.equal(Date.parse(v2.LastModified ?? ""), Date.parse(after.Items?.[1]?.deployedAt?.S ?? ""));
  });

  test("deployment-age for access management: LastModified of the version behind the alias", async () => {
    const fn = namesFor("dev").accessFunction("audit");
    const result = await sandbox.seed("dev", [{ kind: "deployment-age", functionName: fn, hoursAgo: 1 }]);
    assert.ok(result.applied[0]?.kind === "deployment-age" && result.applied[0].record === null);
    const live = await aws("dev").lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: "latest-dev" }),
    );
    assert.ok(Math.abs(Date.now() - HOUR - Date.parse(live.LastModified ?? "")) < 60_000);
  });

  test("ssm: PutParameter overwrites the deployed version", async () => {
    const name = namesFor("prod").ssmDeployedVersion;
    const result = await control("/seed", { env: "prod", actions: [{ kind: "ssm", name, value: "v0.9.0" }] });
    assert.equal(result.status, 200);
    const read = await aws("prod").ssm.send(new GetParameterCommand({ Name: name }));
    assert.equal(read.Parameter?.Value, "v0.9.0");
  });

  test("a bad request is refused whole (400), naming every problem and the valid values", async () => {
    const fn = namesFor("dev").tenantFunction;
    const actions: unknown[] = [
      { kind: "ssm", name: "/seed-test/not-applied", value: "x" },
      { kind: "metric", functionName: "bbws-nope-dev", metric: "Errors", value: 1 },
      { kind: "metric", functionName: fn, metric: "Latency", value: 1 },
      {
        kind: "metric",
        functionName: fn,
        metric: "Errors",
        value: 1,
        minutesAgo: 5,
        at: "2026-01-01T00:00:00Z",
      },
      { kind: "metric", functionName: fn, metric: "Errors", value: 2.5 },
      { kind: "log", functionName: fn, message: "x", colour: "red" },
      { kind: "rewind" },
      { kind: "alarm-state", alarmName: "no-such-alarm", state: "ALARM" },
    ];
    const bad = await control("/seed", { env: "dev", actions });
    assert.equal(bad.status, 400);
    const message = errorMessage(bad.json);
    assert.match(message, /nothing was applied/);
    assert.match(
      message,
      /actions\[1\]\.functionName: unknown function "bbws-nope-dev" in dev; valid functions: bbws-tenant-instance-management-dev, bbws-access-dev-lambda-authorizer/,
    );
    assert.match(
      message,
      /actions\[2\]\.metric: unknown metric "Latency"; valid metrics: Errors, Throttles, Invocations, Duration/,
    );
    assert.match(message, /actions\[3\]: give at or minutesAgo, not both/);
    assert.match(message, /actions\[4\]: value of a Errors datapoint is a count of invocations/);
    assert.match(
      message,
      /actions\[5\]: unknown field "colour"; a log action takes kind, functionName, message, level, at, minutesAgo/,
    );
    assert.match(
      message,
      /actions\[6\]\.kind: unknown action "rewind"; valid kinds: metric, clear-metrics, log, alarm-state, deployment-age, ssm/,
    );
    await assert.rejects(
      aws("dev").ssm.send(new GetParameterCommand({ Name: "/seed-test/not-applied" })),
      /ParameterNotFound/,
    );

    // What only the running sandbox knows is checked before anything is applied, too.
    const alarm = await control("/seed", {
      env: "dev",
      actions: [actions[0], actions[7]],
    });
    assert.equal(alarm.status, 400);
    assert.match(
      errorMessage(alarm.json),
      /actions\[1\]\.alarmName: unknown alarm "no-such-alarm" in dev; alarms: bbws-access-dev-lambda-audit-errors/,
    );
    await assert.rejects(
      aws("dev").ssm.send(new GetParameterCommand({ Name: "/seed-test/not-applied" })),
      /ParameterNotFound/,
    );

    const env = await control("/seed", { env: "qa", actions: [] });
    assert.equal(env.status, 400);
    assert.match(errorMessage(env.json), /env: unknown environment "qa"; valid environments: dev, sit, prod/);
    const extra = await control("/seed", { env: "dev", actions: [], when: "now" });
    assert.match(errorMessage(extra.json), /unknown field "when"; a seed request takes env, actions/);
    const future = await control("/seed", {
      env: "dev",
      actions: [
        { kind: "log", functionName: fn, message: "x", at: new Date(Date.now() + HOUR).toISOString() },
      ],
    });
    assert.match(errorMessage(future.json), /is in the future/);
    assert.equal((await control("/seed", "{not json")).status, 400);
    assert.equal((await control("/seed", { env: "dev", actions: [] }, "wrong-token")).status, 401);
    await assert.rejects(
      sandbox.seed("dev", [{ kind: "ssm", name: "no spaces allowed", value: "x" } as SeedActionInput]),
      SandboxUsageError,
    );
  });

  test("an unknown control route lists the routes, /seed among them", async () => {
    const response = await control("/rewind", {});
    assert.equal(response.status, 404);
    assert.match(
      errorMessage(response.json),
      /Routes: GET \/health, POST \/deploy, POST \/seed, POST \/api-latency\./,
    );
  });
});

describe("npm run sandbox -- seed", () => {
  test("--file applies the actions and prints the summary; usage errors exit 2; no sandbox exits 3", async () => {
    const w1 = lastHours(1);
    const fn = namesFor("prod").accessFunction("authorizer");
    const file = join(stateDir, "actions.json");
    await writeFile(
      file,
      JSON.stringify([{ kind: "metric", functionName: fn, metric: "Errors", value: 3, minutesAgo: 15 }]),
    );
    const before1h = await sum("prod", fn, "Errors", w1);
    const run = await sandboxCli(["seed", "--env", "prod", "--file", file, "--state-dir", stateDir]);
    assert.equal(run.code, 0, run.stderr);
    const printed: unknown = JSON.parse(run.stdout);
    assert.ok(typeof printed === "object" && printed !== null && "applied" in printed);
    assert.equal((await sum("prod", fn, "Errors", w1)).sum, before1h.sum + 3);

    const inline = await sandboxCli([
      "seed",
      "--env",
      "prod",
      "--json",
      JSON.stringify({ actions: [{ kind: "alarm-state", alarmName: "nope", state: "OK" }] }),
      "--state-dir",
      stateDir,
    ]);
    assert.equal(inline.code, 2);
    assert.match(inline.stderr, /unknown alarm "nope" in prod/);
    const local = await sandboxCli([
      "seed",
      "--env",
      "prod",
      "--json",
      '[{"kind":"rewind"}]',
      "--state-dir",
      stateDir,
    ]);
    assert.equal(local.code, 2);
    assert.match(local.stderr, /unknown action "rewind"/);
    const neither = await sandboxCli(["seed", "--env", "prod", "--state-dir", stateDir]);
    assert.equal(neither.code, 2);
    assert.match(neither.stderr, /--file <actions.json> or --json/);
    const notJson = await sandboxCli(["seed", "--env", "prod", "--json", "[", "--state-dir", stateDir]);
    assert.equal(notJson.code, 2);
    const empty = await mkdtemp(join(tmpdir(), "bbws-sandbox-seed-none-"));
    try {
      const none = await sandboxCli(["seed", "--env", "dev", "--json", "[]", "--state-dir", empty]);
      assert.equal(none.code, 3);
      assert.match(none.stderr, /No sandbox is running/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

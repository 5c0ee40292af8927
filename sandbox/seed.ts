/**
 * Seeds one environment with a live-looking estate (docs/sandbox-interface.md, "Seeded estate"):
 * tables, functions with published versions and aliases, alarms, SSM, 24 h of healthy metrics, the
 * deployment record, a sparse log history that agrees with the metrics, and a few tenants. Functions,
 * versions, aliases, tables and items go through the AWS wire APIs with the environment's credentials, as
 * the workflows create them; the metric and log history, the alarms and the SSM parameter go through
 * sandbox/aws's in-process services (same validation), because the start-up budget (3 s for everything)
 * has no room for thousands of HTTP round trips. The versions' LastModified is backdated in-process too
 * (Lambda has no API for it), so it agrees with the deployment records.
 */
import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { Credentials } from "./accounts.ts";
import { lambdaHandler, lambdaRuntime } from "./api-common/package-manifest.ts";
import type { PutMetricAlarmInput, PutMetricDataInput, PutParameterInput } from "./aws/index.ts";
import { awsSdk } from "./aws-sdk.ts";
import type { CognitoEnvironment } from "./cognito-setup.ts";
import { describeError, SandboxStartError } from "./errors.ts";
import { invocationEvents, type LogEvent, logGroupOf, logStreamOf } from "./function-logs.ts";
import {
  type AccessFunctionKind,
  accessFunctionKinds,
  type EnvironmentName,
  namesFor,
  type ServiceName,
} from "./manifest.ts";
import type { BuildSpec } from "./packaging/index.ts";
import type { PackageBuilder } from "./packaging/package-cache.ts";
import { newId } from "./tenant-api/ids.ts";
import { tableDefinitions } from "./tenant-api/tables.ts";

/** App versions published for the tenant function (versions 1, 2, 3) and the access functions (1, 2). */
export const seededTenantVersions = ["1.2.0", "1.3.0", "1.4.0"] as const;
export const seededAccessVersions = ["1.2.0", "1.3.0"] as const;

/** Every package the seed publishes, so start-up can build them while the services start. */
export const seedPackageSpecs: BuildSpec[] = [
  ...seededTenantVersions.map(
    (appVersion): BuildSpec => ({ service: "tenant-instance-management", appVersion }),
  ),
  ...accessFunctionKinds.flatMap((accessFunction) =>
    seededAccessVersions.map(
      (appVersion): BuildSpec => ({ service: "access-management", appVersion, accessFunction }),
    ),
  ),
];

/** How long ago the live version was deployed: past the runbook's 24 h stability window. */
const liveSinceMs = 26 * 60 * 60 * 1000;
const weekMs = 7 * 86_400_000;
const historyMinutes = 24 * 60;
const versionHistoryMinutes = 3 * 60;
/** One logged invocation per function every this many minutes of the history: sparse, cheap at start-up. */
const logEveryMinutes = 30;
/** DEV's tenant function failed once about five hours ago (metrics and logs agree). */
const devTenantErrorMinutesAgo = 297;

type MetricDatum = PutMetricDataInput["MetricData"][number];

/** PutMetricData's limit per call, which the in-process API enforces as the wire API does. */
const metricBatchSize = 1000;

/**
 * The in-process side of sandbox/aws used for what the seed does in bulk or what Terraform would have
 * configured (alarms, the SSM parameter): same validation as the wire API, without the HTTP round trips.
 */
export interface SeedPlatform {
  cloudwatch: {
    putMetricData(accountId: string, region: string, input: PutMetricDataInput): void;
    putMetricAlarm(accountId: string, region: string, input: PutMetricAlarmInput): void;
  };
  ssm: { putParameter(accountId: string, region: string, input: PutParameterInput): unknown };
  logs: {
    putLogEvents(
      accountId: string,
      region: string,
      input: { logGroupName: string; logStreamName: string; logEvents: LogEvent[] },
    ): void;
  };
  lambda: {
    setLastModified(
      accountId: string,
      region: string,
      functionName: string,
      version: string,
      lastModified: Date,
    ): void;
  };
}

export interface SeedInput {
  env: EnvironmentName;
  accountId: string;
  region: string;
  credentials: Credentials;
  awsEndpoint: string;
  cognito: CognitoEnvironment;
  build: PackageBuilder;
  platform: SeedPlatform;
  now?: Date;
  log?: ((line: string) => void) | undefined;
}

export interface PublishedVersion {
  version: string;
  appVersion: string;
  codeSha256: string;
}

export interface SeededFunction {
  functionName: string;
  liveVersion: string;
  appVersion: string;
  codeSha256: string;
  versions: PublishedVersion[];
}

/** A small deterministic generator so every start seeds the same-looking history. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Backdated 1-minute AWS/Lambda datapoints for one function: 20-60 invocations a minute, durations of
 * 30-120 ms as Values/Counts (so percentiles are meaningful), no throttles, errors only where asked.
 * The last `historyMinutes` (24 h) are recorded under {FunctionName} (what the runbooks' 24-hour checks
 * read) and {FunctionName, Resource = fn:alias}; the last `versionHistoryMinutes` (3 h) also under the
 * per-executed-version sets an alias invocation adds ({FunctionName, ExecutedVersion} and
 * {FunctionName, Resource, ExecutedVersion}). Version-level history is shorter because every
 * series-minute costs start-up time and memory, and 24 h of all four sets for twelve functions would
 * take a third of the 3 s start-up budget.
 */
export function* lambdaMetricHistory(options: {
  functionName: string;
  alias: string;
  executedVersion: string;
  now: Date;
  errorMinutesAgo?: readonly number[];
  historyMinutes?: number;
  versionHistoryMinutes?: number;
}): Generator<MetricDatum[]> {
  const random = mulberry32(hash(options.functionName));
  const endMinute = Math.floor(options.now.getTime() / 60_000) * 60_000;
  const fn = { Name: "FunctionName", Value: options.functionName };
  const resource = { Name: "Resource", Value: `${options.functionName}:${options.alias}` };
  const version = { Name: "ExecutedVersion", Value: options.executedVersion };
  const aliasSets = [[fn], [fn, resource]];
  const versionSets = [...aliasSets, [fn, version], [fn, resource, version]];
  const total = options.historyMinutes ?? historyMinutes;
  const versionMinutes = options.versionHistoryMinutes ?? versionHistoryMinutes;
  const errorMinutes = new Set(options.errorMinutesAgo ?? []);
  // Batches of at most PutMetricData's 1000 members, generated as consumed to keep the peak heap small.
  let data: MetricDatum[] = [];
  for (let minutesAgo = total; minutesAgo >= 1; minutesAgo--) {
    const timestamp = new Date(endMinute - minutesAgo * 60_000);
    const invocations = 20 + Math.floor(random() * 41);
    const values: number[] = [];
    const counts: number[] = [];
    let remaining = invocations;
    for (let bucket = 0; bucket < 6 && remaining > 0; bucket++) {
      const count =
        bucket === 5 ? remaining : Math.min(remaining, 1 + Math.floor(random() * (invocations / 3)));
      // Most requests are fast; the tail reaches 120 ms so p95 sits around 100 ms.
      values.push(Math.round((30 + random() * (bucket < 4 ? 50 : 90)) * 10) / 10);
      counts.push(count);
      remaining -= count;
    }
    const errors = errorMinutes.has(minutesAgo) ? 1 : 0;
    if (data.length + 4 * versionSets.length > metricBatchSize) {
      yield data;
      data = [];
    }
    for (const Dimensions of minutesAgo <= versionMinutes ? versionSets : aliasSets) {
      data.push(
        { MetricName: "Invocations", Dimensions, Timestamp: timestamp, Value: invocations, Unit: "Count" },
        { MetricName: "Errors", Dimensions, Timestamp: timestamp, Value: errors, Unit: "Count" },
        { MetricName: "Throttles", Dimensions, Timestamp: timestamp, Value: 0, Unit: "Count" },
        {
          MetricName: "Duration",
          Dimensions,
          Timestamp: timestamp,
          Values: values,
          Counts: counts,
          Unit: "Milliseconds",
        },
      );
    }
  }
  if (data.length > 0) yield data;
}

/**
 * When each published version went out: the live (last) one `liveSinceMs` (26 h) before `now`, each
 * earlier one a week before the next. The deployment records and the versions' LastModified both use it.
 */
export function deploymentTimes(count: number, now: Date): Date[] {
  return Array.from(
    { length: count },
    (_, index) => new Date(now.getTime() - liveSinceMs - (count - 1 - index) * weekMs),
  );
}

/**
 * A sparse log history that agrees with lambdaMetricHistory: one logged invocation of the live version
 * every `logEveryMinutes` over the last 24 h (START, the handler's request line, END, REPORT) and, at
 * each of `errorMinutesAgo`, a failed invocation with the runtime's `ERROR Invoke Error` line.
 */
export function logHistory(options: {
  functionName: string;
  service: ServiceName;
  version: string;
  now: Date;
  errorMinutesAgo?: readonly number[];
}): Map<string, LogEvent[]> {
  const random = mulberry32(hash(`logs:${options.functionName}`));
  const endMinute = Math.floor(options.now.getTime() / 60_000) * 60_000;
  const streams = new Map<string, LogEvent[]>();
  const add = (minutesAgo: number, error: boolean) => {
    const start = endMinute - minutesAgo * 60_000 + Math.floor(random() * 50_000);
    const stream = logStreamOf(options.version, start, `seed:${options.functionName}`);
    const events = invocationEvents({
      start,
      version: options.version,
      service: options.service,
      durationMs: Math.round((30 + random() * 60) * 100) / 100,
      ...(error
        ? {
            error: {
              errorType: "Runtime.UnhandledPromiseRejection",
              errorMessage: "Connection reset by peer",
            },
          }
        : {}),
    });
    const list = streams.get(stream);
    if (list) list.push(...events);
    else streams.set(stream, events);
  };
  const errors = new Set(options.errorMinutesAgo ?? []);
  for (let minutesAgo = historyMinutes; minutesAgo >= 1; minutesAgo--) {
    if (errors.has(minutesAgo)) add(minutesAgo, true);
    else if (minutesAgo % logEveryMinutes === 0) add(minutesAgo, false);
  }
  return streams;
}

/** Marshals the plain values the seed writes (strings, null, string maps) into DynamoDB attribute values. */
function marshal(
  item: Record<string, string | null | Record<string, string>>,
): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(item)) {
    if (value === null) out[key] = { NULL: true };
    else if (typeof value === "string") out[key] = { S: value };
    else out[key] = { M: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, { S: v }])) };
  }
  return out;
}

interface Clients {
  lambda: LambdaClient;
  dynamodb: DynamoDBClient;
}

async function createClients(input: SeedInput): Promise<Clients> {
  const [lambda, dynamodb] = [awsSdk.lambda(), awsSdk.dynamodb()];
  const config = {
    endpoint: input.awsEndpoint,
    region: input.region,
    credentials: input.credentials,
  };
  return { lambda: new lambda.LambdaClient(config), dynamodb: new dynamodb.DynamoDBClient(config) };
}

/** Seeds one environment; throws SandboxStartError naming the step that failed. */
export async function seedEnvironment(input: SeedInput): Promise<void> {
  const now = input.now ?? new Date();
  const names = namesFor(input.env);
  const clients = await createClients(input);
  const seedStarted = performance.now();
  const step = async <T>(name: string, action: () => Promise<T>): Promise<T> => {
    try {
      const result = await action();
      const cpu = process.cpuUsage();
      input.log?.(
        `seed ${input.env}: ${name} done at +${Math.round(performance.now() - seedStarted)} ms (process CPU ${Math.round((cpu.user + cpu.system) / 1000)} ms)`,
      );
      return result;
    } catch (error) {
      throw new SandboxStartError(
        `Seeding ${input.env} failed at ${name}: ${describeError(error)}. Restart the sandbox; if it fails again, run with quiet: false to see the services' logs.`,
        { cause: error },
      );
    }
  };
  try {
    const { CreateTableCommand } = awsSdk.dynamodb();
    await step("CreateTable", () =>
      Promise.all(
        tableDefinitions(input.env).map((table) => clients.dynamodb.send(new CreateTableCommand(table))),
      ),
    );

    const functionEnvironment = {
      TENANTS_TABLE: names.tables.tenants,
      INSTANCES_TABLE: names.tables.instances,
      INVITATIONS_TABLE: names.tables.invitations,
      DEPLOYMENTS_TABLE: names.tables.deployments,
      COGNITO_ISSUER: input.cognito.issuer,
      COGNITO_CLIENT_ID: input.cognito.clientId,
      ENVIRONMENT: input.env,
    };
    const accessEnvironment = { ENVIRONMENT: input.env };

    const [tenant, ...access] = await Promise.all([
      step(`publishing ${names.tenantFunction}`, () =>
        publishFunction(clients, input, {
          functionName: names.tenantFunction,
          versions: seededTenantVersions,
          build: (appVersion) => input.build({ service: "tenant-instance-management", appVersion }),
          environment: functionEnvironment,
          description: "BBWS Tenant and Instance Management API",
        }),
      ),
      ...accessFunctionKinds.map((kind: AccessFunctionKind) =>
        step(`publishing ${names.accessFunction(kind)}`, () =>
          publishFunction(clients, input, {
            functionName: names.accessFunction(kind),
            versions: seededAccessVersions,
            build: (appVersion) =>
              input.build({ service: "access-management", appVersion, accessFunction: kind }),
            environment: { ...accessEnvironment, ACCESS_FUNCTION: kind },
            description: `BBWS Access Management ${kind}`,
          }),
        ),
      ),
    ]);
    if (!tenant) throw new SandboxStartError(`Seeding ${input.env} published no tenant function.`);
    const functions = [tenant, ...access];

    // History first, alarms after: an alarm created over healthy data starts (and stays) OK.
    await step("PutMetricData (24 h history)", async () => {
      for (const fn of functions) {
        const batches = lambdaMetricHistory({
          functionName: fn.functionName,
          alias: names.liveAlias,
          executedVersion: fn.liveVersion,
          now,
          // DEV had one error about five hours ago: realistic, and far below every threshold.
          ...(input.env === "dev" && fn === tenant ? { errorMinutesAgo: [devTenantErrorMinutesAgo] } : {}),
        });
        for (const MetricData of batches) {
          input.platform.cloudwatch.putMetricData(input.accountId, input.region, {
            Namespace: "AWS/Lambda",
            MetricData,
          });
        }
      }
    });

    await step("LastModified and log history", async () => {
      for (const fn of functions) {
        const service: ServiceName = fn === tenant ? "tenant-instance-management" : "access-management";
        // What Lambda would show had each version been published when its deployment went out.
        const times = deploymentTimes(fn.versions.length, now);
        for (const [index, published] of fn.versions.entries()) {
          const time = times[index] ?? now;
          input.platform.lambda.setLastModified(
            input.accountId,
            input.region,
            fn.functionName,
            published.version,
            time,
          );
        }
        const liveTime = times.at(-1) ?? now;
        input.platform.lambda.setLastModified(
          input.accountId,
          input.region,
          fn.functionName,
          "$LATEST",
          liveTime,
        );
        const streams = logHistory({
          functionName: fn.functionName,
          service,
          version: fn.liveVersion,
          now,
          ...(input.env === "dev" && fn === tenant ? { errorMinutesAgo: [devTenantErrorMinutesAgo] } : {}),
        });
        for (const [logStreamName, logEvents] of streams) {
          input.platform.logs.putLogEvents(input.accountId, input.region, {
            logGroupName: logGroupOf(fn.functionName),
            logStreamName,
            logEvents,
          });
        }
      }
    });

    for (const alarm of alarmDefinitions(input.env)) {
      await step(`PutMetricAlarm ${alarm.AlarmName}`, async () =>
        input.platform.cloudwatch.putMetricAlarm(input.accountId, input.region, alarm),
      );
    }
    await step("PutParameter", async () =>
      input.platform.ssm.putParameter(input.accountId, input.region, {
        Name: names.ssmDeployedVersion,
        Value: `v${seededAccessVersions.at(-1)}`,
        Type: "String",
        Overwrite: true,
      }),
    );

    await step("PutItem (deployments, tenants)", () => writeItems(clients, input, tenant, now));
  } finally {
    clients.lambda.destroy();
    clients.dynamodb.destroy();
  }
}

async function publishFunction(
  clients: Clients,
  input: SeedInput,
  spec: {
    functionName: string;
    versions: readonly string[];
    build: (appVersion: string) => Promise<{ zip: Uint8Array; codeSha256: string }>;
    environment: Record<string, string>;
    description: string;
  },
): Promise<SeededFunction> {
  const sdk = awsSdk.lambda();
  const names = namesFor(input.env);
  const packages = await Promise.all(spec.versions.map((version) => spec.build(version)));
  const published: PublishedVersion[] = [];
  for (const [index, appVersion] of spec.versions.entries()) {
    const pkg = packages[index];
    if (!pkg) continue;
    if (index === 0) {
      await clients.lambda.send(
        new sdk.CreateFunctionCommand({
          FunctionName: spec.functionName,
          Runtime: lambdaRuntime,
          Handler: lambdaHandler,
          Role: `arn:aws:iam::${input.accountId}:role/bbws-lambda-execution-role-${input.env}`,
          Code: { ZipFile: pkg.zip },
          Description: spec.description,
          Timeout: 10,
          MemorySize: 256,
          Environment: { Variables: spec.environment },
          Publish: false,
        }),
      );
    } else {
      await clients.lambda.send(
        new sdk.UpdateFunctionCodeCommand({ FunctionName: spec.functionName, ZipFile: pkg.zip }),
      );
    }
    const version = await clients.lambda.send(
      new sdk.PublishVersionCommand({
        FunctionName: spec.functionName,
        Description: appVersion,
        CodeSha256: pkg.codeSha256,
      }),
    );
    if (!version.Version) throw new Error(`PublishVersion of ${spec.functionName} returned no version`);
    published.push({ version: version.Version, appVersion, codeSha256: pkg.codeSha256 });
  }
  const live = published.at(-1);
  const backup = published.at(-2);
  if (!live || !backup) throw new Error(`${spec.functionName} needs at least two published versions`);
  await clients.lambda.send(
    new sdk.CreateAliasCommand({
      FunctionName: spec.functionName,
      Name: names.liveAlias,
      FunctionVersion: live.version,
      Description: `Live traffic for ${input.env}`,
    }),
  );
  await clients.lambda.send(
    new sdk.CreateAliasCommand({
      FunctionName: spec.functionName,
      Name: `backup-${input.env}-v${backup.version}`,
      FunctionVersion: backup.version,
      Description: `Backup of ${names.liveAlias} before ${live.appVersion}`,
    }),
  );
  return {
    functionName: spec.functionName,
    liveVersion: live.version,
    appVersion: live.appVersion,
    codeSha256: live.codeSha256,
    versions: published,
  };
}

/** The alarms Terraform would define for one environment (docs/sandbox-interface.md, "Seeded estate"). */
export function alarmDefinitions(env: EnvironmentName): PutMetricAlarmInput[] {
  const names = namesFor(env);
  const base = (functionName: string) => ({
    Namespace: "AWS/Lambda",
    Dimensions: [{ Name: "FunctionName", Value: functionName }],
    Period: 60,
    EvaluationPeriods: 2,
    DatapointsToAlarm: 2,
    TreatMissingData: "notBreaching" as const,
    ActionsEnabled: false,
  });
  return [
    {
      ...base(names.tenantFunction),
      AlarmName: `${names.tenantAlarmPrefix}-errors`,
      AlarmDescription: "Errors above 5 a minute for 2 minutes",
      MetricName: "Errors",
      Statistic: "Sum" as const,
      Threshold: 5,
      ComparisonOperator: "GreaterThanThreshold" as const,
    },
    {
      ...base(names.tenantFunction),
      AlarmName: `${names.tenantAlarmPrefix}-throttles`,
      AlarmDescription: "Any throttled invocation for 2 minutes",
      MetricName: "Throttles",
      Statistic: "Sum" as const,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold" as const,
    },
    {
      ...base(names.tenantFunction),
      AlarmName: `${names.tenantAlarmPrefix}-duration-p95`,
      AlarmDescription: "p95 duration above 3 s for 2 minutes",
      MetricName: "Duration",
      ExtendedStatistic: "p95",
      Threshold: 3000,
      ComparisonOperator: "GreaterThanThreshold" as const,
    },
    ...accessFunctionKinds.map((kind) => ({
      ...base(names.accessFunction(kind)),
      AlarmName: names.accessAlarm(kind),
      AlarmDescription: "Errors above 5 a minute for 2 minutes",
      MetricName: "Errors",
      Statistic: "Sum" as const,
      Threshold: 5,
      ComparisonOperator: "GreaterThanThreshold" as const,
    })),
  ];
}

/** The deployment history of the tenant function and a few seed tenants, in the contract's layout. */
async function writeItems(
  clients: Clients,
  input: SeedInput,
  tenant: SeededFunction,
  now: Date,
): Promise<void> {
  const { BatchWriteItemCommand } = awsSdk.dynamodb();
  const names = namesFor(input.env);
  const source: Record<EnvironmentName, string | null> = { dev: null, sit: "dev", prod: "sit" };
  // Versions went out a week apart; the live one 26 h ago (their LastModified says the same).
  const times = deploymentTimes(tenant.versions.length, now);
  const deployments = tenant.versions.map((published, index) => {
    const deployedAt = times[index] ?? now;
    return marshal({
      PK: `DEPLOYMENT#${tenant.functionName}`,
      SK: deployedAt.toISOString(),
      functionName: tenant.functionName,
      functionVersion: published.version,
      appVersion: published.appVersion,
      codeSha256: published.codeSha256,
      deployedAt: deployedAt.toISOString(),
      deployedBy: `arn:aws:sts::${input.accountId}:assumed-role/bbws-github-actions-role-${input.env}/GitHubActions`,
      sourceEnvironment: source[input.env],
    });
  });
  const seedTenants = [
    { name: "Acme Holdings", contactEmail: "ops@acme.example", plan: "enterprise", daysAgo: 40 },
    {
      name: "Karoo Coffee Roasters",
      contactEmail: "hello@karoo-coffee.example",
      plan: "business",
      daysAgo: 21,
    },
    { name: "Blue Crane Studio", contactEmail: "admin@bluecrane.example", plan: "starter", daysAgo: 9 },
  ];
  const tenantItems = seedTenants.map((t) => {
    const createdAt = new Date(now.getTime() - t.daysAgo * 86_400_000);
    const id = newId("tenant", createdAt.getTime());
    return marshal({
      PK: "TENANT#",
      SK: id,
      id,
      name: t.name,
      contactEmail: t.contactEmail,
      plan: t.plan,
      status: "active",
      parentId: null,
      tags: { seed: "true" },
      createdAt: createdAt.toISOString(),
      updatedAt: createdAt.toISOString(),
      deletedAt: null,
    });
  });
  await clients.dynamodb.send(
    new BatchWriteItemCommand({
      RequestItems: {
        [names.tables.deployments]: deployments.map((Item) => ({ PutRequest: { Item } })),
        [names.tables.tenants]: tenantItems.map((Item) => ({ PutRequest: { Item } })),
      },
    }),
  );
}

/**
 * Applies seed requests (seed-actions.ts) to a running sandbox: the past a test needs for a check that
 * reads history. What has an AWS API goes through it with the environment's own credentials (GetAlias,
 * ListVersionsByFunction, DescribeAlarms, the deployments table, PutParameter); what AWS only lets time
 * do (backdated AWS/Lambda datapoints, removed history, backdated log events and LastModified, a held
 * alarm state) goes through sandbox/aws's in-process services.
 */
import { randomUUID } from "node:crypto";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { Credentials } from "./accounts.ts";
import type { PutMetricDataInput } from "./aws/index.ts";
import { awsSdk } from "./aws-sdk.ts";
import { describeError, SandboxSeedError, SandboxUsageError } from "./errors.ts";
import { handlerLine, logGroupOf, logStreamOf } from "./function-logs.ts";
import { type EnvironmentName, namesFor, type ServiceName } from "./manifest.ts";
import { parseSeedRequest, type SeedAction, type SeedMetricName } from "./seed-actions.ts";

const HOUR_MS = 60 * 60 * 1000;
const WEEK_MS = 7 * 24 * HOUR_MS;

/** The in-process side of sandbox/aws the seeder needs (AwsSandbox provides it). */
export interface SeederPlatform {
  cloudwatch: {
    putMetricData(accountId: string, region: string, input: PutMetricDataInput): void;
    deleteMetricData(
      accountId: string,
      region: string,
      input: { Namespace: string; Dimension: { Name: string; Value: string }; Since?: Date | undefined },
    ): number;
    setAlarmState(
      accountId: string,
      region: string,
      input: { AlarmName: string; StateValue: string; StateReason: string; holdMs?: number },
    ): void;
  };
  logs: {
    putLogEvents(
      accountId: string,
      region: string,
      input: {
        logGroupName: string;
        logStreamName: string;
        logEvents: Array<{ timestamp: number; message: string }>;
      },
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

export interface SeederTarget {
  awsEndpoint: string;
  environments: Record<EnvironmentName, { accountId: string; region: string; credentials: Credentials }>;
  platform: SeederPlatform;
  now?: () => number;
}

/** What one applied action did (the control route answers these, in request order). */
export type AppliedSeedAction =
  | {
      kind: "metric";
      functionName: string;
      timestamp: string;
      /** Every metric recorded for the datapoint (Errors also count as Invocations, ...). */
      recorded: Array<{ metric: SeedMetricName; sum: number; sampleCount: number }>;
      dimensionSets: Array<Array<{ Name: string; Value: string }>>;
    }
  | { kind: "clear-metrics"; functionName: string; since: string | null; removedDatapoints: number }
  | {
      kind: "log";
      functionName: string;
      logGroupName: string;
      logStreamName: string;
      timestamp: string;
      message: string;
    }
  | { kind: "alarm-state"; alarmName: string; state: string; held: boolean }
  | {
      kind: "deployment-age";
      functionName: string;
      functionVersion: string;
      deployedAt: string;
      /** The SK of the record now saying so; null when the function keeps none or has none for the version. */
      record: string | null;
      /** Earlier versions moved back to stay before it, with their new time. */
      movedBack: Array<{ functionVersion: string; deployedAt: string }>;
    }
  | { kind: "ssm"; name: string; value: string; version: number };

export interface SeedResult {
  env: EnvironmentName;
  applied: AppliedSeedAction[];
}

interface Clients {
  lambda: LambdaClient;
  cloudwatch: CloudWatchClient;
  dynamodb: DynamoDBClient;
  ssm: SSMClient;
}

/** The live version and service of a function, read before anything is applied. */
interface LiveFunction {
  version: string;
  service: ServiceName;
}

function serviceOf(env: EnvironmentName, functionName: string): ServiceName {
  return functionName === namesFor(env).tenantFunction ? "tenant-instance-management" : "access-management";
}

/** Seeds the past of one environment per request; requests to one environment are serialised. */
export class Seeder {
  readonly #target: SeederTarget;
  readonly #now: () => number;
  readonly #clients = new Map<EnvironmentName, Clients>();
  readonly #queues = new Map<EnvironmentName, Promise<unknown>>();

  constructor(target: SeederTarget) {
    this.#target = target;
    this.#now = target.now ?? Date.now;
  }

  #clientsFor(env: EnvironmentName): Clients {
    let clients = this.#clients.get(env);
    if (!clients) {
      const e = this.#target.environments[env];
      const config = { endpoint: this.#target.awsEndpoint, region: e.region, credentials: e.credentials };
      clients = {
        lambda: new (awsSdk.lambda().LambdaClient)(config),
        cloudwatch: new (awsSdk.cloudwatch().CloudWatchClient)(config),
        dynamodb: new (awsSdk.dynamodb().DynamoDBClient)(config),
        ssm: new (awsSdk.ssm().SSMClient)(config),
      };
      this.#clients.set(env, clients);
    }
    return clients;
  }

  /** Validates the whole request (SandboxUsageError, nothing applied), then applies it in order. */
  async seed(input: unknown): Promise<SeedResult> {
    const request = parseSeedRequest(input, this.#now());
    const previous = this.#queues.get(request.env) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.#seed(request.env, request.actions));
    this.#queues.set(request.env, run);
    return run;
  }

  async #seed(env: EnvironmentName, actions: SeedAction[]): Promise<SeedResult> {
    const clients = this.#clientsFor(env);
    const live = await this.#checkAgainstSandbox(env, actions, clients);
    const applied: AppliedSeedAction[] = [];
    for (const [index, action] of actions.entries()) {
      try {
        applied.push(await this.#apply(env, action, clients, live));
      } catch (error) {
        throw new SandboxSeedError(
          `Seeding ${env} failed at actions[${index}] (${action.kind}) after ${index} applied: ${describeError(error)}. ` +
            "The sandbox is still running; the actions before it stay applied.",
          { cause: error },
        );
      }
    }
    return { env, applied };
  }

  /** What only the running sandbox can say: each named function's live version, each alarm's existence. */
  async #checkAgainstSandbox(
    env: EnvironmentName,
    actions: SeedAction[],
    clients: Clients,
  ): Promise<Map<string, LiveFunction>> {
    const names = namesFor(env);
    const sdk = awsSdk.lambda();
    const problems: string[] = [];
    const live = new Map<string, LiveFunction>();
    const needLive = new Set(
      actions.flatMap((action) =>
        action.kind === "metric" || action.kind === "log" || action.kind === "deployment-age"
          ? [action.functionName]
          : [],
      ),
    );
    await Promise.all(
      [...needLive].map(async (functionName) => {
        try {
          const alias = await clients.lambda.send(
            new sdk.GetAliasCommand({ FunctionName: functionName, Name: names.liveAlias }),
          );
          live.set(functionName, {
            version: alias.FunctionVersion ?? "$LATEST",
            service: serviceOf(env, functionName),
          });
        } catch (error) {
          if (!(error instanceof Error) || error.name !== "ResourceNotFoundException") throw error;
          problems.push(
            `  ${functionName}: has no alias ${names.liveAlias} in this sandbox (was it started without the seeded estate, --no-seed?)`,
          );
        }
      }),
    );
    const alarmNames = actions.flatMap((action) => (action.kind === "alarm-state" ? [action.alarmName] : []));
    if (alarmNames.length > 0) {
      const existing = await this.#alarmNames(clients);
      for (const [index, action] of actions.entries()) {
        if (action.kind !== "alarm-state" || existing.includes(action.alarmName)) continue;
        problems.push(
          `  actions[${index}].alarmName: unknown alarm ${JSON.stringify(action.alarmName)} in ${env}; alarms: ${existing.join(", ") || "(none)"}`,
        );
      }
    }
    if (problems.length > 0) {
      throw new SandboxUsageError(
        `The seed request is invalid; nothing was applied:\n${problems.join("\n")}`,
      );
    }
    return live;
  }

  async #alarmNames(clients: Clients): Promise<string[]> {
    const { DescribeAlarmsCommand } = awsSdk.cloudwatch();
    const names: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await clients.cloudwatch.send(new DescribeAlarmsCommand({ MaxRecords: 100, NextToken }));
      for (const alarm of page.MetricAlarms ?? []) if (alarm.AlarmName) names.push(alarm.AlarmName);
      NextToken = page.NextToken;
    } while (NextToken);
    return names;
  }

  async #apply(
    env: EnvironmentName,
    action: SeedAction,
    clients: Clients,
    live: Map<string, LiveFunction>,
  ): Promise<AppliedSeedAction> {
    const e = this.#target.environments[env];
    const platform = this.#target.platform;
    const liveOf = (functionName: string): LiveFunction => {
      const found = live.get(functionName);
      if (!found) throw new Error(`the live version of ${functionName} was not read`);
      return found;
    };
    switch (action.kind) {
      case "metric": {
        const fn = liveOf(action.functionName);
        const dimensionSets = aliasInvocationDimensions(
          action.functionName,
          namesFor(env).liveAlias,
          fn.version,
        );
        const recorded = recordedFor(action.metric, action.value);
        const MetricData: PutMetricDataInput["MetricData"] = recorded.flatMap((entry) =>
          dimensionSets.map((Dimensions) => ({
            MetricName: entry.metric,
            Dimensions,
            Timestamp: action.at,
            Unit: entry.metric === "Duration" ? "Milliseconds" : "Count",
            Values: [entry.sum / entry.sampleCount],
            Counts: [entry.sampleCount],
          })),
        );
        platform.cloudwatch.putMetricData(e.accountId, e.region, { Namespace: "AWS/Lambda", MetricData });
        return {
          kind: "metric",
          functionName: action.functionName,
          timestamp: action.at.toISOString(),
          recorded,
          dimensionSets,
        };
      }
      case "clear-metrics": {
        const since =
          action.sinceHoursAgo === undefined
            ? undefined
            : new Date(this.#now() - action.sinceHoursAgo * HOUR_MS);
        const removedDatapoints = platform.cloudwatch.deleteMetricData(e.accountId, e.region, {
          Namespace: "AWS/Lambda",
          Dimension: { Name: "FunctionName", Value: action.functionName },
          Since: since,
        });
        return {
          kind: "clear-metrics",
          functionName: action.functionName,
          since: since?.toISOString() ?? null,
          removedDatapoints,
        };
      }
      case "log": {
        const fn = liveOf(action.functionName);
        const timestamp = action.at.getTime();
        const event = handlerLine({
          timestamp,
          requestId: randomUUID(),
          level: action.level,
          message: action.message,
          service: fn.service,
        });
        const logGroupName = logGroupOf(action.functionName);
        const logStreamName = logStreamOf(fn.version, timestamp, `seed:${action.functionName}`);
        platform.logs.putLogEvents(e.accountId, e.region, {
          logGroupName,
          logStreamName,
          logEvents: [event],
        });
        return {
          kind: "log",
          functionName: action.functionName,
          logGroupName,
          logStreamName,
          timestamp: action.at.toISOString(),
          message: event.message,
        };
      }
      case "alarm-state":
        platform.cloudwatch.setAlarmState(e.accountId, e.region, {
          AlarmName: action.alarmName,
          StateValue: action.state,
          StateReason: action.reason,
          holdMs: action.hold ? Number.POSITIVE_INFINITY : 0,
        });
        return { kind: "alarm-state", alarmName: action.alarmName, state: action.state, held: action.hold };
      case "deployment-age":
        return this.#ageDeployment(
          env,
          action.functionName,
          action.hoursAgo,
          liveOf(action.functionName),
          clients,
        );
      case "ssm": {
        const { PutParameterCommand } = awsSdk.ssm();
        const put = await clients.ssm.send(
          new PutParameterCommand({
            Name: action.name,
            Value: action.value,
            Type: "String",
            Overwrite: true,
          }),
        );
        return { kind: "ssm", name: action.name, value: action.value, version: put.Version ?? 0 };
      }
    }
  }

  /**
   * The live version was deployed `hoursAgo`: its LastModified and its newest deployment record say so.
   * Earlier versions (and their records) that would now look deployed at or after it move back, a week
   * apart, so the live version stays the newest deployment by either measure.
   */
  async #ageDeployment(
    env: EnvironmentName,
    functionName: string,
    hoursAgo: number,
    fn: LiveFunction,
    clients: Clients,
  ): Promise<AppliedSeedAction> {
    const e = this.#target.environments[env];
    const deployedAt = new Date(Math.round(this.#now() - hoursAgo * HOUR_MS));
    const liveNumber = Number(fn.version);
    const { ListVersionsByFunctionCommand } = awsSdk.lambda();
    const versions: Array<{ version: string; time: number }> = [];
    let Marker: string | undefined;
    let newestPublished = 0;
    do {
      const page = await clients.lambda.send(
        new ListVersionsByFunctionCommand({ FunctionName: functionName, Marker, MaxItems: 50 }),
      );
      for (const config of page.Versions ?? []) {
        const number = Number(config.Version);
        if (!Number.isInteger(number)) continue;
        newestPublished = Math.max(newestPublished, number);
        if (number < liveNumber)
          versions.push({ version: String(number), time: Date.parse(config.LastModified ?? "") });
      }
      Marker = page.NextMarker;
    } while (Marker);
    versions.sort((a, b) => Number(b.version) - Number(a.version));
    const moved = moveBefore(versions, deployedAt.getTime());

    const set = (version: string, time: Date) =>
      this.#target.platform.lambda.setLastModified(e.accountId, e.region, functionName, version, time);
    set(fn.version, deployedAt);
    // $LATEST holds the code last published; when that is the live version it was uploaded then too.
    if (Number.isInteger(liveNumber) && newestPublished === liveNumber) set("$LATEST", deployedAt);
    for (const entry of moved) set(entry.version, new Date(entry.time));

    let record: string | null = null;
    const movedRecords = new Map(moved.map((entry) => [entry.version, entry.time]));
    if (fn.service === "tenant-instance-management") {
      record = await this.#retimeRecords(env, functionName, fn.version, deployedAt, versions, clients);
    }
    return {
      kind: "deployment-age",
      functionName,
      functionVersion: fn.version,
      deployedAt: deployedAt.toISOString(),
      record,
      movedBack: [...movedRecords].map(([functionVersion, time]) => ({
        functionVersion,
        deployedAt: new Date(time).toISOString(),
      })),
    };
  }

  /**
   * Re-times the newest record of the live version to `deployedAt` (its SK is the time, so the item is
   * replaced) and moves the newest record of each earlier version back where it would now be newer.
   */
  async #retimeRecords(
    env: EnvironmentName,
    functionName: string,
    liveVersion: string,
    deployedAt: Date,
    earlier: ReadonlyArray<{ version: string }>,
    clients: Clients,
  ): Promise<string | null> {
    const { QueryCommand } = awsSdk.dynamodb();
    const table = namesFor(env).tables.deployments;
    const items: Array<Record<string, AttributeValue>> = [];
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await clients.dynamodb.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: "PK = :pk",
          ExpressionAttributeValues: { ":pk": { S: `DEPLOYMENT#${functionName}` } },
          ScanIndexForward: false,
          ExclusiveStartKey,
        }),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    const newestOf = (version: string) => items.find((item) => item.functionVersion?.S === version);
    const liveRecord = newestOf(liveVersion);
    if (!liveRecord) return null;
    const replacements: Array<{ item: Record<string, AttributeValue>; time: number }> = [
      { item: liveRecord, time: deployedAt.getTime() },
    ];
    const earlierRecords = earlier.flatMap((entry) => {
      const item = newestOf(entry.version);
      const time = Date.parse(item?.deployedAt?.S ?? "");
      return item && Number.isFinite(time) ? [{ version: entry.version, time, item }] : [];
    });
    for (const entry of moveBefore(earlierRecords, deployedAt.getTime())) {
      const item = earlierRecords.find((candidate) => candidate.version === entry.version)?.item;
      if (item) replacements.push({ item, time: entry.time });
    }
    const { DeleteItemCommand, PutItemCommand } = awsSdk.dynamodb();
    for (const { item, time } of replacements) {
      const iso = new Date(time).toISOString();
      if (item.SK?.S === iso || !item.PK || !item.SK) continue;
      // Put first: a failure between the two leaves a duplicate, never a missing record.
      await clients.dynamodb.send(
        new PutItemCommand({ TableName: table, Item: { ...item, SK: { S: iso }, deployedAt: { S: iso } } }),
      );
      await clients.dynamodb.send(
        new DeleteItemCommand({ TableName: table, Key: { PK: item.PK, SK: item.SK } }),
      );
    }
    return deployedAt.toISOString();
  }

  /** Releases the SDK clients (their sockets) so the process can exit. */
  close(): void {
    for (const clients of this.#clients.values()) {
      clients.lambda.destroy();
      clients.cloudwatch.destroy();
      clients.dynamodb.destroy();
      clients.ssm.destroy();
    }
    this.#clients.clear();
  }
}

/**
 * The dimension sets a live invocation through the alias records (sandbox/aws/index.ts): {FunctionName},
 * {FunctionName, Resource}, {FunctionName, ExecutedVersion}, {FunctionName, Resource, ExecutedVersion}.
 */
export function aliasInvocationDimensions(
  functionName: string,
  alias: string,
  executedVersion: string,
): Array<Array<{ Name: string; Value: string }>> {
  const fn = { Name: "FunctionName", Value: functionName };
  const resource = { Name: "Resource", Value: `${functionName}:${alias}` };
  const version = { Name: "ExecutedVersion", Value: executedVersion };
  return [[fn], [fn, resource], [fn, version], [fn, resource, version]];
}

/**
 * What one seeded datapoint records, as that many live invocations would: each invocation records
 * Invocations 1, Errors 0 or 1 and Throttles 0, so `Errors n` is n failed invocations (Invocations and
 * Errors n, Throttles 0) and `Invocations n` n successful ones (Errors and Throttles 0); a throttled
 * request is not an invocation (`Throttles n` records only Throttles); `Duration v` is one sample of v ms.
 */
export function recordedFor(
  metric: SeedMetricName,
  value: number,
): Array<{ metric: SeedMetricName; sum: number; sampleCount: number }> {
  switch (metric) {
    case "Invocations":
      return [
        { metric: "Invocations", sum: value, sampleCount: value },
        { metric: "Errors", sum: 0, sampleCount: value },
        { metric: "Throttles", sum: 0, sampleCount: value },
      ];
    case "Errors":
      return [
        { metric: "Invocations", sum: value, sampleCount: value },
        { metric: "Errors", sum: value, sampleCount: value },
        { metric: "Throttles", sum: 0, sampleCount: value },
      ];
    case "Throttles":
      return [{ metric: "Throttles", sum: value, sampleCount: value }];
    case "Duration":
      return [{ metric: "Duration", sum: value, sampleCount: 1 }];
  }
}

/**
 * Given entries newest first, moves each one that is not strictly before its newer neighbour (starting
 * from `bound`) to a week before it; returns the moved entries with their new times.
 */
export function moveBefore<T extends { version: string; time: number }>(
  entries: readonly T[],
  bound: number,
): Array<{ version: string; time: number }> {
  const moved: Array<{ version: string; time: number }> = [];
  let limit = bound;
  for (const entry of entries) {
    let time = entry.time;
    if (!Number.isFinite(time) || time >= limit) {
      time = limit - WEEK_MS;
      moved.push({ version: entry.version, time });
    }
    limit = time;
  }
  return moved;
}

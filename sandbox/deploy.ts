/**
 * Deploys a build into a running sandbox the way the CI workflows deploy to AWS: through the AWS wire
 * APIs with the environment's own credentials (backup alias, UpdateFunctionCode, PublishVersion,
 * UpdateAlias, deployment record, SSM version). Faults that live in the code are built into the
 * package; `throttling` and `alarm-in-alarm` are applied on the platform.
 */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { z } from "zod";
import { accessRoutes } from "./access-api/routes.ts";
import type { Credentials } from "./accounts.ts";
import { awsSdk } from "./aws-sdk.ts";
import { describeError, SandboxDeployError, SandboxUsageError } from "./errors.ts";
import {
  type AccessFunctionKind,
  accessFunctionKinds,
  delayedFaultKinds,
  type EnvironmentName,
  environmentNames,
  type FaultKind,
  faultKinds,
  functionsOf,
  isDelayedFault,
  isPackageFaultKind,
  isRoutedFault,
  namesFor,
  routedFaultKinds,
  type ServiceName,
  serviceNames,
} from "./manifest.ts";
import type { PackageBuilder } from "./packaging/package-cache.ts";
import { tenantRoutes } from "./tenant-api/routes.ts";

/** Whether an access function gets a fault: every function unless the fault names another's route. */
function faultAppliesTo(accessFunction: AccessFunctionKind, route: string | undefined): boolean {
  return route === undefined || accessRoutes[accessFunction].some((candidate) => candidate.key === route);
}

export interface DeployFault {
  kind: FaultKind;
  route?: string | undefined;
  delayMs?: number | undefined;
}

export interface DeployRequest {
  env: EnvironmentName;
  service?: ServiceName | undefined;
  /** Semantic version of the build; default: the live version's patch + 1. */
  appVersion?: string | undefined;
  fault?: DeployFault | undefined;
  /** Share of traffic for the new version (0 < w < 1); the old version stays primary, as in a canary. */
  canaryWeight?: number | undefined;
  /** Default true: create `backup-{env}-v{previous}` first, as the workflows do. */
  createBackupAlias?: boolean | undefined;
  /** Default true: record the deployment in `bbws-deployments-{env}` (tenant service). */
  recordDeployment?: boolean | undefined;
  /** Recorded as `sourceEnvironment` (a promotion from DEV to SIT records "dev"). */
  sourceEnvironment?: EnvironmentName | undefined;
}

export interface FunctionDeployResult {
  functionName: string;
  functionVersion: string;
  appVersion: string;
  codeSha256: string;
  alias: string;
  previousVersion: string;
  backupAlias: string | null;
}

export interface DeployResult extends FunctionDeployResult {
  service: ServiceName;
  env: EnvironmentName;
  canaryWeight: number | null;
  fault: DeployFault | null;
  /** Every function deployed (one for the tenant service, three for access management). */
  functions: FunctionDeployResult[];
}

/** Valid fault routes of each service (access management: the union over its three functions). */
export const faultRoutes: Record<ServiceName, readonly string[]> = {
  "tenant-instance-management": tenantRoutes.map((route) => route.key),
  "access-management": [
    ...new Set(accessFunctionKinds.flatMap((kind) => accessRoutes[kind].map((route) => route.key))),
  ],
};

export interface DeployTarget {
  awsEndpoint: string;
  environments: Record<EnvironmentName, { accountId: string; region: string; credentials: Credentials }>;
  build: PackageBuilder;
  /**
   * Holds an alarm in ALARM against evaluation (`alarm-in-alarm`), or releases it to OK so the next
   * evaluation follows its metric again. The CloudWatch API has no such call; the sandbox's own
   * process provides it.
   */
  holdAlarm: (accountId: string, region: string, alarmName: string, hold: boolean) => void;
}

const semverPattern = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

const DeployRequestSchema = z.strictObject({
  env: z.enum(environmentNames, {
    error: (issue) =>
      `unknown environment ${JSON.stringify(issue.input)}; valid environments: ${environmentNames.join(", ")}`,
  }),
  service: z
    .enum(serviceNames, {
      error: (issue) =>
        `unknown service ${JSON.stringify(issue.input)}; valid services: ${serviceNames.join(", ")}`,
    })
    .optional(),
  appVersion: z
    .string()
    .regex(semverPattern, "must be a semantic version such as 1.5.0 (without a leading v)")
    .optional(),
  fault: z
    .strictObject({
      kind: z.enum(faultKinds, {
        error: (issue) =>
          `unknown fault kind ${JSON.stringify(issue.input)}; valid fault kinds: ${faultKinds.join(", ")}`,
      }),
      route: z.string().optional(),
      delayMs: z.number().int().min(0).max(60_000).optional(),
    })
    .optional(),
  canaryWeight: z
    .number()
    .gt(0, "must be above 0")
    .lt(1, "must be below 1 (use no canary for 100%)")
    .optional(),
  createBackupAlias: z.boolean().optional(),
  recordDeployment: z.boolean().optional(),
  sourceEnvironment: z.enum(environmentNames).optional(),
});

/** Validates a deploy request from any boundary (CLI, control API, code), naming every problem. */
export function parseDeployRequest(
  input: unknown,
  routes: Record<ServiceName, readonly string[]> = faultRoutes,
): DeployRequest {
  const parsed = DeployRequestSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `  ${issue.path.join(".") || "(request)"}: ${issue.message}`,
    );
    throw new SandboxUsageError(`The deploy request is invalid:\n${lines.join("\n")}`);
  }
  const request = parsed.data;
  const service = request.service ?? "tenant-instance-management";
  const fault = request.fault;
  if (fault?.route !== undefined) {
    if (!isRoutedFault(fault.kind)) {
      throw new SandboxUsageError(
        `The fault ${fault.kind} does not act on a route, but route ${JSON.stringify(fault.route)} was given. ` +
          `Only ${routedFaultKinds.join(", ")} take a route; drop --route.`,
      );
    }
    const valid = routes[service];
    if (!valid.includes(fault.route)) {
      throw new SandboxUsageError(
        `Unknown route ${JSON.stringify(fault.route)} for a ${fault.kind} fault in ${service}. Valid routes:\n` +
          valid.map((route) => `  ${route}`).join("\n"),
      );
    }
  }
  if (fault?.delayMs !== undefined && !isDelayedFault(fault.kind)) {
    throw new SandboxUsageError(
      `delayMs only applies to a ${delayedFaultKinds.join(" or ")} fault, not to ${fault.kind}.`,
    );
  }
  return {
    env: request.env,
    service,
    appVersion: request.appVersion,
    fault,
    canaryWeight: request.canaryWeight,
    createBackupAlias: request.createBackupAlias,
    recordDeployment: request.recordDeployment,
    sourceEnvironment: request.sourceEnvironment,
  };
}

/** The next patch version after `version` (1.4.0 -> 1.4.1); pre-release suffixes are dropped. */
export function nextPatchVersion(version: string): string {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) return "1.0.0";
  return `${match[1]}.${match[2]}.${Number(match[3]) + 1}`;
}

interface Clients {
  lambda: LambdaClient;
  cloudwatch: CloudWatchClient;
  dynamodb: DynamoDBClient;
  ssm: SSMClient;
}

/** SDK clients per environment, created on first deploy and kept until `close()`. */
export class Deployer {
  readonly #target: DeployTarget;
  readonly #clients = new Map<EnvironmentName, Promise<Clients>>();
  /** Serialises deploys per environment: two concurrent deploys would race on the alias. */
  readonly #queues = new Map<EnvironmentName, Promise<unknown>>();

  constructor(target: DeployTarget) {
    this.#target = target;
  }

  async #clientsFor(env: EnvironmentName): Promise<Clients> {
    let clients = this.#clients.get(env);
    if (!clients) {
      clients = (async () => {
        const [lambda, cloudwatch, dynamodb, ssm] = [
          awsSdk.lambda(),
          awsSdk.cloudwatch(),
          awsSdk.dynamodb(),
          awsSdk.ssm(),
        ];
        const e = this.#target.environments[env];
        const config = { endpoint: this.#target.awsEndpoint, region: e.region, credentials: e.credentials };
        return {
          lambda: new lambda.LambdaClient(config),
          cloudwatch: new cloudwatch.CloudWatchClient(config),
          dynamodb: new dynamodb.DynamoDBClient(config),
          ssm: new ssm.SSMClient(config),
        };
      })();
      this.#clients.set(env, clients);
    }
    return clients;
  }

  /** Validates and performs one deployment; see DeployRequest for the options. */
  async deploy(input: unknown): Promise<DeployResult> {
    const request = parseDeployRequest(input);
    const previous = this.#queues.get(request.env) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.#deploy(request));
    this.#queues.set(request.env, run);
    return run;
  }

  async #deploy(request: DeployRequest): Promise<DeployResult> {
    const env = request.env;
    const service = request.service ?? "tenant-instance-management";
    const names = namesFor(env);
    const e = this.#target.environments[env];
    const clients = await this.#clientsFor(env);
    const sdk = awsSdk.lambda();
    const fault = request.fault;
    const faultKind = fault?.kind;
    const packageFault =
      fault && faultKind && isPackageFaultKind(faultKind)
        ? {
            kind: faultKind,
            ...(fault.route !== undefined ? { route: fault.route } : {}),
            ...(fault.delayMs !== undefined ? { delayMs: fault.delayMs } : {}),
          }
        : undefined;
    const alias = names.liveAlias;
    const functionNames = functionsOf(service, env);
    const kinds: (AccessFunctionKind | undefined)[] =
      service === "access-management" ? [...accessFunctionKinds] : [undefined];

    const step = async <T>(name: string, functionName: string, action: () => Promise<T>): Promise<T> => {
      try {
        return await action();
      } catch (error) {
        throw new SandboxDeployError(
          name,
          `Deploying ${service} to ${env} failed at ${name} for ${functionName}: ${describeError(error)}. ` +
            "The sandbox is still running; fix the cause and deploy again.",
          { cause: error },
        );
      }
    };

    // Refuse what the package builder would refuse before touching the environment, as a usage error.
    const { resolveSpec } = await import("./packaging/index.ts");
    for (const accessFunction of kinds) {
      try {
        resolveSpec({
          service,
          appVersion: request.appVersion ?? "0.0.0",
          ...(packageFault && (!accessFunction || faultAppliesTo(accessFunction, packageFault.route))
            ? { fault: packageFault }
            : {}),
          ...(accessFunction ? { accessFunction } : {}),
        });
      } catch (error) {
        throw new SandboxUsageError(error instanceof Error ? error.message : String(error), { cause: error });
      }
    }

    const results: FunctionDeployResult[] = [];
    for (const [index, functionName] of functionNames.entries()) {
      const accessFunction = kinds[index];
      const live = await step("GetAlias", functionName, () =>
        clients.lambda.send(new sdk.GetAliasCommand({ FunctionName: functionName, Name: alias })),
      );
      const previousVersion = live.FunctionVersion ?? "$LATEST";
      const liveConfig = await step("GetFunctionConfiguration", functionName, () =>
        clients.lambda.send(
          new sdk.GetFunctionConfigurationCommand({ FunctionName: functionName, Qualifier: previousVersion }),
        ),
      );
      const appVersion = request.appVersion ?? nextPatchVersion(liveConfig.Description ?? "");
      // A routed fault on access management lands in the function that serves the route; the others
      // get a healthy build of the same version.
      const faultHere =
        packageFault && (!accessFunction || faultAppliesTo(accessFunction, packageFault.route));
      const built = await step("build", functionName, () =>
        this.#target.build({
          service,
          appVersion,
          ...(faultHere ? { fault: packageFault } : {}),
          ...(accessFunction ? { accessFunction } : {}),
        }),
      );

      let backupAlias: string | null = null;
      if (request.createBackupAlias !== false && previousVersion !== "$LATEST") {
        backupAlias = `backup-${env}-v${previousVersion}`;
        const name = backupAlias;
        await step("CreateAlias (backup)", functionName, async () => {
          try {
            await clients.lambda.send(
              new sdk.CreateAliasCommand({
                FunctionName: functionName,
                Name: name,
                FunctionVersion: previousVersion,
                Description: `Backup of ${alias} before deploying ${appVersion}`,
              }),
            );
          } catch (error) {
            if (!(error instanceof Error) || error.name !== "ResourceConflictException") throw error;
            await clients.lambda.send(
              new sdk.UpdateAliasCommand({
                FunctionName: functionName,
                Name: name,
                FunctionVersion: previousVersion,
              }),
            );
          }
        });
      }

      await step("UpdateFunctionCode", functionName, () =>
        clients.lambda.send(
          new sdk.UpdateFunctionCodeCommand({ FunctionName: functionName, ZipFile: built.zip }),
        ),
      );
      const published = await step("PublishVersion", functionName, () =>
        clients.lambda.send(
          new sdk.PublishVersionCommand({
            FunctionName: functionName,
            Description: appVersion,
            CodeSha256: built.codeSha256,
          }),
        ),
      );
      const functionVersion = published.Version;
      if (!functionVersion) {
        throw new SandboxDeployError(
          "PublishVersion",
          `PublishVersion of ${functionName} returned no version number.`,
        );
      }
      const canary = request.canaryWeight;
      await step("UpdateAlias", functionName, () =>
        clients.lambda.send(
          new sdk.UpdateAliasCommand(
            canary === undefined
              ? {
                  FunctionName: functionName,
                  Name: alias,
                  FunctionVersion: functionVersion,
                  RoutingConfig: {},
                }
              : {
                  FunctionName: functionName,
                  Name: alias,
                  FunctionVersion: previousVersion,
                  RoutingConfig: { AdditionalVersionWeights: { [functionVersion]: canary } },
                },
          ),
        ),
      );
      await this.#applyPlatformFaults(clients, sdk, e, functionName, fault, step);
      results.push({
        functionName,
        functionVersion,
        appVersion,
        codeSha256: published.CodeSha256 ?? built.codeSha256,
        alias,
        previousVersion,
        backupAlias,
      });
    }

    const first = results[0];
    if (!first) throw new SandboxDeployError("deploy", `The service ${service} has no functions in ${env}.`);

    if (service === "tenant-instance-management" && request.recordDeployment !== false) {
      await step("PutItem (deployment record)", first.functionName, async () => {
        const { PutItemCommand } = awsSdk.dynamodb();
        const deployedAt = new Date().toISOString();
        await clients.dynamodb.send(
          new PutItemCommand({
            TableName: names.tables.deployments,
            Item: {
              PK: { S: `DEPLOYMENT#${first.functionName}` },
              SK: { S: deployedAt },
              functionName: { S: first.functionName },
              functionVersion: { S: first.functionVersion },
              appVersion: { S: first.appVersion },
              codeSha256: { S: first.codeSha256 },
              deployedAt: { S: deployedAt },
              deployedBy: { S: "sandbox-deploy" },
              sourceEnvironment: request.sourceEnvironment
                ? { S: request.sourceEnvironment }
                : { NULL: true },
            },
          }),
        );
      });
    }
    if (service === "access-management" && request.canaryWeight === undefined) {
      await step("PutParameter (deployed version)", first.functionName, async () => {
        const { PutParameterCommand } = awsSdk.ssm();
        await clients.ssm.send(
          new PutParameterCommand({
            Name: names.ssmDeployedVersion,
            Value: `v${first.appVersion}`,
            Type: "String",
            Overwrite: true,
          }),
        );
      });
    }
    return {
      ...first,
      service,
      env,
      canaryWeight: request.canaryWeight ?? null,
      fault: fault ?? null,
      functions: results,
    };
  }

  async #applyPlatformFaults(
    clients: Clients,
    sdk: typeof import("@aws-sdk/client-lambda"),
    e: { accountId: string; region: string },
    functionName: string,
    fault: DeployFault | undefined,
    step: <T>(name: string, functionName: string, action: () => Promise<T>) => Promise<T>,
  ): Promise<void> {
    const alarmName = `${functionName}-errors`;
    const cw = awsSdk.cloudwatch();
    if (fault?.kind === "throttling") {
      await step("PutFunctionConcurrency", functionName, () =>
        clients.lambda.send(
          new sdk.PutFunctionConcurrencyCommand({
            FunctionName: functionName,
            ReservedConcurrentExecutions: 0,
          }),
        ),
      );
    } else {
      // A healthy deploy undoes a throttling fault left by an earlier deploy.
      const concurrency = await step("GetFunctionConcurrency", functionName, () =>
        clients.lambda.send(new sdk.GetFunctionConcurrencyCommand({ FunctionName: functionName })),
      );
      if (concurrency.ReservedConcurrentExecutions === 0) {
        await step("DeleteFunctionConcurrency", functionName, () =>
          clients.lambda.send(new sdk.DeleteFunctionConcurrencyCommand({ FunctionName: functionName })),
        );
      }
    }
    const heldKey = `${e.accountId}/${e.region}/${alarmName}`;
    if (fault?.kind === "alarm-in-alarm") {
      // As an operator would: SetAlarmState through the API; the hold keeps it there for the evaluation.
      await step("SetAlarmState", functionName, () =>
        clients.cloudwatch.send(
          new cw.SetAlarmStateCommand({
            AlarmName: alarmName,
            StateValue: "ALARM",
            StateReason: "Threshold Crossed: injected by the sandbox's alarm-in-alarm fault",
          }),
        ),
      );
      this.#target.holdAlarm(e.accountId, e.region, alarmName, true);
      this.#heldAlarms.add(heldKey);
    } else if (this.#heldAlarms.has(heldKey)) {
      this.#target.holdAlarm(e.accountId, e.region, alarmName, false);
      this.#heldAlarms.delete(heldKey);
    }
  }

  readonly #heldAlarms = new Set<string>();

  /** Releases the SDK clients (their sockets) so the process can exit. */
  close(): void {
    for (const pending of this.#clients.values()) {
      pending
        .then((clients) => {
          clients.lambda.destroy();
          clients.cloudwatch.destroy();
          clients.dynamodb.destroy();
          clients.ssm.destroy();
        })
        .catch(() => undefined);
    }
    this.#clients.clear();
  }
}

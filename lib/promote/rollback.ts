/**
 * A rollback (tenant runbook 9.3-9.4, access 5.3 and 9.2) as code: resolve the version each function returns to
 * (`previous`: the newest backup alias older than what is served, runbook 9.4; a version number; a semver app
 * version), move every alias there (dropping any canary routing), and record it: the rollback record
 * (ROLLBACK#<service> in bbws-deployments-<env>), a deployment record of the restored version (tenant), the
 * restored deployed-version parameter (access). The caller holds the deploy lock; a promotion whose canary or
 * verification failed calls `performRollback` the same way (trigger "promotion").
 */
import type { EnvironmentId, Service } from "../../runbooks/index.ts";
import type { AwsClients } from "../aws/index.ts";
import { sdk } from "../aws/index.ts";
import type { RollbackFunction, RollbackRecord } from "../checks/rollback-record.ts";
import { rollbackPartition } from "../checks/rollback-record.ts";
import { aliasName, deploymentsTable, functionNames, ssmParameter } from "../config/index.ts";
import { pointAlias } from "./copy.ts";
import { deployLockTable, updateLockStep } from "./lock.ts";
import type { DeployLock } from "./lock-record.ts";
import { PromotionStepError } from "./step-errors.ts";

/** What `--target` asks for: the previous version (from the backup aliases), a version number, or a semver. */
export type RollbackRequest =
  | { kind: "previous" }
  | { kind: "version"; version: string }
  | { kind: "app-version"; appVersion: string };

/** Parses `--target`: `previous`, `7`, `1.4.0` or `v1.4.0`; null for anything else. */
export function parseRollbackRequest(text: string): RollbackRequest | null {
  if (text === "previous") return { kind: "previous" };
  if (/^\d+$/.test(text)) return { kind: "version", version: text };
  const semver = /^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(text);
  return semver?.[1] ? { kind: "app-version", appVersion: semver[1] } : null;
}

export function describeRequest(request: RollbackRequest): string {
  return request.kind === "previous"
    ? "previous"
    : request.kind === "version"
      ? request.version
      : request.appVersion;
}

/**
 * After a promotion that failed or was killed mid-way (access runbook 9.2): which functions still serve something
 * newer than their newest backup alias (the version the promotion backed up before moving them) and go back, and
 * which already serve that version and are left alone, not rolled back further. Works from whatever state the
 * promotion left: some aliases moved, a canary split, none.
 */
export async function splitForRecovery(options: {
  aws: AwsClients;
  service: Service;
  envId: EnvironmentId;
  names: readonly string[];
}): Promise<{ back: string[]; left: string[] }> {
  const alias = aliasName(options.service, options.envId);
  const prefix = `${options.service.backupAliasPrefix}${options.envId}-v`;
  const back: string[] = [];
  const left: string[] = [];
  for (const functionName of options.names) {
    const lambda = sdk.lambda();
    const live = await options.aws.lambda.send(
      new lambda.GetAliasCommand({ FunctionName: functionName, Name: alias }),
    );
    const split = Object.keys(live.RoutingConfig?.AdditionalVersionWeights ?? {}).length > 0;
    const aliases =
      (await options.aws.lambda.send(new lambda.ListAliasesCommand({ FunctionName: functionName })))
        .Aliases ?? [];
    const newest = aliases
      .filter((a) => a.Name?.startsWith(prefix) && /^\d+$/.test(a.FunctionVersion ?? ""))
      .map((a) => Number(a.FunctionVersion))
      .sort((a, b) => b - a)[0];
    if (newest !== undefined && String(newest) === live.FunctionVersion && !split) left.push(functionName);
    else back.push(functionName);
  }
  return { back, left };
}

/** Refused before anything moved: no target, an unknown version, already serving it. */
export class RollbackTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RollbackTargetError";
  }
}

async function versionsOf(aws: AwsClients, functionName: string) {
  const versions: Array<{ version: string; description: string; codeSha256: string }> = [];
  let marker: string | undefined;
  do {
    const page = await aws.lambda.send(
      new (sdk.lambda().ListVersionsByFunctionCommand)({ FunctionName: functionName, Marker: marker }),
    );
    for (const v of page.Versions ?? []) {
      if (v.Version && /^\d+$/.test(v.Version))
        versions.push({
          version: v.Version,
          description: v.Description ?? "",
          codeSha256: v.CodeSha256 ?? "",
        });
    }
    marker = page.NextMarker;
  } while (marker);
  return versions;
}

/**
 * The version each of `names` returns to. `previous` is the newest backup alias (`backup-<env>-v<N>`) below the
 * version served now (runbook 9.4: list the backup-* aliases); `perFunction` pins each function's version (the
 * versions an interrupted rollback was moving to). Throws RollbackTargetError naming the function and why.
 */
export async function resolveRollbackTargets(options: {
  aws: AwsClients;
  service: Service;
  envId: EnvironmentId;
  names?: readonly string[];
  request: RollbackRequest;
  perFunction?: ReadonlyMap<string, string>;
}): Promise<RollbackFunction[]> {
  const { aws, service, envId } = options;
  const alias = aliasName(service, envId);
  const prefix = `${service.backupAliasPrefix}${envId}-v`;
  const names = options.names ?? functionNames(service, envId);
  return Promise.all(
    names.map(async (functionName): Promise<RollbackFunction> => {
      const lambda = sdk.lambda();
      const live = await aws.lambda.send(
        new lambda.GetAliasCommand({ FunctionName: functionName, Name: alias }),
      );
      const current = live.FunctionVersion ?? "";
      const aliases =
        (await aws.lambda.send(new lambda.ListAliasesCommand({ FunctionName: functionName }))).Aliases ?? [];
      const backups = aliases
        .filter((a) => a.Name?.startsWith(prefix) && /^\d+$/.test(a.FunctionVersion ?? ""))
        .map((a) => ({ name: a.Name ?? "", version: a.FunctionVersion ?? "" }))
        .sort((a, b) => Number(b.version) - Number(a.version));
      let toVersion: string;
      const pinned = options.perFunction?.get(functionName);
      if (pinned) toVersion = pinned;
      else if (
        options.request.kind === "previous" &&
        Object.keys(live.RoutingConfig?.AdditionalVersionWeights ?? {}).length > 0
      ) {
        // A canary: the alias still keeps the version it served before; rolling back sends all traffic there.
        toVersion = current;
      } else if (options.request.kind === "previous") {
        const older = backups.find((b) => Number(b.version) < Number(current));
        if (!older) {
          throw new RollbackTargetError(
            `${functionName} has no backup alias (${prefix}<N>) below the version ${alias} serves (${current}): there is no previous version to return to. Name one with --target <version>.`,
          );
        }
        toVersion = older.version;
      } else if (options.request.kind === "version") {
        toVersion = options.request.version;
      } else {
        const wanted = options.request.appVersion;
        const match = (await versionsOf(aws, functionName))
          .filter((v) => v.description.replace(/^v/, "") === wanted)
          .sort((a, b) => Number(b.version) - Number(a.version))[0];
        if (!match) {
          throw new RollbackTargetError(
            `${functionName} has no published version with app version ${wanted} (its Description): nothing to roll back to. List them with aws lambda list-versions-by-function.`,
          );
        }
        toVersion = match.version;
      }
      if (
        toVersion === current &&
        Object.keys(live.RoutingConfig?.AdditionalVersionWeights ?? {}).length === 0 &&
        !pinned
      ) {
        throw new RollbackTargetError(
          `${functionName}: ${alias} already serves version ${current}; a rollback to it would change nothing.`,
        );
      }
      let config: { Description?: string | undefined; CodeSha256?: string | undefined };
      try {
        config = await aws.lambda.send(
          new lambda.GetFunctionConfigurationCommand({ FunctionName: functionName, Qualifier: toVersion }),
        );
      } catch (error) {
        if (error instanceof Error && error.name === "ResourceNotFoundException") {
          throw new RollbackTargetError(
            `${functionName} has no version ${toVersion}: nothing to roll back to. Name a published version.`,
          );
        }
        throw error;
      }
      return {
        functionName,
        fromVersion: current || "$LATEST",
        toVersion,
        toAppVersion: config.Description ?? "",
        toCodeSha256: config.CodeSha256 ?? "",
        backupAlias: backups.find((b) => b.version === toVersion)?.name ?? null,
      };
    }),
  );
}

/** Who rolls back, why, and what moves. */
export interface PerformRollbackInput {
  readonly aws: AwsClients;
  readonly service: Service;
  readonly envId: EnvironmentId;
  readonly targets: readonly RollbackFunction[];
  readonly reason: string;
  readonly initiator: string;
  readonly runId: string;
  readonly trigger: RollbackRecord["trigger"];
  readonly emergency: boolean;
  readonly requested: string;
  readonly startedAt: string;
  /** The deploy lock the caller holds; its step is updated at every move. */
  readonly lock: { current: DeployLock };
  readonly log: (line: string) => void;
  readonly now?: () => Date;
}

/** Moves every alias to its target (routing dropped), then writes the records. Returns the rollback record. */
export async function performRollback(input: PerformRollbackInput): Promise<RollbackRecord> {
  const now = input.now ?? (() => new Date());
  const doc = input.aws.dynamodbDoc;
  const table = deployLockTable(input.envId);
  const alias = aliasName(input.service, input.envId);
  const step = async (name: string) => {
    input.lock.current = await updateLockStep(doc, table, input.lock.current, name, now());
  };
  for (const fn of input.targets) {
    await step(`rollback-alias ${fn.functionName}`);
    await pointAlias(input.aws.lambda, fn.functionName, alias, fn.toVersion);
    input.log(`  rollback-alias: ${fn.functionName} ${alias} -> ${fn.toVersion} (was ${fn.fromVersion})`);
  }
  const rolledBackAt = now().toISOString();
  await step("record-rollback");
  const parameter = ssmParameter(input.service, input.envId);
  const [first] = input.targets;
  const ssm =
    parameter !== null && first
      ? {
          parameter,
          value: first.toAppVersion.startsWith("v") ? first.toAppVersion : `v${first.toAppVersion}`,
        }
      : null;
  const record: RollbackRecord = {
    PK: rollbackPartition(input.service.id),
    SK: rolledBackAt,
    schemaVersion: 1,
    service: input.service.id,
    environment: input.envId,
    runId: input.runId,
    reason: input.reason,
    initiator: input.initiator,
    trigger: input.trigger,
    emergency: input.emergency,
    requested: input.requested,
    startedAt: input.startedAt,
    rolledBackAt,
    functions: [...input.targets],
    ssm,
  };
  await doc.send(new (sdk.dynamodbDoc().PutCommand)({ TableName: table, Item: record }));
  // The newest deployment record names what the alias serves again (the probe and the post-deploy suite read it).
  const deployments = deploymentsTable(input.service, input.envId);
  if (deployments !== null) {
    for (const fn of input.targets) {
      await doc.send(
        new (sdk.dynamodbDoc().PutCommand)({
          TableName: deployments,
          Item: {
            PK: `DEPLOYMENT#${fn.functionName}`,
            SK: rolledBackAt,
            functionName: fn.functionName,
            functionVersion: fn.toVersion,
            appVersion: fn.toAppVersion,
            codeSha256: fn.toCodeSha256,
            deployedAt: rolledBackAt,
            deployedBy: input.initiator,
            runId: input.runId,
            rollback: true,
            reason: input.reason,
          },
        }),
      );
    }
  }
  if (ssm) {
    await input.aws.ssm.send(
      new (sdk.ssm().PutParameterCommand)({
        Name: ssm.parameter,
        Value: ssm.value,
        Type: "String",
        Overwrite: true,
      }),
    );
  }
  input.log(`  record-rollback: ROLLBACK#${input.service.id} ${rolledBackAt} in ${table}`);
  return record;
}

/** Thrown when the rollback's own precondition (a PROD approval) is not met; nothing moved. */
export class RollbackRefusedError extends PromotionStepError {
  constructor(message: string) {
    super("rollback", message);
    this.name = "RollbackRefusedError";
  }
}

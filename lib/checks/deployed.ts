/** What every post-deploy test needs to know about one deployed function, read once per test. */

import type { Environment, Service } from "../../runbooks/index.ts";
import type { AwsClients } from "../aws/index.ts";
import { aliasName, deploymentsTable, functionNames, ssmParameter } from "../config/index.ts";
import { type DeploymentRecord, deploymentRecords, type Expected, expectedFrom } from "./expected.ts";
import { type FunctionState, readFunctionState, type VersionInfo } from "./lambda.ts";
import { ssmDeployedVersion } from "./ssm.ts";

/** One function of the service as deployed in the environment. */
export interface DeployedFunction {
  readonly functionName: string;
  readonly state: FunctionState;
  readonly expected: Expected;
  /** Deployment records of the function, newest first (empty when the service keeps none). */
  readonly records: readonly DeploymentRecord[];
  /** When the version behind the alias was deployed: its record's deployedAt, else the version's LastModified. */
  readonly deployedAt: Date;
  readonly deployedAtSource: string;
}

/** Reads every function of the service (runbooks/services.ts names them) in the environment. */
export async function readDeployedFunctions(
  aws: AwsClients,
  environment: Environment,
  service: Service,
  /** HARNESS_EXPECTED_VERSION: what the caller says was deployed (lib/config expectedVersionSetting). */
  expectedVersion: string | undefined = undefined,
  /** HARNESS_DEPLOYED_AT: when the caller moved the aliases (lib/config deployedAtSetting). */
  movedAt: Date | undefined = undefined,
): Promise<DeployedFunction[]> {
  const table = deploymentsTable(service, environment.id);
  const alias = aliasName(service, environment.id);
  const parameter = ssmParameter(service, environment.id);
  return Promise.all(
    functionNames(service, environment.id).map(async (functionName) => {
      const [state, records] = await Promise.all([
        readFunctionState(aws.lambda, functionName, alias),
        table === null ? Promise.resolve([]) : deploymentRecords(aws.dynamodbDoc, table, functionName),
      ]);
      const known = { variable: expectedVersion, deploymentsTable: table, records };
      const withoutSsm = expectedFrom({ ...known, ssm: null });
      // SSM is read only when the variable and the records decide nothing.
      const expected =
        withoutSsm.by === "unknown" && parameter !== null
          ? expectedFrom({
              ...known,
              ssm: { parameter, version: await ssmDeployedVersion(aws.ssm, parameter) },
            })
          : withoutSsm;
      return {
        functionName,
        state,
        expected,
        records,
        ...deploymentTime(state.aliased, records, new Date(), movedAt),
      };
    }),
  );
}

/**
 * When the aliased version was deployed: its record's deployedAt, else when the caller says it moved the aliases
 * (HARNESS_DEPLOYED_AT), else its LastModified, else `now` (unreadable).
 */
export function deploymentTime(
  aliased: VersionInfo,
  records: readonly DeploymentRecord[],
  now: Date,
  movedAt?: Date,
): { deployedAt: Date; deployedAtSource: string } {
  const record = records.find((r) => r.functionVersion === aliased.functionVersion);
  if (!record && movedAt)
    return { deployedAt: movedAt, deployedAtSource: "HARNESS_DEPLOYED_AT (the promotion's alias move)" };
  const deployedAt = record ? new Date(record.deployedAt) : new Date(aliased.lastModified);
  return {
    deployedAt: Number.isNaN(deployedAt.getTime()) ? now : deployedAt,
    deployedAtSource: record
      ? `deployment record ${record.SK}`
      : `LastModified of version ${aliased.functionVersion}`,
  };
}

/** Runbook 6.3.4 / 7.3.5: the deployments table holds a record for the version behind the alias. */
import type { DeploymentRecord } from "./expected.ts";
import { type Finding, failed, passed } from "./finding.ts";
import type { VersionInfo } from "./lambda.ts";

/** A record for this function version with its app version, code SHA and (when promoted) source environment. */
export function judgeDeploymentRecord(options: {
  table: string;
  functionName: string;
  aliased: VersionInfo;
  records: readonly DeploymentRecord[];
  /** The environment promoted from (dev for SIT, sit for PROD), or null for DEV. */
  sourceEnvironment: string | null;
}): Finding {
  const { aliased, table, functionName } = options;
  const record = options.records.find((r) => r.functionVersion === aliased.functionVersion);
  const evidence = {
    table,
    functionName,
    aliased,
    record: record ?? null,
    newest: options.records[0] ?? null,
  };
  if (!record) {
    const newest = options.records[0];
    return failed(
      `${table} has no record of ${functionName} version ${aliased.functionVersion} (app ${aliased.appVersion})${newest ? `; the newest record is version ${newest.functionVersion} from ${newest.deployedAt}` : ""}. Record the deployment (runbook "record metadata" step).`,
      evidence,
    );
  }
  const problems: string[] = [];
  if (record.codeSha256 !== aliased.codeSha256)
    problems.push(`codeSha256 ${record.codeSha256} instead of ${aliased.codeSha256}`);
  if (record.appVersion.replace(/^v/, "") !== aliased.appVersion.replace(/^v/, "")) {
    problems.push(`appVersion ${record.appVersion} instead of ${aliased.appVersion}`);
  }
  if (options.sourceEnvironment !== null && record.sourceEnvironment !== options.sourceEnvironment) {
    problems.push(
      `sourceEnvironment ${record.sourceEnvironment ?? "null"} instead of ${options.sourceEnvironment}`,
    );
  }
  if (problems.length > 0) {
    return failed(
      `The ${table} record of ${functionName} version ${aliased.functionVersion} (${record.deployedAt}) has ${problems.join(", ")}: it does not describe the deployed bits. Correct the record.`,
      evidence,
    );
  }
  return passed(
    `${table} records ${functionName} version ${record.functionVersion} (app ${record.appVersion}, CodeSha256 ${record.codeSha256}) deployed at ${record.deployedAt}${record.sourceEnvironment ? ` from ${record.sourceEnvironment}` : ""}.`,
    evidence,
  );
}

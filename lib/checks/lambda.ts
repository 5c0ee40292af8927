/** Reads a function's configuration, alias, versions and backup aliases, and judges them (runbook 4.3, 6.3.2, 7.3.3). */
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { sdk } from "../aws/index.ts";
import { type DeploymentRecord, describeExpected, type Expected, matchesExpected } from "./expected.ts";
import { type Finding, failed, inconclusive, passed } from "./finding.ts";

/** One published version as the runbook's commands show it. */
export interface VersionInfo {
  readonly functionVersion: string;
  /** The version's Description: the app version it was published with. */
  readonly appVersion: string;
  readonly codeSha256: string;
  readonly lastModified: string;
  readonly state: string;
  readonly lastUpdateStatus: string;
}

/** Everything the Lambda checks read about one function. */
export interface FunctionState {
  readonly functionName: string;
  readonly aliasName: string;
  /** Unqualified configuration ($LATEST): what get-function-configuration prints in runbook 4.3. */
  readonly latest: VersionInfo;
  /** The version the alias points at. */
  readonly aliased: VersionInfo;
  /** Extra versions the alias routes traffic to (a canary), with their weights. */
  readonly routing: Readonly<Record<string, number>>;
  readonly aliases: ReadonlyArray<{ readonly name: string; readonly functionVersion: string }>;
  /** Published version numbers, ascending ($LATEST excluded). */
  readonly versions: readonly VersionInfo[];
}

function versionInfo(config: {
  Version?: string | undefined;
  Description?: string | undefined;
  CodeSha256?: string | undefined;
  LastModified?: string | undefined;
  State?: string | undefined;
  LastUpdateStatus?: string | undefined;
}): VersionInfo {
  return {
    functionVersion: config.Version ?? "",
    appVersion: config.Description ?? "",
    codeSha256: config.CodeSha256 ?? "",
    lastModified: config.LastModified ?? "",
    state: config.State ?? "Unknown",
    lastUpdateStatus: config.LastUpdateStatus ?? "Unknown",
  };
}

/** Reads the function through the Lambda API (GetFunctionConfiguration, GetAlias, ListAliases, ListVersionsByFunction). */
export async function readFunctionState(
  lambda: LambdaClient,
  functionName: string,
  aliasName: string,
): Promise<FunctionState> {
  const [latest, alias] = await Promise.all([
    lambda.send(new (sdk.lambda().GetFunctionConfigurationCommand)({ FunctionName: functionName })),
    lambda.send(new (sdk.lambda().GetAliasCommand)({ FunctionName: functionName, Name: aliasName })),
  ]);
  const aliasedVersion = alias.FunctionVersion ?? "";
  const aliased = await lambda.send(
    new (sdk.lambda().GetFunctionConfigurationCommand)({
      FunctionName: functionName,
      Qualifier: aliasedVersion,
    }),
  );
  const aliases: Array<{ name: string; functionVersion: string }> = [];
  for await (const page of sdk
    .lambda()
    .paginateListAliases({ client: lambda }, { FunctionName: functionName })) {
    for (const a of page.Aliases ?? [])
      aliases.push({ name: a.Name ?? "", functionVersion: a.FunctionVersion ?? "" });
  }
  const versions: VersionInfo[] = [];
  for await (const page of sdk
    .lambda()
    .paginateListVersionsByFunction({ client: lambda }, { FunctionName: functionName })) {
    for (const v of page.Versions ?? []) if (v.Version !== "$LATEST") versions.push(versionInfo(v));
  }
  versions.sort((a, b) => Number(a.functionVersion) - Number(b.functionVersion));
  return {
    functionName,
    aliasName,
    latest: versionInfo(latest),
    aliased: versionInfo(aliased),
    routing: alias.RoutingConfig?.AdditionalVersionWeights ?? {},
    aliases,
    versions,
  };
}

/** Runbook 4.3: the configuration shows an Active function whose published version carries the uploaded code. */
export function judgeConfiguration(state: FunctionState): Finding {
  const { latest, aliased, functionName } = state;
  const evidence = { latest, aliased };
  const problems: string[] = [];
  if (latest.state !== "Active") problems.push(`$LATEST is in state ${latest.state}, not Active`);
  if (aliased.state !== "Active")
    problems.push(`version ${aliased.functionVersion} is in state ${aliased.state}, not Active`);
  if (latest.lastUpdateStatus !== "Successful" && latest.lastUpdateStatus !== "Unknown") {
    problems.push(`the last update of ${functionName} is ${latest.lastUpdateStatus}, not Successful`);
  }
  if (latest.codeSha256 !== aliased.codeSha256) {
    problems.push(
      `the uploaded code ($LATEST CodeSha256 ${latest.codeSha256}) is not the code behind ${state.aliasName} (version ${aliased.functionVersion}, ${aliased.codeSha256}), so the alias does not serve the last update`,
    );
  }
  if (problems.length > 0) {
    return failed(
      `${functionName}: ${problems.join("; ")}. Check the deployment step that updates and publishes the function.`,
      evidence,
    );
  }
  return passed(
    `${functionName} is Active; version ${aliased.functionVersion} (app ${aliased.appVersion}, CodeSha256 ${aliased.codeSha256}, modified ${aliased.lastModified}) carries the uploaded code.`,
    evidence,
  );
}

/** Runbook 4.3 / 6.3.2 / 7.3.3: the alias points at the expected version, without a leftover canary split. */
export function judgeAlias(state: FunctionState, expected: Expected): Finding {
  const { aliased, aliasName, functionName } = state;
  const evidence = {
    alias: aliasName,
    functionVersion: aliased.functionVersion,
    appVersion: aliased.appVersion,
    routing: state.routing,
    expected,
  };
  const match = matchesExpected(expected, aliased);
  if (match === null) {
    return inconclusive(
      `${aliasName} of ${functionName} points at version ${aliased.functionVersion} (app ${aliased.appVersion}), but there is ${describeExpected(expected)} to compare it with (${expected.source}). Set HARNESS_EXPECTED_VERSION to what was deployed.`,
      evidence,
    );
  }
  if (!match) {
    return failed(
      `${aliasName} of ${functionName} points at version ${aliased.functionVersion} (app ${aliased.appVersion}), not the expected ${describeExpected(expected)}. Move the alias to the deployed version or roll back.`,
      evidence,
    );
  }
  const weights = Object.entries(state.routing);
  if (weights.length > 0) {
    return failed(
      `${aliasName} of ${functionName} points at the expected version ${aliased.functionVersion} but still routes ${weights.map(([v, w]) => `${Math.round(w * 100)}% to version ${v}`).join(", ")}: the traffic shift did not finish. Complete or roll back the canary.`,
      evidence,
    );
  }
  return passed(
    `${aliasName} of ${functionName} points at version ${aliased.functionVersion} (app ${aliased.appVersion}), the expected ${describeExpected(expected)}.`,
    evidence,
  );
}

/** The version served before this deployment: the previous deployment record, else the highest older version. */
export function previousVersion(
  state: FunctionState,
  records: readonly DeploymentRecord[],
): { version: string | null; source: string } {
  const current = state.aliased.functionVersion;
  const older = records.filter((r) => r.functionVersion !== current);
  const newestRecordIsCurrent = records[0]?.functionVersion === current;
  if (newestRecordIsCurrent && older[0]) {
    return {
      version: older[0].functionVersion,
      source: `the previous deployment record (${older[0].deployedAt})`,
    };
  }
  const below = state.versions.filter((v) => Number(v.functionVersion) < Number(current));
  const highest = below.at(-1);
  return highest
    ? { version: highest.functionVersion, source: `the highest published version below ${current}` }
    : { version: null, source: `no version older than ${current}` };
}

/** Runbook 6.3.2 / 7.3.3 / 9.4: a backup-* alias points at the version served before, so a rollback has a target. */
export function judgeBackupAlias(
  state: FunctionState,
  prefix: string,
  previous: { version: string | null; source: string },
): Finding {
  const backups = state.aliases.filter((a) => a.name.startsWith(prefix));
  const evidence = { backups, previous, current: state.aliased.functionVersion };
  if (previous.version === null) {
    return inconclusive(
      `${state.functionName} has no version older than ${state.aliased.functionVersion} (${previous.source}), so there is nothing a backup alias should point at.`,
      evidence,
    );
  }
  const target = backups.find((a) => a.functionVersion === previous.version);
  if (target) {
    return passed(
      `Backup alias ${target.name} of ${state.functionName} points at version ${previous.version}, the version served before (${previous.source}).`,
      evidence,
    );
  }
  const seen =
    backups.length === 0
      ? `no ${prefix}* alias at all`
      : `only ${backups.map((b) => `${b.name} -> ${b.functionVersion}`).join(", ")}`;
  return failed(
    `${state.functionName} has ${seen}; none points at version ${previous.version}, the version served before (${previous.source}), so a rollback has no target. Create ${prefix}<env>-v${previous.version} before moving ${state.aliasName}.`,
    evidence,
  );
}

/** Runbook 6.3.2 / 7.3.3: the code promoted is byte-identical to the source environment's (CodeSha256). */
export function judgeCodeShaAgainstSource(
  target: FunctionState,
  source: FunctionState,
  sourceEnv: string,
): Finding {
  const mine = target.aliased;
  // The source alias may have moved on since the promotion (DEV deploys on every push): compare with the
  // source version of the same app version when the alias no longer serves it.
  const sameApp =
    source.aliased.appVersion === mine.appVersion
      ? source.aliased
      : [...source.versions].reverse().find((v) => v.appVersion === mine.appVersion);
  const reference = sameApp ?? source.aliased;
  const evidence = { target: mine, source: reference, sourceAlias: source.aliasName, sourceEnv };
  const where =
    sameApp === source.aliased || sameApp === undefined
      ? `${sourceEnv}'s ${source.aliasName} (version ${reference.functionVersion})`
      : `${sourceEnv} version ${reference.functionVersion} (same app version; ${source.aliasName} has moved on)`;
  if (reference.codeSha256 === mine.codeSha256) {
    return passed(
      `${target.functionName} version ${mine.functionVersion} has CodeSha256 ${mine.codeSha256}, the same as ${where}.`,
      evidence,
    );
  }
  return failed(
    `${target.functionName} version ${mine.functionVersion} (app ${mine.appVersion}) has CodeSha256 ${mine.codeSha256}, but ${where} (app ${reference.appVersion}) has ${reference.codeSha256}: the promoted package is not the one verified in ${sourceEnv}. Promote the exact ${sourceEnv} package.`,
    evidence,
  );
}

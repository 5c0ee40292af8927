/**
 * The source environment of a promotion (tenant runbook 6.1, 6.3.1, 7.1, 7.3.1; access runbook 2.2, 3.1,
 * 3.2.2): how long its bits have run, the integrity reference (version and CodeSha256 behind its alias) and,
 * for the semver-versioned access service, that the version to promote is newer than the target's.
 */
import type { Threshold } from "../../runbooks/index.ts";
import type { DeployedFunction } from "./deployed.ts";
import { type Finding, failed, inconclusive, passed } from "./finding.ts";

const hours = (ms: number) => `${(ms / 3_600_000).toFixed(1)} h`;

/**
 * The alias's version has been deployed for at least the threshold (deployment.age, seconds). With
 * `recordRequired` (the tenant service keeps bbws-deployments-{env}) the age must come from the deployment
 * record, not from the version's LastModified.
 */
export function judgeDeploymentAge(
  fn: DeployedFunction,
  threshold: Threshold,
  now: Date,
  recordRequired: boolean,
): Finding {
  const { functionName } = fn;
  const version = fn.state.aliased.functionVersion;
  const fromRecord = fn.deployedAtSource.startsWith("deployment record");
  const evidence = {
    functionName,
    version,
    deployedAt: fn.deployedAt.toISOString(),
    source: fn.deployedAtSource,
    requiredSeconds: threshold.value,
  };
  if (recordRequired && !fromRecord) {
    return failed(
      `${functionName}: no deployment record for version ${version} behind ${fn.state.aliasName}, so its deployment time is unknown (${fn.deployedAtSource} is not a deployment). Record the deployment in the deployments table, or promote bits that were deployed through the runbook.`,
      evidence,
    );
  }
  const ageMs = now.getTime() - fn.deployedAt.getTime();
  const requiredMs = threshold.value * 1000;
  if (ageMs >= requiredMs) {
    return passed(
      `${functionName}: version ${version} has run for ${hours(ageMs)} (since ${evidence.deployedAt}, from ${fn.deployedAtSource}), at least the ${hours(requiredMs)} required.`,
      { ...evidence, ageSeconds: Math.round(ageMs / 1000) },
    );
  }
  return failed(
    `${functionName}: version ${version} has run for only ${hours(Math.max(0, ageMs))} (since ${evidence.deployedAt}, from ${fn.deployedAtSource}); the runbook wants ${hours(requiredMs)} before it is promoted. Wait until ${new Date(fn.deployedAt.getTime() + requiredMs).toISOString()}.`,
    { ...evidence, ageSeconds: Math.round(ageMs / 1000) },
  );
}

/** The integrity reference: the alias resolves to a published version with a CodeSha256. */
export function judgeIntegrityReference(fn: DeployedFunction): Finding {
  const { aliased, aliasName } = fn.state;
  const evidence = {
    functionName: fn.functionName,
    alias: aliasName,
    functionVersion: aliased.functionVersion,
    appVersion: aliased.appVersion,
    codeSha256: aliased.codeSha256,
  };
  if (!/^\d+$/.test(aliased.functionVersion)) {
    return failed(
      `${fn.functionName}: ${aliasName} points at ${aliased.functionVersion || "nothing"}, not a published version, so there are no fixed bits to promote. Publish a version and point the alias at it.`,
      evidence,
    );
  }
  if (aliased.codeSha256 === "") {
    return inconclusive(
      `${fn.functionName}: version ${aliased.functionVersion} behind ${aliasName} reports no CodeSha256, so the promotion has no integrity reference.`,
      evidence,
    );
  }
  return passed(
    `${fn.functionName}: ${aliasName} -> version ${aliased.functionVersion} (${aliased.appVersion || "no app version"}), CodeSha256 ${aliased.codeSha256}: the reference the target's published version must match.`,
    evidence,
  );
}

/** vX.Y.Z (the access runbook's tags and SSM values), parsed; null when it is not one. */
export function parseSemver(value: string): [number, number, number] | null {
  const match = /^v(\d+)\.(\d+)\.(\d+)$/.exec(value.trim());
  if (!match) return null;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function compareSemver(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export interface SemverBumpInput {
  readonly sourceParameter: string;
  /** The source's SSM value as stored (e.g. "v1.4.0"), or null when missing. */
  readonly sourceValue: string | null;
  readonly targetParameter: string;
  readonly targetValue: string | null;
  /** App versions behind the source's aliases (the versions' Description, "1.4.0"). */
  readonly behindAliases: readonly string[];
}

/**
 * Access runbook 3.2.2: the version to promote is the source's deployed-version, vX.Y.Z, the one its aliases
 * serve, and newer than the target's. A target without a deployed version (its first promotion) passes.
 */
export function judgeSemverBump(input: SemverBumpInput): Finding {
  const evidence = { ...input };
  const source = input.sourceValue === null ? null : parseSemver(input.sourceValue);
  if (input.sourceValue === null) {
    return failed(
      `SSM ${input.sourceParameter} is missing, so there is no version to promote. The source's deployment writes it (access runbook 3.2.4).`,
      evidence,
    );
  }
  if (source === null) {
    return failed(
      `SSM ${input.sourceParameter} holds "${input.sourceValue}", not a semantic version vX.Y.Z (access runbook 6.1).`,
      evidence,
    );
  }
  const served = [...new Set(input.behindAliases.map((v) => (v.startsWith("v") ? v : `v${v}`)))];
  if (served.length !== 1 || served[0] !== input.sourceValue.trim()) {
    return failed(
      `SSM ${input.sourceParameter} names ${input.sourceValue}, but the source's aliases serve ${served.join(", ") || "nothing"}: the version to promote is not the one that was verified. Update the parameter or the aliases.`,
      evidence,
    );
  }
  if (input.targetValue === null) {
    return passed(
      `${input.sourceValue} is a semantic version, served by every alias; ${input.targetParameter} is not set yet (first promotion).`,
      evidence,
    );
  }
  const target = parseSemver(input.targetValue);
  if (target !== null && compareSemver(source, target) <= 0) {
    return failed(
      `${input.sourceValue} (${input.sourceParameter}) is not newer than ${input.targetValue} (${input.targetParameter}): nothing new to promote, or the versions went backwards. Bump the version (access runbook 6.1).`,
      evidence,
    );
  }
  return passed(
    `${input.sourceValue} is served by every alias of the source and is newer than ${input.targetValue} in ${input.targetParameter}.`,
    evidence,
  );
}

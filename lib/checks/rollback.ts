/**
 * The rollback verification (tenant runbook 9.1, 9.3, 9.4; access runbook 4.2, 5.1, 5.3, 9.2): the environment
 * judged against the newest rollback record (`ROLLBACK#<service>` in `bbws-deployments-{env}`, written by
 * `npm run rollback` or by a promotion that rolled itself back). A reader returns the record as plain data; the
 * judges are pure. Without a record every judge fails, saying how to run a rollback: this suite verifies one
 * that ran, it cannot tell a healthy environment from a rolled-back one.
 */

import type { Environment, Service, Threshold } from "../../runbooks/index.ts";
import type { AwsClients } from "../aws/index.ts";
import { deploymentsTableOf } from "../config/index.ts";
import { compare, failWhenFromThreshold, formatNumber } from "../metrics/index.ts";
import {
  fileLedger,
  type MonitorDecision,
  type MonitorRule,
  type MonitorTarget,
  memoryLedger,
  monitorRulesFromItems,
  type SkippedThreshold,
} from "../monitor/index.ts";
import type { DeploymentRecord } from "./expected.ts";
import { combine, type Finding, failed, inconclusive, passed } from "./finding.ts";
import { applicableItems, ROLLBACK_ITEMS } from "./items.ts";
import type { FunctionState, VersionInfo } from "./lambda.ts";
import {
  type RollbackFunction,
  type RollbackRecord,
  readLatestRollback,
  rollbackPartition,
} from "./rollback-record.ts";
import { type FunctionWindow, syntheticRate, watchFunction } from "./window.ts";
import { judgeWindowItem } from "./window-judge.ts";

/** The newest rollback record of a service in an environment, as read: the record, why it is unusable, or none. */
export interface LatestRollback {
  /** The table it was read from (`bbws-deployments-{env}`). */
  readonly table: string;
  readonly serviceId: string;
  readonly envId: string;
  readonly recorded: { readonly record: RollbackRecord } | { readonly problem: string } | null;
}

/** What the rollback judges read about one function of the service: its state and its deployment records. */
export interface RolledBackFunction {
  readonly functionName: string;
  readonly state: FunctionState;
  /** Its records in the deployments table, newest first (empty when the service keeps none). */
  readonly records: readonly DeploymentRecord[];
}

/** Reads the newest rollback record of the service in the environment's deployments table. */
export async function readLatestRollbackOf(
  aws: Pick<AwsClients, "dynamodbDoc">,
  environment: Pick<Environment, "id">,
  service: Pick<Service, "id">,
): Promise<LatestRollback> {
  const table = deploymentsTableOf(environment.id);
  return {
    table,
    serviceId: service.id,
    envId: environment.id,
    recorded: await readLatestRollback(aws, table, service.id),
  };
}

/** The command that runs (and records) a rollback, for the reasons of a missing one. */
function rollbackCommand(rollback: LatestRollback): string {
  return `npm run rollback -- --service ${rollback.serviceId} --env ${rollback.envId} --reason "<why>"`;
}

/** The record, or the failed finding that says why there is none to judge against. */
function usableRecord(rollback: LatestRollback): RollbackRecord | Finding {
  const { recorded, table, serviceId, envId } = rollback;
  const evidence = { table, partition: rollbackPartition(serviceId), service: serviceId, environment: envId };
  if (recorded === null) {
    return failed(
      `No rollback of ${serviceId} is recorded in ${table} (no ${rollbackPartition(serviceId)} item), so there is nothing to verify ${envId} against: this suite checks a rollback that ran. Roll back with \`${rollbackCommand(rollback)}\`, which records it and runs this suite.`,
      evidence,
    );
  }
  if ("problem" in recorded) {
    return failed(
      `${recorded.problem}. A rollback cannot be verified against a record that does not say what it did: find the run that wrote it, or roll back again with \`${rollbackCommand(rollback)}\`.`,
      evidence,
    );
  }
  const { record } = recorded;
  const mismatch = [
    ...(record.service === serviceId ? [] : [`service ${record.service}`]),
    ...(record.environment === envId ? [] : [`environment ${record.environment}`]),
  ];
  if (mismatch.length > 0) {
    return failed(
      `The newest ${rollbackPartition(serviceId)} record in ${table} (${record.SK}, run ${record.runId}) names ${mismatch.join(" and ")}, not ${serviceId} in ${envId}: it was written for another target. Remove or correct it, and roll back with \`${rollbackCommand(rollback)}\`.`,
      { ...evidence, record },
    );
  }
  return record;
}

/** What every finding's evidence says about the record it was judged against. */
function recordEvidence(record: RollbackRecord): Record<string, unknown> {
  return {
    rollback: {
      SK: record.SK,
      runId: record.runId,
      trigger: record.trigger,
      requested: record.requested,
      initiator: record.initiator,
      reason: record.reason,
      startedAt: record.startedAt,
      rolledBackAt: record.rolledBackAt,
      functions: record.functions,
      ssm: record.ssm,
    },
  };
}

function describeRun(record: RollbackRecord): string {
  return `the rollback of run ${record.runId} at ${record.rolledBackAt}`;
}

function sentence(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/** Whether a judge wants every function of the service rolled back, or only those the rollback named. */
export interface RollbackScope {
  /**
   * Every function of the service must be in the rollback (access runbook 5.3: all of them together); without
   * it, functions a partial rollback left out (`npm run rollback -- --services roles`) are not judged.
   */
  readonly requireAll?: boolean;
}

/**
 * One finding for the functions of the service, each judged against its entry in the record: no record, no
 * function read or rolled back (inconclusive) is said once; the evidence lists each function.
 */
function perFunction(
  rollback: LatestRollback,
  functions: readonly RolledBackFunction[],
  scope: RollbackScope,
  judgeOne: (record: RollbackRecord, entry: RollbackFunction, fn: RolledBackFunction) => Finding,
): Finding {
  const record = usableRecord(rollback);
  if ("status" in record) return record;
  const named = record.functions.map((f) => f.functionName);
  const judged = functions.flatMap((fn) => {
    const entry = record.functions.find((f) => f.functionName === fn.functionName);
    return entry ? [{ fn, entry }] : [];
  });
  const left = functions.filter((fn) => !named.includes(fn.functionName)).map((fn) => fn.functionName);
  if (judged.length === 0) {
    return inconclusive(
      functions.length === 0
        ? `No function of ${rollback.serviceId} was read in ${rollback.envId}, so there is nothing to compare with ${describeRun(record)}.`
        : `${sentence(describeRun(record))} moved ${named.join(", ")}, none of the functions of ${rollback.serviceId} read in ${rollback.envId} (${left.join(", ")}), so there is nothing to compare it with.`,
      recordEvidence(record),
    );
  }
  const findings = judged.map(({ fn, entry }) => judgeOne(record, entry, fn));
  if (scope.requireAll && left.length > 0) {
    findings.push(
      failed(
        `${sentence(describeRun(record))} moved only ${named.join(", ")}; ${left.join(", ")} still serve${left.length === 1 ? "s" : ""} what ${left.length === 1 ? "it" : "they"} served before, so not every function of ${rollback.serviceId} was rolled back. Roll back all of them together: \`${rollbackCommand(rollback)} --services all\`.`,
        { notRolledBack: left },
      ),
    );
  }
  // One evidence entry per function: combine() would merge them key by key and keep only the last.
  return {
    ...combine(findings),
    evidence: {
      ...recordEvidence(record),
      notRolledBack: left,
      functions: findings.map((f) => ({ status: f.status, ...f.evidence })),
    },
  };
}

/** Whether a deployment record is the one the rollback itself wrote for the version it restored. */
function isOwnRecord(r: DeploymentRecord, record: RollbackRecord, entry: RollbackFunction): boolean {
  return (
    r.rollback === true &&
    r.functionVersion === entry.toVersion &&
    (r.runId === record.runId || r.deployedAt === record.rolledBackAt)
  );
}

/**
 * Tenant runbook 9.3 / access 5.3: the rollback is recorded with a reason and an initiator, for every function
 * of the service and the versions their aliases serve now, and no deployment came after it (the newest
 * deployment record, where the service keeps them, names the restored version).
 */
export function judgeRollbackRecord(
  rollback: LatestRollback,
  functions: readonly RolledBackFunction[],
  /** The service's deployments table, or null when it keeps no deployment records (access). */
  deploymentsTable: string | null,
): Finding {
  const record = usableRecord(rollback);
  if ("status" in record) return record;
  const evidence = {
    ...recordEvidence(record),
    served: functions.map((fn) => ({
      functionName: fn.functionName,
      functionVersion: fn.state.aliased.functionVersion,
      newestRecord: fn.records[0] ?? null,
    })),
  };
  if (functions.length === 0) {
    return inconclusive(
      `No function of ${rollback.serviceId} was read in ${rollback.envId}, so ${describeRun(record)} cannot be compared with what serves.`,
      evidence,
    );
  }
  const problems: string[] = [];
  if (record.reason.trim() === "")
    problems.push("its reason is blank (runbook 9.3 refuses a rollback without one)");
  if (record.initiator.trim() === "") problems.push("it names no initiator");
  const served = new Set(functions.map((fn) => fn.functionName));
  const unknown = record.functions.filter((f) => !served.has(f.functionName)).map((f) => f.functionName);
  if (unknown.length > 0)
    problems.push(`it moved ${unknown.join(", ")}, which are not functions of ${rollback.serviceId}`);
  const rolledBackAt = Date.parse(record.rolledBackAt);
  for (const fn of functions) {
    const entry = record.functions.find((f) => f.functionName === fn.functionName);
    // A partial rollback (--services) leaves functions out; judges that need all of them say so.
    if (!entry) continue;
    const serving = fn.state.aliased.functionVersion;
    if (serving !== entry.toVersion) {
      problems.push(
        `it moved ${fn.functionName} to version ${entry.toVersion}, but ${fn.state.aliasName} serves version ${serving} now: the record describes another state than the one serving (an alias moved since)`,
      );
    }
    const later = fn.records.filter(
      (r) => Date.parse(r.deployedAt) > rolledBackAt && !isOwnRecord(r, record, entry),
    );
    for (const r of later) {
      problems.push(
        `${fn.functionName} version ${r.functionVersion} was deployed at ${r.deployedAt}, after it (${deploymentsTable ?? "deployment record"} ${r.SK})`,
      );
    }
    const newest = fn.records[0];
    if (deploymentsTable !== null && later.length === 0 && newest?.functionVersion !== entry.toVersion) {
      problems.push(
        `the newest deployment record of ${fn.functionName} in ${deploymentsTable} is ${newest ? `version ${newest.functionVersion} (${newest.deployedAt})` : "missing"}, not the restored version ${entry.toVersion}, so the probe and the post-deploy suite expect the wrong version; the rollback must record the version it restored`,
      );
    }
  }
  if (problems.length > 0) {
    return failed(
      `The newest rollback of ${rollback.serviceId} in ${rollback.table} (run ${record.runId} at ${record.rolledBackAt}, by ${record.initiator || "nobody"}): ${problems.join("; ")}. Verify right after a rollback, or roll back again with \`${rollbackCommand(rollback)}\`.`,
      evidence,
    );
  }
  const moves = record.functions
    .map((f) => `${f.functionName} ${f.fromVersion} -> ${f.toVersion} (app ${f.toAppVersion})`)
    .join(", ");
  const left = functions.filter((fn) => !record.functions.some((f) => f.functionName === fn.functionName));
  return passed(
    `${rollback.table} records the ${record.trigger} rollback of run ${record.runId} at ${record.rolledBackAt}${record.emergency ? " (an emergency, without approvals)" : ""} by ${record.initiator}, reason "${record.reason}": ${moves}${left.length > 0 ? ` (not rolled back: ${left.map((fn) => fn.functionName).join(", ")})` : ""}. The aliases serve those versions and no deployment came after it.`,
    evidence,
  );
}

function routingOf(state: FunctionState): string | null {
  const weights = Object.entries(state.routing);
  return weights.length === 0
    ? null
    : weights.map(([v, w]) => `${formatNumber(Math.round(w * 1000) / 10)}% to version ${v}`).join(", ");
}

/** One function's alias against its record entry: the target version, no split, the recorded app version. */
function targetProblems(entry: RollbackFunction, state: FunctionState): string[] {
  const { aliased, aliasName } = state;
  const problems: string[] = [];
  if (aliased.functionVersion !== entry.toVersion) {
    problems.push(
      `${aliasName} points at version ${aliased.functionVersion} (app ${aliased.appVersion}), not version ${entry.toVersion} (app ${entry.toAppVersion}) the rollback moved it to`,
    );
  } else if (aliased.appVersion !== entry.toAppVersion) {
    problems.push(
      `version ${entry.toVersion} is published as app ${aliased.appVersion}, but the rollback recorded app ${entry.toAppVersion}`,
    );
  }
  const split = routingOf(state);
  if (split !== null) problems.push(`${aliasName} still routes ${split}: a traffic split was left behind`);
  return problems;
}

/**
 * Tenant runbook 9.3 (and part of 9.4, access 5.3): every alias points at the version the rollback moved it to,
 * with no traffic split left.
 */
export function judgeRollbackTarget(
  rollback: LatestRollback,
  functions: readonly RolledBackFunction[],
  scope: RollbackScope = {},
): Finding {
  return perFunction(rollback, functions, scope, (record, entry, fn) => {
    const { state } = fn;
    const evidence = {
      functionName: fn.functionName,
      alias: state.aliasName,
      functionVersion: state.aliased.functionVersion,
      appVersion: state.aliased.appVersion,
      routing: state.routing,
      expected: {
        toVersion: entry.toVersion,
        toAppVersion: entry.toAppVersion,
        fromVersion: entry.fromVersion,
      },
    };
    const problems = targetProblems(entry, state);
    return problems.length > 0
      ? failed(
          `${fn.functionName}: ${problems.join("; ")} (${describeRun(record)}). The alias moved since, or the rollback did not finish: roll back again with \`${rollbackCommand(rollback)} --target ${entry.toVersion}\`.`,
          evidence,
        )
      : passed(
          `${fn.functionName}: ${state.aliasName} points at version ${entry.toVersion} (app ${entry.toAppVersion}), where ${describeRun(record)} moved it from version ${entry.fromVersion}, with no traffic split.`,
          evidence,
        );
  });
}

/**
 * Tenant runbook 9.4 / access 5.3: the version rolled back to is a backup alias's: the alias the record names
 * still exists and points at it (or, when the rollback named none, some backup alias does).
 */
export function judgeRollbackBackupAlias(
  rollback: LatestRollback,
  functions: readonly RolledBackFunction[],
  /** The service's backup alias prefix, e.g. "backup-". */
  prefix: string,
  scope: RollbackScope = {},
): Finding {
  return perFunction(rollback, functions, scope, (record, entry, fn) => {
    const backups = fn.state.aliases.filter((a) => a.name.startsWith(prefix));
    const evidence = {
      functionName: fn.functionName,
      backupAlias: entry.backupAlias,
      backups,
      toVersion: entry.toVersion,
    };
    if (entry.backupAlias === null) {
      const some = backups.find((a) => a.functionVersion === entry.toVersion);
      return some
        ? passed(
            `${fn.functionName}: ${describeRun(record)} named no backup alias (target "${record.requested}"), but backup alias ${some.name} points at version ${entry.toVersion}, the version it returned to.`,
            evidence,
          )
        : failed(
            `${fn.functionName}: ${describeRun(record)} returned to version ${entry.toVersion} (target "${record.requested}"), which no ${prefix}* alias names${backups.length > 0 ? ` (${backups.map((b) => `${b.name} -> ${b.functionVersion}`).join(", ")})` : ""}: runbook 9.4 returns to the version a backup alias kept from before the deployment. If version ${entry.toVersion} was served before a deployment, keep it as one (aws lambda create-alias --function-name ${fn.functionName} --name ${prefix}${rollback.envId}-v${entry.toVersion} --function-version ${entry.toVersion}); otherwise roll back with --target previous.`,
            evidence,
          );
    }
    const named =
      backups.find((a) => a.name === entry.backupAlias) ??
      fn.state.aliases.find((a) => a.name === entry.backupAlias);
    if (!named) {
      return failed(
        `${fn.functionName}: backup alias ${entry.backupAlias}, which ${describeRun(record)} returned to (version ${entry.toVersion}), no longer exists, so the next rollback has no record of this target. Recreate it: aws lambda create-alias --function-name ${fn.functionName} --name ${entry.backupAlias} --function-version ${entry.toVersion}.`,
        evidence,
      );
    }
    if (named.functionVersion !== entry.toVersion) {
      return failed(
        `${fn.functionName}: backup alias ${entry.backupAlias} points at version ${named.functionVersion}, but ${describeRun(record)} returned to version ${entry.toVersion} as its version: the alias was moved since, or the rollback went elsewhere. Point it back at ${entry.toVersion}, or roll back to ${named.functionVersion}.`,
        evidence,
      );
    }
    return passed(
      `${fn.functionName}: backup alias ${entry.backupAlias} still points at version ${entry.toVersion}, the version ${describeRun(record)} returned to.`,
      evidence,
    );
  });
}

/** The published version `version` of the function as read (the aliased one, or from its version list). */
function versionOf(state: FunctionState, version: string): VersionInfo | undefined {
  return state.aliased.functionVersion === version
    ? state.aliased
    : state.versions.find((v) => v.functionVersion === version);
}

/**
 * Tenant runbook 9.4: the version rolled back to carries the CodeSha256 its deployment was recorded with. Its own
 * record (written by a rollback) is not evidence of that: only a record of the original deployment is. None is
 * inconclusive; a different CodeSha256 is a failure (the bits are not the ones that were verified then).
 */
export function judgeRollbackCode(
  rollback: LatestRollback,
  functions: readonly RolledBackFunction[],
  /** The service's deployments table, or null when it keeps none. */
  deploymentsTable: string | null,
): Finding {
  return perFunction(rollback, functions, {}, (record, entry, fn) => {
    const live = versionOf(fn.state, entry.toVersion);
    const originals = fn.records.filter((r) => r.functionVersion === entry.toVersion && r.rollback !== true);
    const evidence = {
      functionName: fn.functionName,
      toVersion: entry.toVersion,
      live: live ?? null,
      recordedByRollback: entry.toCodeSha256,
      deploymentRecords: originals,
      deploymentsTable,
    };
    if (deploymentsTable === null) {
      return inconclusive(
        `${fn.functionName}: ${rollback.serviceId} keeps no deployment records, so the CodeSha256 version ${entry.toVersion} was deployed with is not recorded anywhere to compare with.`,
        evidence,
      );
    }
    if (!live) {
      return failed(
        `${fn.functionName} has no version ${entry.toVersion} any more, the version ${describeRun(record)} returned to: it was deleted since. Roll back to a published version.`,
        evidence,
      );
    }
    const problems: string[] = [];
    if (entry.toCodeSha256 !== live.codeSha256) {
      problems.push(
        `the rollback recorded CodeSha256 ${entry.toCodeSha256} for it, but the version carries ${live.codeSha256}`,
      );
    }
    const differing = originals.find((r) => r.codeSha256 !== live.codeSha256);
    if (differing) {
      problems.push(
        `its deployment at ${differing.deployedAt} was recorded with CodeSha256 ${differing.codeSha256} (${deploymentsTable} ${differing.SK}), but the version carries ${live.codeSha256}`,
      );
    }
    if (problems.length > 0) {
      return failed(
        `${fn.functionName} version ${entry.toVersion} (app ${live.appVersion}): ${problems.join("; ")}. The bits rolled back to are not the ones verified when they were deployed: roll back to a version whose code matches its record, or redeploy the recorded package.`,
        evidence,
      );
    }
    const original = originals.at(-1);
    if (!original) {
      return inconclusive(
        `${fn.functionName}: ${deploymentsTable} has no record of the deployment of version ${entry.toVersion} (only the rollback's own, if any), so the CodeSha256 it was deployed with is unknown; it carries ${live.codeSha256}. Compare it with the release's package, or roll back to a recorded version.`,
        evidence,
      );
    }
    return passed(
      `${fn.functionName} version ${entry.toVersion} carries CodeSha256 ${live.codeSha256}, as recorded when it was deployed at ${original.deployedAt} (${deploymentsTable} ${original.SK}).`,
      evidence,
    );
  });
}

function stripV(version: string): string {
  return version.startsWith("v") ? version.slice(1) : version;
}

/**
 * Access runbook 5.3 / 9.2: the deployed-version parameter names the version rolled back to, as the rollback
 * restored it (`v<app version>`).
 */
export function judgeRollbackSsm(
  rollback: LatestRollback,
  /** The service's deployed-version parameter, or null when it keeps none. */
  parameter: string | null,
  /** What the parameter holds now, exactly as stored, or null when it is missing. */
  value: string | null,
): Finding {
  const record = usableRecord(rollback);
  if ("status" in record) return record;
  const restored = [...new Set(record.functions.map((f) => stripV(f.toAppVersion)))];
  const evidence = { ...recordEvidence(record), parameter, value, restoredAppVersions: restored };
  if (parameter === null) {
    return inconclusive(
      `${rollback.serviceId} keeps no deployed-version parameter, so there is none to check.`,
      evidence,
    );
  }
  const problems: string[] = [];
  if (restored.length > 1) {
    problems.push(
      `the functions were rolled back to different app versions (${restored.join(", ")}), so no one version is deployed`,
    );
  }
  const wanted = restored[0];
  if (record.ssm === null) problems.push("the rollback record restored no deployed-version parameter");
  else if (record.ssm.parameter !== parameter) {
    problems.push(`the rollback restored ${record.ssm.parameter}, not ${parameter}`);
  } else if (wanted !== undefined && stripV(record.ssm.value) !== wanted) {
    problems.push(`the rollback restored ${record.ssm.value}, but moved the aliases to app ${wanted}`);
  }
  if (value === null) problems.push(`${parameter} is missing`);
  else if (wanted !== undefined && stripV(value.trim()) !== wanted) {
    problems.push(`${parameter} holds ${value}, not v${wanted}, the version the aliases were rolled back to`);
  }
  if (problems.length > 0) {
    return failed(
      `SSM after ${describeRun(record)}: ${problems.join("; ")}. Restore it: aws ssm put-parameter --name ${parameter} --value v${wanted ?? "<version>"} --overwrite (npm run rollback does).`,
      evidence,
    );
  }
  return passed(
    `SSM ${parameter} holds ${value}, the version ${describeRun(record)} returned every alias to.`,
    evidence,
  );
}

/**
 * Access runbook 4.2: the rollback took less than the item's `rollback.duration` threshold, from when it started
 * (the lock taken) to when every alias had moved, as recorded.
 */
export function judgeRollbackDuration(
  rollback: LatestRollback,
  itemId: string,
  thresholds: readonly Threshold[],
): Finding {
  const record = usableRecord(rollback);
  if ("status" in record) return record;
  const threshold = thresholds.find((t) => t.metric === "rollback.duration");
  const seconds = (Date.parse(record.rolledBackAt) - Date.parse(record.startedAt)) / 1000;
  const evidence = {
    ...recordEvidence(record),
    itemId,
    seconds,
    threshold: threshold ?? null,
  };
  if (threshold === undefined) {
    return inconclusive(
      `${itemId} has no rollback.duration threshold to compare the rollback's ${formatNumber(seconds)} s with.`,
      evidence,
    );
  }
  if (seconds < 0) {
    return failed(
      `${sentence(describeRun(record))} says every alias had moved (${record.rolledBackAt}) before it started (${record.startedAt}): the record's times are wrong, so its duration is unknown. Correct the record.`,
      evidence,
    );
  }
  const failWhen = failWhenFromThreshold(threshold);
  const limit = `${threshold.comparison} ${formatNumber(threshold.value)} s`;
  return compare(seconds, failWhen.comparison, failWhen.value)
    ? failed(
        `${sentence(describeRun(record))} took ${formatNumber(seconds)} s from its start (${record.startedAt}) until every alias had moved, not the runbook's ${limit} (${itemId}). Find what held it up (waiting for the lock, approvals, a slow alias move) in the rollback's log and fix the procedure.`,
        evidence,
      )
    : passed(
        `${sentence(describeRun(record))} took ${formatNumber(seconds)} s from its start (${record.startedAt}) until every alias had moved, within the runbook's ${limit}.`,
        evidence,
      );
}

/** A judgement that may not apply: a manual rollback says nothing about a promotion's automatic one. */
export type ApplicableFinding = Finding | { readonly status: "not-applicable"; readonly reason: string };

/**
 * Tenant runbook 9.1 / access 5.1: a promotion whose health check, update or canary failed rolled itself back.
 * The environment shows it only through a rollback the promotion recorded (trigger "promotion"): every alias back
 * on the version it served before. A manual rollback does not apply.
 */
export function judgeAutomaticRollback(
  rollback: LatestRollback,
  itemId: string,
  functions: readonly RolledBackFunction[],
): ApplicableFinding {
  const record = usableRecord(rollback);
  if ("status" in record) return record;
  if (record.trigger !== "promotion") {
    return {
      status: "not-applicable",
      reason: `${itemId} is a promotion rolling itself back; the newest rollback (run ${record.runId} at ${record.rolledBackAt}, reason "${record.reason}") was a ${record.trigger} one, which says nothing about it.`,
    };
  }
  return perFunction(rollback, functions, {}, (rec, entry, fn) => {
    const problems = targetProblems(entry, fn.state);
    const evidence = {
      functionName: fn.functionName,
      functionVersion: fn.state.aliased.functionVersion,
      routing: fn.state.routing,
      fromVersion: entry.fromVersion,
      toVersion: entry.toVersion,
    };
    return problems.length > 0
      ? failed(
          `${fn.functionName}: the promotion of run ${rec.runId} rolled back at ${rec.rolledBackAt} (${rec.reason}), but ${problems.join("; ")}. Roll back with \`${rollbackCommand(rollback)} --target ${entry.toVersion}\`.`,
          evidence,
        )
      : passed(
          `${fn.functionName}: the promotion of run ${rec.runId} rolled itself back at ${rec.rolledBackAt} (${rec.reason}): ${fn.state.aliasName} serves version ${entry.toVersion} again instead of ${entry.fromVersion}.`,
          evidence,
        );
  });
}

/** The recovery window's timing (HARNESS_<ENV>_ROLLBACK_RECOVERY_WINDOW_SECONDS, ..._ROLLBACK_INTERVAL_SECONDS). */
export function recoveryTiming(environment: Environment): { windowMs: number; intervalMs: number } {
  const windowMs = environment.rollback.recoveryWindowSeconds * 1000;
  return { windowMs, intervalMs: Math.min(environment.rollback.intervalSeconds * 1000, windowMs) };
}

/**
 * Invocations a recovery window needs at the least to judge an error rate against its trigger: with 20 calls a
 * build failing half of them shows errors in all but about one window in a million, where the 2 or 3 calls of a
 * short (sandbox-scaled) window at the default rate let it pass one time in four or eight.
 */
export const MIN_RECOVERY_INVOCATIONS = 20;

/**
 * The read-only health traffic per minute the recovery window sends while the restored version is quiet: the
 * environment's synthetic rate, raised so that the window holds MIN_RECOVERY_INVOCATIONS.
 */
export function recoverySyntheticRate(environment: Environment): number {
  const { windowMs } = recoveryTiming(environment);
  return Math.max(syntheticRate(environment), Math.ceil((MIN_RECOVERY_INVOCATIONS * 60_000) / windowMs));
}

/** The recovery window's rules: the Lambda thresholds of the service's applicable errors-recovered items. */
export function recoveryRules(
  service: Pick<Service, "id">,
  environment: Pick<Environment, "id">,
): { rules: MonitorRule[]; skipped: SkippedThreshold[] } {
  const items = applicableItems(ROLLBACK_ITEMS.recovery, service.id, environment.id);
  return monitorRulesFromItems(items, { baselineP95Ms: null });
}

/** Identifies one rollback of a service: its recovery windows are the same windows in every test. */
export function recoveryWindowsKey(rollback: LatestRollback): string {
  const { recorded } = rollback;
  const at = recorded !== null && "record" in recorded ? recorded.record.SK : "none";
  return ["rollback", rollback.envId, rollback.serviceId, at].join("|");
}

/**
 * Watches every function of the service over the recovery window from `rolledBackAt` (or from now, when the run
 * starts after it): the version rolled back to,
 * on its own invocations (read from history when the window has passed), with read-only health traffic of its
 * own while that version is quiet. No usable record gives no windows: the judge says why.
 */
export async function runRecoveryWindows(options: {
  aws: AwsClients;
  rollback: LatestRollback;
  functions: readonly RolledBackFunction[];
  service: Service;
  environment: Environment;
  /** Where workers count their synthetic traffic together (the run folder's monitor/), or null. */
  ledgerDir?: string | null;
  onPoll?: (functionName: string, decision: MonitorDecision) => void;
  now?: () => number;
}): Promise<FunctionWindow[]> {
  const record = usableRecord(options.rollback);
  if ("status" in record) return [];
  // The window opens at the rollback, or when this run starts watching if that is later: a window that closed
  // before anyone watched holds only whatever traffic happened to come (and no traffic of the watcher's own).
  const startedAt = Math.max(Date.parse(record.rolledBackAt), (options.now ?? Date.now)());
  const { windowMs, intervalMs } = recoveryTiming(options.environment);
  const { rules, skipped } = recoveryRules(options.service, options.environment);
  const key = recoveryWindowsKey(options.rollback);
  return Promise.all(
    options.functions.map(async (fn): Promise<FunctionWindow> => {
      const entry = record.functions.find((f) => f.functionName === fn.functionName);
      // The restored version's own invocations (its ExecutedVersion series), not the whole function's: the
      // minute that straddles the rollback also holds the errors of the version rolled back from, which would
      // fail every rollback of a failing build in its first minute.
      const target: MonitorTarget = {
        kind: "canary",
        functionName: fn.functionName,
        version: entry?.toVersion ?? fn.state.aliased.functionVersion,
        label: "the version rolled back to",
      };
      const watched = await watchFunction({
        aws: options.aws,
        functionName: fn.functionName,
        aliasName: fn.state.aliasName,
        target,
        startedAt,
        windowMs,
        intervalMs,
        rules,
        ratePerMinute: recoverySyntheticRate(options.environment),
        service: options.service,
        ledger: options.ledgerDir
          ? fileLedger(options.ledgerDir, `${key}|${fn.functionName}`)
          : memoryLedger(),
        ...(options.onPoll ? { onPoll: (d: MonitorDecision) => options.onPoll?.(fn.functionName, d) } : {}),
      });
      return {
        functionName: fn.functionName,
        target,
        startedAt,
        rules,
        skipped,
        baseline: { valueMs: null, source: "none: the recovery window judges errors, not latency" },
        decision: watched.decision,
        polls: watched.polls,
        traffic: watched.traffic,
      };
    }),
  );
}

/**
 * Tenant runbook 9.4 / access 5.3: over the recovery window after the rollback the error rate is back under the
 * trigger. No record fails (nothing to time the window from); no invocations in the window is inconclusive.
 */
export function judgeRecovery(
  rollback: LatestRollback,
  itemId: string,
  windows: readonly FunctionWindow[],
): Finding {
  const record = usableRecord(rollback);
  if ("status" in record) return record;
  const finding = judgeWindowItem(itemId, windows);
  const watchers = [...new Set(windows.flatMap((w) => (w.watchedBy ? [w.watchedBy] : [])))];
  return {
    ...finding,
    reason: `After ${describeRun(record)}: ${finding.reason}${watchers.length > 0 ? ` (window watched by ${watchers.join(", ")} from the alias move, and handed over)` : ""}`,
    evidence: { ...recordEvidence(record), ...finding.evidence },
  };
}

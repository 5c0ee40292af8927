/**
 * The runbook items each post-deploy test verifies, for every environment and both services at once. A
 * test names all of them; the verdict counts only those that apply to the run's service and environment.
 */

import {
  allRunbookItems,
  type EnvironmentId,
  getRunbook,
  getRunbookItem,
  type RunbookItem,
  type ServiceId,
} from "../../runbooks/index.ts";
import { ACCESS_TAG } from "../run/suites.ts";

/**
 * The suites that verify a deployment of a service, in the order they run: smoke and post-deploy where its
 * runbook gives them automated items (access management has no smoke items of its own: its smoke checks,
 * 3.2.4 and 4.3.5, are in the post-deploy suite). Their verdicts are what a promotion out of an environment
 * needs.
 */
export function deploymentSuites(serviceId: ServiceId): Array<"smoke" | "post-deploy"> {
  const suites = new Set(
    allRunbookItems()
      .filter((item) => item.kind === "automated" && getRunbook(item.runbookId)?.service === serviceId)
      .map((item) => item.suite),
  );
  return (["smoke", "post-deploy"] as const).filter((suite) => suites.has(suite));
}

export const POST_DEPLOY_ITEMS = {
  configuration: [
    "tenant-deploy/4.3/function-updated",
    "tenant-deploy/6.3.2/alias-updated",
    "tenant-deploy/7.3.3/alias-updated",
  ],
  alias: [
    "tenant-deploy/4.3/alias-points-to-new-version",
    "tenant-deploy/6.3.2/alias-updated",
    "tenant-deploy/7.3.3/alias-updated",
    "tenant-deploy/6.4/alias-latest-sit",
    "tenant-deploy/7.4/alias-latest-prod",
    "access-promotion/3.2.4/ssm-deployed-version",
    "access-promotion/4.3.5/prod-ssm-version",
  ],
  codeSha: ["tenant-deploy/6.3.2/code-sha-matches-dev", "tenant-deploy/7.3.3/code-sha-matches-sit"],
  backupAlias: [
    "tenant-deploy/6.3.2/backup-alias-created",
    "tenant-deploy/7.3.3/backup-alias-created",
    "tenant-deploy/9.4/backup-alias-found",
  ],
  health: [
    "tenant-deploy/5.1/health-direct-invoke",
    "tenant-deploy/6.3.3/health-check",
    "tenant-deploy/7.3.4/health-check",
    "access-promotion/3.2.4/sit-smoke-tests",
    "access-promotion/4.3.5/prod-smoke",
  ],
  apiSmoke: ["tenant-deploy/6.3.3/smoke-tests", "tenant-deploy/7.3.4/read-only-smoke"],
  cloudFront: ["tenant-deploy/7.3.4/cloudfront-verified", "tenant-deploy/7.4/cloudfront-health"],
  metrics: [
    "tenant-deploy/8.1/errors-5min",
    "tenant-deploy/8.1/invocations-5min",
    "tenant-deploy/8.1/duration-5min",
  ],
  /** The env's monitoring items first: a throttle rule no item defines is reported against them. */
  monitor: [
    "tenant-deploy/6.3.3/monitor-immediate-errors",
    "tenant-deploy/7.3.4/error-monitoring-5min",
    "access-promotion/4.3.4/canary-errors-watched",
    "tenant-deploy/9.1/errors-in-window-roll-back",
    "tenant-deploy/9.2/error-rate-over-10pct",
    "tenant-deploy/9.2/p99-over-10s",
    "tenant-deploy/9.2/5xx-over-5-per-min",
    "access-promotion/5.1/error-rate-auto-rollback",
    "access-promotion/5.1/p95-latency-alert",
  ],
  /** Tenant 9.2's manual triggers: also rendered as one table of measured peaks against their thresholds. */
  manualTriggers: [
    "tenant-deploy/9.2/error-rate-over-10pct",
    "tenant-deploy/9.2/p99-over-10s",
    "tenant-deploy/9.2/5xx-over-5-per-min",
  ],
  canaryWeight: ["access-promotion/4.3.4/canary-10pct-5min"],
  alarmsNow: [
    "tenant-deploy/8.3/no-alarms-in-alarm",
    "access-promotion/4.3.5/prod-no-alarms",
    "access-promotion/3.3/sit-watched-2h",
    "access-promotion/4.4/prod-watched-2h",
  ],
  alarmHistory: [
    "tenant-deploy/8.3/errors-alarm-not-fired",
    "access-promotion/3.3/sit-watched-2h",
    "access-promotion/4.4/prod-watched-2h",
  ],
  logs: ["tenant-deploy/8.2/no-error-logs-10min"],
  tables: ["tenant-deploy/8.4/tables-active"],
  recentWrites: ["tenant-deploy/8.4/recent-writes-readable"],
  record: ["tenant-deploy/6.3.4/deployment-recorded", "tenant-deploy/7.3.5/deployment-recorded"],
} as const satisfies Record<string, readonly string[]>;

/** The items of `ids` that apply to this service (its runbook) and environment, in the order given. */
export function applicableItems(
  ids: readonly string[],
  serviceId: ServiceId,
  envId: EnvironmentId,
): RunbookItem[] {
  return ids.flatMap((id) => {
    const item = getRunbookItem(id);
    if (!item?.environments.includes(envId)) return [];
    return getRunbook(item.runbookId)?.service === serviceId ? [item] : [];
  });
}

/** The items of `ids` in the given service's runbook (all environments): what a test for that service verifies. */
export function serviceItems(ids: readonly string[], serviceId: ServiceId): string[] {
  return ids.filter((id) => {
    const item = getRunbookItem(id);
    return item !== undefined && getRunbook(item.runbookId)?.service === serviceId;
  });
}

/** How a test is declared for each service: the access project runs only tests with the access tag. */
export interface ServiceVariant {
  readonly serviceId: ServiceId;
  /** Appended to titles, which must be unique within a spec file. */
  readonly suffix: string;
  readonly tag: readonly string[];
}

/** The two services' variants: the access project runs only the tests tagged with ACCESS_TAG. */
export function serviceVariants(): ServiceVariant[] {
  return [
    { serviceId: "tenant-instance-management", suffix: "", tag: [] },
    { serviceId: "access-management", suffix: " [access management]", tag: [ACCESS_TAG] },
  ];
}

/** The runbook items each pre-promotion test verifies (target environment), for both services at once. */
export const PRE_PROMOTION_ITEMS = {
  readOnly: ["tenant-deploy/2.1/prod-read-only"],
  functionExists: ["tenant-deploy/2.3/lambda-function-exists"],
  apiAnswers: ["tenant-deploy/2.3/api-gateway-answers"],
  tablesExist: ["tenant-deploy/2.3/dynamodb-tables-exist"],
  deploymentsTable: ["tenant-deploy/2.3/deployments-table-exists"],
  userPoolExists: ["tenant-deploy/2.3/cognito-user-pool-exists"],
  logGroupExists: ["tenant-deploy/2.3/log-group-exists"],
  tableSchemas: ["tenant-deploy/3.3/table-schemas-match"],
  cognitoConfigured: ["tenant-deploy/3.3/cognito-pool-configured"],
  sourceReference: ["tenant-deploy/6.3.1/dev-version-and-sha", "tenant-deploy/7.3.1/sit-version-and-sha"],
  sourceDeployment: ["tenant-deploy/6.1/dev-deployment-verified"],
  sourceVerdicts: [
    "tenant-deploy/6.1/dev-smoke-passes",
    "tenant-deploy/7.1/sit-verdicts-pass",
    "access-promotion/3.2.1/dev-verdicts-pass",
    "access-promotion/4.3.1/sit-verdicts-pass",
  ],
  /** Items whose lambda.* thresholds are read from the source's CloudWatch over their look-back window. */
  sourceMetrics: [
    "tenant-deploy/6.3.1/dev-errors-1h",
    "tenant-deploy/7.1/sit-errors-24h",
    "tenant-deploy/7.1/sit-no-throttles-24h",
    "tenant-deploy/7.3.1/sit-stability-24h",
    "access-promotion/3.2.1/dev-error-rate-24h",
  ],
  sourceErrorLogs: ["tenant-deploy/6.1/dev-no-error-logs-1h"],
  sourceAlarms: [
    "tenant-deploy/6.3.1/dev-alarms-quiet",
    "tenant-deploy/7.3.1/sit-alarms-quiet",
    "access-promotion/3.2.1/dev-no-alarms",
    "access-promotion/4.3.1/sit-no-alarms",
    "access-promotion/2.2/source-stable-24h",
  ],
  sourceAge: [
    "tenant-deploy/7.1/sit-running-24h",
    "access-promotion/3.1/dev-stable-24h",
    "access-promotion/2.2/source-stable-24h",
  ],
  semverBump: ["access-promotion/3.2.2/version-is-semver-bump"],
  sourceSsm: ["access-promotion/4.3.1/sit-version-recorded"],
  maintenanceWindow: [
    "tenant-deploy/7.2/maintenance-window-confirmed",
    "access-promotion/4.3.1/maintenance-window",
  ],
} as const satisfies Record<string, readonly string[]>;

/** The runbook items each rollback test verifies (judged against the newest rollback record), for both services. */
export const ROLLBACK_ITEMS = {
  record: ["tenant-deploy/9.3/rollback-requires-reason", "access-promotion/5.3/rollback-recorded"],
  target: ["tenant-deploy/9.3/rollback-to-target-version"],
  backupAlias: ["tenant-deploy/9.4/alias-reverted-to-backup"],
  /** Access: every alias back on its backup version, and SSM deployed-version restored. */
  allToPrevious: [
    "access-promotion/5.3/rollback-all-to-previous",
    "access-promotion/9.2/failed-promotion-rolled-back",
  ],
  code: ["tenant-deploy/9.4/code-matches-record"],
  health: ["tenant-deploy/9.4/rollback-verified"],
  recovery: ["tenant-deploy/9.4/errors-recovered", "access-promotion/5.3/errors-recovered"],
  duration: ["access-promotion/4.2/alias-rollback-under-5min", "access-promotion/4.2/rollback-under-30min"],
  /** A promotion's own rollback: verified from a record with trigger "promotion", else not applicable. */
  automatic: [
    "tenant-deploy/9.1/health-failure-rolls-back",
    "tenant-deploy/9.1/update-failure-rolls-back",
    "access-promotion/5.1/canary-health-auto-rollback",
  ],
} as const satisfies Record<string, readonly string[]>;

/** The attested item that lets a promotion run outside every maintenance window, per maintenance-window item. */
export const EMERGENCY_CHANGE_ITEM: Readonly<Record<string, string>> = {
  "tenant-deploy/7.2/maintenance-window-confirmed": "tenant-deploy/7.2/emergency-change",
  "access-promotion/4.3.1/maintenance-window": "access-promotion/4.3.1/emergency-change",
};

/** The service's pre-promotion items that the service CI's report files prove (runbooks: `ciEvidence`). */
export function ciEvidenceItems(serviceId: ServiceId): RunbookItem[] {
  return allRunbookItems().filter(
    (item) =>
      item.ciEvidence !== undefined &&
      item.suite === "pre-promotion" &&
      getRunbook(item.runbookId)?.service === serviceId,
  );
}

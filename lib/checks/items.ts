/**
 * The runbook items each post-deploy test verifies, for every environment and both services at once. A
 * test names all of them; the verdict counts only those that apply to the run's service and environment.
 */

import {
  type EnvironmentId,
  getRunbook,
  getRunbookItem,
  type RunbookItem,
  type ServiceId,
} from "../../runbooks/index.ts";
import { ACCESS_TAG } from "../run/suites.ts";

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

/**
 * DEV, SIT and PROD as the two runbooks describe them (tenant runbook sections 2.1, 7, 10 and 14.2;
 * access runbook sections 1.3 and 8). Values the runbooks leave open are "TBD" or null and are filled
 * per installation through lib/config overrides, never by editing this file.
 */

import type { z } from "zod";
import type { EnvironmentId, EnvironmentSchema } from "./schema.ts";

type EnvironmentInput = z.input<typeof EnvironmentSchema>;

// One request may take up to the runbook's P99 rollback limit (9.2: P99 > 10 s) before it is a failure,
// rather than a wait; a smoke request is expected to come back well inside 3 s.
const http = { timeoutMs: 10_000, latencyBudgetMs: 3_000 };

function smokeCredentials(env: EnvironmentId) {
  const prefix = `BBWS_${env.toUpperCase()}_SMOKE`;
  return { username: { fromEnv: `${prefix}_USERNAME` }, password: { fromEnv: `${prefix}_PASSWORD` } };
}

export const environmentDefaults = {
  dev: {
    id: "dev",
    displayName: "DEV",
    accountId: "536580886816",
    region: "eu-west-1",
    promotedFrom: null,
    apiUrl: "https://o158f3j653.execute-api.eu-west-1.amazonaws.com",
    cloudFrontUrl: null,
    apiGatewayId: "o158f3j653",
    githubActionsRoleArn: "arn:aws:iam::536580886816:role/bbws-github-actions-role-dev",
    autoDeploy: true,
    approvalsRequired: 0,
    policy: {
      readOnly: false,
      maintenanceWindowRequired: false,
      acceptFlaky: true,
      verdictMaxAgeSeconds: 86_400,
      maintenanceWindows: "",
    },
    // The runbooks name no DEV window. DEV deploys on every push to main, so its post-deploy watch must be
    // short; 30 s (SIT's "immediate errors" window) still catches a crash-looping build, and DEV's real
    // gate is the 1 h error count checked before promotion to SIT (tenant runbook 6.3).
    // Unset syntheticPerMinute: a quiet DEV gets the default read-only health traffic (schema.ts).
    monitoring: { intervalSeconds: 10, windowSeconds: 30 },
    // After a rollback: a minute of the restored version's own traffic (synthetic health calls while quiet).
    rollback: { recoveryWindowSeconds: 60, intervalSeconds: 10 },
    // No runbook canaries into this environment; a service with a canary moves its alias at once here.
    canary: {
      weightPercent: 0,
      windowSeconds: 300,
      intervalSeconds: 10,
      healthIntervalSeconds: 5,
      syntheticPerMinute: 120,
    },
    cognito: {
      userPoolName: "bbws-user-pool-dev",
      userPoolId: null,
      clientId: null,
      ...smokeCredentials("dev"),
    },
    http,
  },
  sit: {
    id: "sit",
    displayName: "SIT",
    accountId: "815856636111",
    region: "eu-west-1",
    promotedFrom: "dev",
    // Tenant runbook 10.1 lists https://api-sit.bbws.example.com, but example.com is a documentation
    // placeholder and the environment table (10) says the API Gateway is TBD. Keeping "TBD" makes a run
    // against SIT stop with "set HARNESS_SIT_API_URL" instead of calling a host that is not SIT.
    apiUrl: "TBD",
    cloudFrontUrl: null,
    apiGatewayId: null,
    githubActionsRoleArn: "arn:aws:iam::815856636111:role/bbws-github-actions-role-sit",
    autoDeploy: false,
    // Access runbook approval matrix (8): SIT needs 0 approvers, only a manual trigger. The tenant runbook's
    // table says "Yes" without a number; the environment approval gate it mentions is optional (6.2 step 6).
    approvalsRequired: 0,
    policy: {
      readOnly: false,
      maintenanceWindowRequired: false,
      acceptFlaky: true,
      verdictMaxAgeSeconds: 86_400,
      maintenanceWindows: "",
    },
    // Tenant runbook 6.3: "Monitor for immediate errors (30 seconds)". SIT is often idle after a promotion, so a
    // window without the default synthetic health traffic (syntheticPerMinute unset: 30) would be inconclusive.
    monitoring: { intervalSeconds: 10, windowSeconds: 30 },
    // After a rollback: a minute of the restored version's own traffic (synthetic health calls while quiet).
    rollback: { recoveryWindowSeconds: 60, intervalSeconds: 10 },
    // No runbook canaries into this environment; a service with a canary moves its alias at once here.
    canary: {
      weightPercent: 0,
      windowSeconds: 300,
      intervalSeconds: 10,
      healthIntervalSeconds: 5,
      syntheticPerMinute: 120,
    },
    cognito: {
      userPoolName: "bbws-user-pool-sit",
      userPoolId: null,
      clientId: null,
      ...smokeCredentials("sit"),
    },
    http,
  },
  prod: {
    id: "prod",
    displayName: "PROD",
    accountId: "093646564004",
    region: "af-south-1",
    promotedFrom: "sit",
    apiUrl: "https://api.wp.kimmyai.io",
    cloudFrontUrl: "https://api.wp.kimmyai.io",
    // Tenant runbook 10: TBD.
    apiGatewayId: null,
    githubActionsRoleArn: "arn:aws:iam::093646564004:role/bbws-github-actions-role-prod",
    autoDeploy: false,
    approvalsRequired: 2,
    // Tenant runbook 2.1 and 7.3: PROD is read-only for operations, and promotion needs a maintenance window.
    // A flaky check in PROD is a check that failed once: the PROD gate does not accept it.
    policy: {
      readOnly: true,
      maintenanceWindowRequired: true,
      acceptFlaky: false,
      verdictMaxAgeSeconds: 3_600,
      // Both runbooks' change requests name an off-peak window of 22:00-23:00 UTC (access runbook 4.2, 7.2):
      // HARNESS_PROD_POLICY_MAINTENANCE_WINDOWS overrides it.
      maintenanceWindows: "22:00-23:00",
    },
    // Tenant runbook 7.3: "5-minute error monitoring window". The poll interval is the harness's choice, not
    // the runbook's: the monitor reads the 1-minute period still filling, so polling every 10 s detects a bad
    // build within 2 polls (<= 0.1 of the window, `npm run bench`) instead of a whole minute later.
    // PROD usually carries its own traffic, which the window prefers; when it is quiet, one read-only health
    // invoke every 5 s still gives each of the five 1-minute periods 12 samples, gently on the live estate.
    monitoring: { intervalSeconds: 10, windowSeconds: 300, syntheticPerMinute: 12 },
    // Access runbook 4.3 step 4: 10% for 5 minutes. A health invoke of the new version every 5 s detects a
    // crashing build within 0.1 of the window; when PROD is quiet, 2 read-only health invokes a second through
    // the alias give the canary's 10% about 12 samples a minute to judge its error rate and latency on.
    // After a rollback: a minute of the restored version's own traffic (synthetic health calls while quiet).
    rollback: { recoveryWindowSeconds: 60, intervalSeconds: 10 },
    canary: {
      weightPercent: 10,
      windowSeconds: 300,
      intervalSeconds: 10,
      healthIntervalSeconds: 5,
      syntheticPerMinute: 120,
    },
    cognito: {
      userPoolName: "bbws-user-pool-prod",
      userPoolId: null,
      clientId: null,
      ...smokeCredentials("prod"),
    },
    http,
  },
} satisfies Record<EnvironmentId, EnvironmentInput>;

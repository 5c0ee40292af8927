/**
 * The two services the runbooks deploy. Names are templates: `{env}` is the environment id,
 * `{function}` a function name; lib/config/names.ts expands them.
 */
import type { z } from "zod";
import type { ServiceId, ServiceSchema } from "./schema.ts";

type ServiceInput = z.input<typeof ServiceSchema>;

/** The API Gateway proxy event the tenant runbook invokes for a direct health check (5.1). */
const healthPayload = { httpMethod: "GET", path: "/health", headers: {} } as const;

export const serviceDefaults = {
  "tenant-instance-management": {
    id: "tenant-instance-management",
    displayName: "Tenant & Instance Management API",
    // Tenant runbook 1.2: one router Lambda serves all 27 operations.
    functions: ["bbws-tenant-instance-management-{env}"],
    aliasTemplate: "latest-{env}",
    backupAliasPrefix: "backup-",
    versioning: "lambda-numeric",
    // Tenant runbook 7.3 step 3: "Update latest-prod alias", no canary.
    canary: false,
    alarmPrefixTemplate: "bbws-tenant-instance-management-{env}",
    logGroupTemplate: "/aws/lambda/{function}",
    tables: ["bbws-tenants-{env}", "bbws-instances-{env}", "bbws-invitations-{env}"],
    deploymentsTable: "bbws-deployments-{env}",
    ssmDeployedVersionParameter: null,
    healthPayload,
  },
  "access-management": {
    id: "access-management",
    displayName: "Access Management Lambdas",
    // Access runbook 3.2 queries bbws-access-{env}-lambda-*; these are the three functions behind it.
    functions: [
      "bbws-access-{env}-lambda-authorizer",
      "bbws-access-{env}-lambda-roles",
      "bbws-access-{env}-lambda-audit",
    ],
    aliasTemplate: "latest-{env}",
    backupAliasPrefix: "backup-",
    versioning: "semver",
    // Access runbook 4.3 step 4: "Canary deploys with 10% traffic for 5 minutes".
    canary: true,
    alarmPrefixTemplate: "bbws-access-{env}",
    logGroupTemplate: "/aws/lambda/{function}",
    tables: [],
    deploymentsTable: null,
    ssmDeployedVersionParameter: "/bbws-access/{env}/deployed-version",
    // The access runbook names no health payload; its canary health check (5.1) uses the same proxy shape.
    healthPayload,
  },
} satisfies Record<ServiceId, ServiceInput>;

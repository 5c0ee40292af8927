import { readFileSync } from "node:fs";
import { z } from "zod";
import { type EnvironmentName, environmentNames } from "../manifest.ts";
import { type Manifest, ManifestSchema } from "../packaging/manifest.ts";
import { ConfigurationError } from "./errors.ts";

const TableNameSchema = z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, "must be a DynamoDB table name");

/** The Lambda environment variables the function is deployed with. */
export const TenantApiEnvSchema = z.object({
  TENANTS_TABLE: TableNameSchema,
  INSTANCES_TABLE: TableNameSchema,
  INVITATIONS_TABLE: TableNameSchema,
  DEPLOYMENTS_TABLE: TableNameSchema,
  COGNITO_ISSUER: z.url({ protocol: /^https?$/ }),
  COGNITO_CLIENT_ID: z.string().min(1),
  ENVIRONMENT: z.enum(environmentNames),
});

export interface TenantApiConfig {
  tables: { tenants: string; instances: string; invitations: string; deployments: string };
  cognito: { issuer: string; clientId: string };
  environment: EnvironmentName;
}

function issuesText(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
}

/** Reads the configuration from the Lambda environment, naming every missing or bad variable at once. */
export function loadConfig(env: Record<string, string | undefined>): TenantApiConfig {
  const parsed = TenantApiEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigurationError(
      `The function's environment variables are incomplete or invalid (${issuesText(parsed.error.issues)}). Set them on the Lambda function configuration and invoke again.`,
    );
  }
  const vars = parsed.data;
  return {
    tables: {
      tenants: vars.TENANTS_TABLE,
      instances: vars.INSTANCES_TABLE,
      invitations: vars.INVITATIONS_TABLE,
      deployments: vars.DEPLOYMENTS_TABLE,
    },
    // A trailing slash would make every token's `iss` mismatch; Cognito issuers have none.
    cognito: { issuer: vars.COGNITO_ISSUER.replace(/\/+$/, ""), clientId: vars.COGNITO_CLIENT_ID },
    environment: vars.ENVIRONMENT,
  };
}

/** Reads `manifest.json` from beside the bundle (the deployment package's root). */
export function loadManifest(bundleUrl: string): Manifest {
  const url = new URL("./manifest.json", bundleUrl);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(url, "utf8"));
  } catch (cause) {
    throw new ConfigurationError(
      `The deployment package has no readable manifest.json next to its handler (${url.pathname}). Rebuild the package with sandbox/packaging and deploy it again.`,
      { cause },
    );
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigurationError(
      `The deployment package's manifest.json is invalid (${issuesText(parsed.error.issues)}). Rebuild the package with sandbox/packaging.`,
    );
  }
  return parsed.data;
}

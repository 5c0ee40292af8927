import { z } from "zod";
import { ConfigurationError } from "../api-common/errors.ts";
import { type EnvironmentName, environmentNames } from "../manifest.ts";

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

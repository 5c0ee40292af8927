import type { Environment } from "../../runbooks/schema.ts";
import { ConfigError, type ConfigIssue, envVarName, requireUsableAll } from "../config/index.ts";

/**
 * What a sweep needs before it sends a request: the API URL and the Cognito app client id (values an
 * installation fills in), and the smoke user's credentials it signs in with. Every missing one, at once.
 */
export function sweepConfigIssues(
  environment: Environment,
  env: Record<string, string | undefined>,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  try {
    requireUsableAll(environment, ["apiUrl", "cognito.clientId"]);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    issues.push(...error.issues);
  }
  const { username, password } = environment.cognito;
  const unset = [username.fromEnv, password.fromEnv].filter((name) => !env[name]);
  if (unset.length > 0) {
    issues.push({
      path: unset.join(", "),
      message:
        `${unset.length === 1 ? "is" : "are"} not set; the sweep signs in to the API as the smoke user ` +
        `(environments.${environment.id}.cognito.username/password name these variables; CI takes them from the secret store)`,
    });
  }
  return issues;
}

/** The issue for an environment whose AWS credentials do not resolve, with the variable that names its profile. */
export function credentialsIssue(environment: Environment, detail: string): ConfigIssue {
  const profileVar = envVarName(environment.id, { path: ["awsProfile"] });
  const via = environment.awsProfile
    ? `profile ${environment.awsProfile}`
    : "the default credential chain (no profile set)";
  return {
    path: `environments.${environment.id}.awsProfile`,
    message:
      `no AWS credentials for ${environment.displayName} through ${via}: ${detail}; ` +
      `set ${profileVar} to a profile for account ${environment.accountId}, or log in so the default chain finds credentials`,
  };
}

/**
 * The error a sweep of a real environment stops with when something above is missing: one header, one
 * line per issue, and what to do, including sweeping the embedded sandbox instead.
 */
export function sweepPreflightError(
  environment: Environment,
  issues: ConfigIssue[],
  sandbox: boolean,
): ConfigError {
  return new ConfigError(
    sandbox
      ? `Cannot sweep ${environment.displayName} on the sandbox`
      : `Cannot sweep ${environment.displayName} in AWS account ${environment.accountId} (no --sandbox): it lacks what that needs`,
    issues,
    sandbox
      ? "Fix these and run again; `npm run runbook -- config-vars` lists every override."
      : "Pass --sandbox to sweep the embedded sandbox instead (`npm run sandbox` starts it), or fill these in and run again; " +
          "`npm run runbook -- config-vars` lists every override.",
  );
}

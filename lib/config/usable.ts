/**
 * Values the runbooks leave open ("TBD" URLs, Cognito ids that only exist per installation) are valid
 * configuration but cannot be used for a run. requireUsable turns them into a ConfigError that names the
 * override filling them.
 */
import type { Environment } from "../../runbooks/schema.ts";
import { ConfigError, type ConfigIssue } from "./errors.ts";
import { envVarName } from "./fields.ts";
import { CONFIG_VARS_HINT } from "./messages.ts";

const readers = {
  apiUrl: (env: Environment) => env.apiUrl,
  cloudFrontUrl: (env: Environment) => env.cloudFrontUrl,
  apiGatewayId: (env: Environment) => env.apiGatewayId,
  "cognito.userPoolId": (env: Environment) => env.cognito.userPoolId,
  "cognito.clientId": (env: Environment) => env.cognito.clientId,
} as const;

/** A value an environment may leave open: "TBD" or null until an installation fills it in. */
export type UsablePath = keyof typeof readers;

function problem(env: Environment, what: UsablePath): ConfigIssue | undefined {
  const value = readers[what](env);
  if (value !== null && value !== "TBD") return undefined;
  const state = value === null ? "is not set" : 'is "TBD" in the runbook';
  const variable = envVarName(env.id, { path: what.split(".") });
  return {
    path: `environments.${env.id}.${what}`,
    message: `${state}; set ${variable} or environments.${env.id}.${what} in your config file`,
  };
}

function missing(env: Environment, issues: ConfigIssue[]): ConfigError {
  return new ConfigError(
    `Environment ${env.id} lacks ${issues.length === 1 ? "a value" : "values"} this run needs`,
    issues,
    `Fill ${issues.length === 1 ? "it" : "them"} in and run again; ${CONFIG_VARS_HINT}.`,
  );
}

/** The value at `what`, or a ConfigError naming the override when it is "TBD" or null. */
export function requireUsable(env: Environment, what: UsablePath): string {
  const value = readers[what](env);
  const issue = problem(env, what);
  if (issue !== undefined || value === null) throw missing(env, issue === undefined ? [] : [issue]);
  return value;
}

/** Several values at once; the ConfigError lists every one that is missing, not only the first. */
export function requireUsableAll<const W extends UsablePath>(
  env: Environment,
  whats: readonly W[],
): Record<W, string> {
  const issues = whats.map((what) => problem(env, what)).filter((issue) => issue !== undefined);
  if (issues.length > 0) throw missing(env, issues);
  return Object.fromEntries(whats.map((what) => [what, requireUsable(env, what)])) as Record<W, string>;
}

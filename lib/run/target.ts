/** The target line of a sandbox run. */
export const SANDBOX_TARGET = "SANDBOX (embedded, 127.0.0.1)";

/** The standard variables that send AWS SDK calls somewhere other than AWS, set ones only. */
export function customEndpoints(env: Record<string, string | undefined>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => /^AWS_ENDPOINT_URL(_[A-Z0-9_]+)?$/.test(name) && value)
    .map(([name, value]) => `${name}=${value}`)
    .sort();
}

/**
 * The target line of an AWS run: `AWS account 815856636111 (profile sit)`. When AWS_ENDPOINT_URL(_*) sends
 * the calls elsewhere it says so first (`CUSTOM ENDPOINT ... (not AWS)`), so that a run pointed by hand at a
 * sandbox or a proxy is never labelled as the real account.
 */
export function describeAwsTarget(
  environment: { accountId: string; awsProfile?: string | undefined },
  env: Record<string, string | undefined> = process.env,
): string {
  const via = environment.awsProfile ? `profile ${environment.awsProfile}` : "default credential chain";
  const endpoints = customEndpoints(env);
  if (endpoints.length === 0) return `AWS account ${environment.accountId} (${via})`;
  return `CUSTOM ENDPOINT ${endpoints.join(", ")} (not AWS), as account ${environment.accountId} (${via})`;
}

/** Appends the API the run calls when it is not the one the target implies (`--api-url`, an override). */
export function withApiOverride(target: string, apiUrl: string | null, source: string): string {
  return apiUrl ? `${target}; API ${apiUrl} (${source})` : target;
}

/** The target line of a sandbox run. */
export const SANDBOX_TARGET = "SANDBOX (embedded, 127.0.0.1)";

/**
 * The target line of an AWS run: `AWS account 815856636111 (profile sit)`, plus the endpoint when
 * AWS_ENDPOINT_URL sends the calls somewhere other than AWS, so a report never hides where it ran.
 */
export function describeAwsTarget(
  environment: { accountId: string; awsProfile?: string | undefined },
  env: Record<string, string | undefined> = process.env,
): string {
  const via = environment.awsProfile ? `profile ${environment.awsProfile}` : "default credential chain";
  const endpoint = env.AWS_ENDPOINT_URL ? `, endpoint ${env.AWS_ENDPOINT_URL}` : "";
  return `AWS account ${environment.accountId} (${via}${endpoint})`;
}

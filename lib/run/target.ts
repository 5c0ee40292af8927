/** The target line of a sandbox run. */
export const SANDBOX_TARGET = "SANDBOX (embedded, 127.0.0.1)";

/** The target line of an AWS run: `AWS account 815856636111 (profile sit)`. */
export function describeAwsTarget(environment: {
  accountId: string;
  awsProfile?: string | undefined;
}): string {
  return `AWS account ${environment.accountId} (${environment.awsProfile ? `profile ${environment.awsProfile}` : "default credential chain"})`;
}

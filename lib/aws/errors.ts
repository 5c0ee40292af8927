/** The credentials for an environment belong to another AWS account. */
export class AccountMismatchError extends Error {
  readonly environment: string;
  readonly expectedAccountId: string;
  readonly actualAccountId: string;
  constructor(
    environment: string,
    expectedAccountId: string,
    actualAccountId: string,
    profile: string | undefined,
  ) {
    const via = profile ? `profile ${profile}` : "the default credential chain";
    super(
      `Account guard: the credentials for ${environment} (${via}) belong to AWS account ${actualAccountId}, ` +
        `but ${environment} is account ${expectedAccountId}. No check was run. ` +
        `Point ${environment} at its own account: set HARNESS_${environment.toUpperCase()}_AWS_PROFILE (or awsProfile in the config file) ` +
        `to a profile for account ${expectedAccountId}, or fix the credentials that profile resolves to.`,
    );
    this.name = "AccountMismatchError";
    this.environment = environment;
    this.expectedAccountId = expectedAccountId;
    this.actualAccountId = actualAccountId;
  }
}

/** The SDK could not get usable credentials, or AWS rejected them. */
export class AwsCredentialsError extends Error {
  readonly environment: string;
  constructor(
    environment: string,
    profile: string | undefined,
    detail: string,
    options?: { cause?: unknown },
  ) {
    const via = profile ? `profile ${profile}` : "the default credential chain";
    super(
      `Account guard: no usable AWS credentials for ${environment} (${via}): ${detail}. ` +
        `Log in or configure ${via} (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE), or set HARNESS_${environment.toUpperCase()}_AWS_PROFILE.`,
      options,
    );
    this.name = "AwsCredentialsError";
    this.environment = environment;
  }
}

/** AWS (or the endpoint AWS_ENDPOINT_URL points to) did not answer. */
export class AwsUnreachableError extends Error {
  constructor(environment: string, detail: string, options?: { cause?: unknown }) {
    super(
      `Account guard: AWS for ${environment} could not be reached: ${detail}. ` +
        "Check the network path and AWS_ENDPOINT_URL* (for the sandbox: is it still running?), then run again.",
      options,
    );
    this.name = "AwsUnreachableError";
  }
}

/** The function or alias under test does not exist in the environment. */
export class TargetMissingError extends Error {
  constructor(what: string, environment: string, options?: { cause?: unknown }) {
    super(
      `${what} does not exist in ${environment}, so there is no version to verify. Deploy it (or fix the service's names in runbooks/services.ts), then run again.`,
      options,
    );
    this.name = "TargetMissingError";
  }
}

/** The smoke user's token could not be obtained. */
export class TokenUnavailableError extends Error {
  readonly environment: string;
  constructor(environment: string, detail: string, options?: { cause?: unknown }) {
    super(
      `No API token for ${environment}: ${detail}. Set the smoke user's credentials (the variables named in ` +
        `environments.${environment}.cognito.username/password) and HARNESS_${environment.toUpperCase()}_COGNITO_CLIENT_ID, then run again.`,
      options,
    );
    this.name = "TokenUnavailableError";
    this.environment = environment;
  }
}

import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { STSClient } from "@aws-sdk/client-sts";
import { redact } from "../redact/index.ts";
import type { FunctionUnderTest, Guard, GuardKind } from "../verdict/schema.ts";
import {
  AccountMismatchError,
  AwsCredentialsError,
  AwsUnreachableError,
  TargetMissingError,
} from "./errors.ts";
import { sdk } from "./sdk.ts";

const CREDENTIAL_ERRORS = new Set([
  "CredentialsProviderError",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "ExpiredToken",
  "ExpiredTokenException",
  "SignatureDoesNotMatch",
  "InvalidSignatureException",
  "AccessDenied",
  "AccessDeniedException",
]);
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "ECONNRESET",
  "EHOSTUNREACH",
]);

function field(error: unknown, key: string): unknown {
  return error !== null && typeof error === "object" ? Reflect.get(error, key) : undefined;
}

/** What kind of failure an SDK error is, as far as the account guard and the verdict care. */
export function classifyAwsError(error: unknown): GuardKind {
  if (error instanceof AccountMismatchError) return "account-mismatch";
  if (error instanceof AwsCredentialsError) return "credentials";
  if (error instanceof AwsUnreachableError) return "unreachable";
  if (error instanceof TargetMissingError) return "target-missing";
  const name = field(error, "name");
  const code = field(error, "code") ?? field(field(error, "cause"), "code");
  if (typeof name === "string" && CREDENTIAL_ERRORS.has(name)) return "credentials";
  if (typeof code === "string" && NETWORK_CODES.has(code)) return "unreachable";
  if (name === "TimeoutError") return "unreachable";
  if (name === "ResourceNotFoundException") return "target-missing";
  return "error";
}

function describeError(error: unknown): string {
  const name = field(error, "name");
  const message = error instanceof Error ? error.message : String(error);
  return typeof name === "string" && !message.startsWith(name) ? `${name}: ${message}` : message;
}

export type GuardEnvironment = {
  id: string;
  accountId: string;
  awsProfile?: string | undefined;
  displayName?: string | undefined;
};

/**
 * Asks STS who the credentials are and throws unless they belong to the environment's account. Failures
 * are typed (AccountMismatchError, AwsCredentialsError, AwsUnreachableError) so the runner can map them to exit codes.
 */
export async function assertAccount(
  sts: STSClient,
  environment: GuardEnvironment,
): Promise<{ accountId: string; arn: string }> {
  let identity: { Account?: string | undefined; Arn?: string | undefined };
  try {
    identity = await sts.send(new (sdk.sts().GetCallerIdentityCommand)({}));
  } catch (error) {
    const kind = classifyAwsError(error);
    if (kind === "unreachable")
      throw new AwsUnreachableError(environment.id, describeError(error), { cause: error });
    throw new AwsCredentialsError(environment.id, environment.awsProfile, describeError(error), {
      cause: error,
    });
  }
  const accountId = identity.Account ?? "unknown";
  if (accountId !== environment.accountId) {
    throw new AccountMismatchError(environment.id, environment.accountId, accountId, environment.awsProfile);
  }
  return { accountId, arn: identity.Arn ?? "unknown" };
}

/** Resolves each function's alias to its version, that version's Description (the app version) and CodeSha256. */
export async function readFunctionsUnderTest(
  lambda: LambdaClient,
  environmentId: string,
  functionNames: readonly string[],
  alias: string,
): Promise<FunctionUnderTest[]> {
  const { GetAliasCommand, GetFunctionConfigurationCommand } = sdk.lambda();
  const out: FunctionUnderTest[] = [];
  for (const functionName of functionNames) {
    try {
      const aliasInfo = await lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: alias }));
      const functionVersion = aliasInfo.FunctionVersion;
      if (!functionVersion)
        throw new TargetMissingError(`Alias ${alias} of ${functionName} (no version)`, environmentId);
      const config = await lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: functionName, Qualifier: functionVersion }),
      );
      out.push({
        functionName,
        alias,
        functionVersion,
        appVersion: config.Description ?? "",
        codeSha256: config.CodeSha256 ?? "",
      });
    } catch (error) {
      if (classifyAwsError(error) === "target-missing" && !(error instanceof TargetMissingError)) {
        throw new TargetMissingError(`Alias ${alias} of ${functionName}`, environmentId, { cause: error });
      }
      throw error;
    }
  }
  return out;
}

/** What the account guard found: the record the verdict keeps, the functions under test, and the error if it failed. */
export type AccountGuardResult = {
  guard: Guard;
  functions: FunctionUnderTest[];
  /** The typed error of a failed guard (AccountMismatchError, AwsCredentialsError, ...), else null. */
  error: Error | null;
};

export type AccountGuardInput = {
  sts: STSClient;
  lambda: LambdaClient;
  environment: GuardEnvironment;
  functionNames: readonly string[];
  alias: string;
  /** Wraps each of the two checks, e.g. in a Playwright test.step; defaults to calling it. */
  step?: <T>(title: string, body: () => Promise<T>) => Promise<T>;
};

/**
 * The account guard: STS must confirm the credentials belong to the environment's account, then the alias
 * under test is resolved to version, app version and CodeSha256. Never throws; a failure comes back as a
 * redacted, classified record with its error, so a caller can stop every check without calling AWS again.
 */
export async function checkAccountGuard(input: AccountGuardInput): Promise<AccountGuardResult> {
  const step = input.step ?? (<T>(_title: string, body: () => Promise<T>) => body());
  const { environment } = input;
  let actualAccountId: string | undefined;
  try {
    await step(
      `Verify STS caller identity is account ${environment.accountId} (${environment.displayName ?? environment.id})`,
      async () => {
        actualAccountId = (await assertAccount(input.sts, environment)).accountId;
      },
    );
    const functions = await step(`Resolve alias ${input.alias} to the version under test`, () =>
      readFunctionsUnderTest(input.lambda, environment.id, input.functionNames, input.alias),
    );
    return {
      guard: {
        status: "passed",
        expectedAccountId: environment.accountId,
        ...(actualAccountId ? { actualAccountId } : {}),
      },
      functions,
      error: null,
    };
  } catch (error) {
    const mismatch = error instanceof AccountMismatchError ? error.actualAccountId : actualAccountId;
    return {
      guard: {
        status: "failed",
        kind: classifyAwsError(error),
        message: redact(error instanceof Error ? error.message : String(error)),
        expectedAccountId: environment.accountId,
        ...(mismatch ? { actualAccountId: mismatch } : {}),
      },
      functions: [],
      error: error instanceof Error ? error : new Error(String(error)),
    };
  }
}

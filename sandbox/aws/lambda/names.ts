/**
 * Lambda's naming rules, ARNs and error messages, as the Lambda API applies them. Kept together so
 * every operation validates and words its answers the same way AWS does.
 */
import { AwsServiceError } from "../errors.ts";

/** AWS's FunctionName pattern: a name, a partial ARN or a full ARN, optionally with a qualifier. */
const FUNCTION_ID =
  /^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:([a-z]{2}(?:-gov)?-[a-z]+-\d{1}):)?(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9_.-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;
const FUNCTION_ID_SOURCE =
  "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?";
const ALIAS_NAME = /^(?!^[0-9]+$)[a-zA-Z0-9_-]+$/;
const QUALIFIER = /^(|[a-zA-Z0-9$_-]+)$/;

export interface FunctionId {
  name: string;
  qualifier: string | undefined;
  /** Account named in an ARN form, if any. */
  accountId: string | undefined;
  region: string | undefined;
}

/** The "1 validation error detected" ValidationException Lambda answers for a malformed member. */
export function validationError(member: string, value: string, constraint: string): AwsServiceError {
  return new AwsServiceError(
    "ValidationException",
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

/** Parses a FunctionName path or body member (name, partial ARN or ARN, with optional `:qualifier`). */
export function parseFunctionId(value: string, member = "functionName", maxLength = 170): FunctionId {
  if (value.length < 1 || value.length > maxLength) {
    throw validationError(
      member,
      value,
      `Member must have length ${value.length < 1 ? "greater than or equal to 1" : `less than or equal to ${maxLength}`}`,
    );
  }
  const match = FUNCTION_ID.exec(value);
  if (!match?.[3]) {
    throw validationError(
      member,
      value,
      `Member must satisfy regular expression pattern: ${FUNCTION_ID_SOURCE}`,
    );
  }
  const name = match[3];
  if (name.length > 64) {
    throw validationError(member, value, "Member must have length less than or equal to 64");
  }
  return { name, qualifier: match[4], accountId: match[2], region: match[1] };
}

/** Checks an alias name (not numeric, letters, digits, `-` and `_`, at most 128). */
export function checkAliasName(value: string, member = "name"): string {
  if (value.length < 1 || value.length > 128) {
    throw validationError(member, value, "Member must have length between 1 and 128");
  }
  if (!ALIAS_NAME.test(value)) {
    throw validationError(
      member,
      value,
      "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
    );
  }
  return value;
}

/** Checks a Qualifier query parameter. */
export function checkQualifier(value: string): string {
  if (value.length < 1 || value.length > 128 || !QUALIFIER.test(value)) {
    throw validationError(
      "qualifier",
      value,
      "Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)",
    );
  }
  return value;
}

export function functionArn(region: string, accountId: string, name: string, qualifier?: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}${qualifier === undefined ? "" : `:${qualifier}`}`;
}

export function functionNotFound(
  region: string,
  accountId: string,
  name: string,
  qualifier?: string,
): AwsServiceError {
  return new AwsServiceError(
    "ResourceNotFoundException",
    `Function not found: ${functionArn(region, accountId, name, qualifier)}`,
    { status: 404 },
  );
}

export function aliasNotFound(
  region: string,
  accountId: string,
  name: string,
  alias: string,
): AwsServiceError {
  return new AwsServiceError(
    "ResourceNotFoundException",
    `Cannot find alias arn: ${functionArn(region, accountId, name, alias)}`,
    { status: 404 },
  );
}

/** `2026-11-22T05:46:31.123+0000`, the LastModified format Lambda uses. */
export function lambdaTimestamp(date: Date): string {
  return date.toISOString().replace("Z", "+0000");
}

/** Environment variables Lambda sets itself and refuses to let a function override. */
export const reservedEnvironmentKeys: ReadonlySet<string> = new Set([
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_DEFAULT_REGION",
  "AWS_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
]);

export { AwsClients, type AwsTarget, awsTargetFor } from "./clients.ts";
export { CognitoTokenSource, type CognitoTokenSourceOptions, smokeUserTokenSource } from "./cognito-token.ts";
export {
  AccountMismatchError,
  AwsCredentialsError,
  AwsUnreachableError,
  TargetMissingError,
  TokenUnavailableError,
} from "./errors.ts";
export {
  type AccountGuardInput,
  type AccountGuardResult,
  assertAccount,
  checkAccountGuard,
  classifyAwsError,
  type GuardEnvironment,
  readFunctionsUnderTest,
} from "./guard.ts";
export { sdk } from "./sdk.ts";

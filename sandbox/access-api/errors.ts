import { ConfigurationError } from "../api-common/errors.ts";

/** The package's manifest does not say which Access Management function it is. */
export class MissingFunctionError extends ConfigurationError {
  constructor() {
    super(
      "The deployment package's manifest.json names no access function (authorizer, roles or audit). Rebuild it with sandbox/packaging and an accessFunction.",
    );
    this.name = "MissingFunctionError";
  }
}

/** The authorizer cannot verify tokens without knowing the user pool. */
export class AuthorizerNotConfiguredError extends ConfigurationError {
  constructor() {
    super(
      "The authorizer needs COGNITO_ISSUER and COGNITO_CLIENT_ID to verify tokens. Set them on the Lambda function configuration.",
    );
    this.name = "AuthorizerNotConfiguredError";
  }
}

import type {
  CognitoIdentityProviderClient,
  InitiateAuthCommandOutput,
} from "@aws-sdk/client-cognito-identity-provider";
import type { Environment } from "../../runbooks/schema.ts";
import { requireUsable } from "../config/usable.ts";
import { registerSecret } from "../redact/index.ts";
import { TokenUnavailableError } from "./errors.ts";
import { sdk } from "./sdk.ts";

export type CognitoTokenSourceOptions = {
  client: CognitoIdentityProviderClient;
  environment: string;
  /** App client id; a function so that a missing id fails only when a token is actually needed. */
  clientId: () => string;
  /** Names of the variables holding the smoke user's credentials (the config's secret sources). */
  usernameVar: string;
  passwordVar: string;
  env?: Record<string, string | undefined>;
  /** A token is refreshed when it has less than this left. */
  refreshMarginMs?: number;
};

/**
 * The smoke user's Cognito token for one environment (InitiateAuth, USER_PASSWORD_AUTH), fetched on first
 * use and cached until shortly before it expires. The password and every token are registered with the
 * redactor the moment they are read, and never printed.
 */
export class CognitoTokenSource {
  readonly #options: CognitoTokenSourceOptions;
  #cached: { token: string; expiresAt: number } | null = null;
  #inFlight: Promise<string> | null = null;

  constructor(options: CognitoTokenSourceOptions) {
    this.#options = options;
  }

  /** A valid ID token (the API accepts ID tokens with aud = the app client id). */
  async get(): Promise<string> {
    const margin = this.#options.refreshMarginMs ?? 60_000;
    if (this.#cached && this.#cached.expiresAt - margin > Date.now()) return this.#cached.token;
    // Concurrent callers share one InitiateAuth.
    this.#inFlight ??= this.#fetch().finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }

  async #fetch(): Promise<string> {
    const { environment, usernameVar, passwordVar } = this.#options;
    const env = this.#options.env ?? process.env;
    const username = env[usernameVar];
    const password = env[passwordVar];
    if (!username || !password) {
      const missing = [!username ? usernameVar : null, !password ? passwordVar : null]
        .filter(Boolean)
        .join(" and ");
      throw new TokenUnavailableError(
        environment,
        `${missing} ${missing.includes(" and ") ? "are" : "is"} not set`,
      );
    }
    registerSecret(password);
    let result: InitiateAuthCommandOutput;
    try {
      result = await this.#options.client.send(
        new (sdk.cognito().InitiateAuthCommand)({
          AuthFlow: "USER_PASSWORD_AUTH",
          ClientId: this.#options.clientId(),
          AuthParameters: { USERNAME: username, PASSWORD: password },
        }),
      );
    } catch (error) {
      const name = error instanceof Error ? error.name : "Error";
      // The SDK's message never contains the password; the name says what Cognito disliked.
      throw new TokenUnavailableError(environment, `Cognito refused InitiateAuth (${name})`, {
        cause: error,
      });
    }
    const auth = result.AuthenticationResult;
    for (const token of [auth?.IdToken, auth?.AccessToken, auth?.RefreshToken]) registerSecret(token);
    const token = auth?.IdToken ?? auth?.AccessToken;
    if (!token) {
      const why = result.ChallengeName
        ? `Cognito asked for the ${result.ChallengeName} challenge`
        : "no token came back";
      throw new TokenUnavailableError(environment, why);
    }
    this.#cached = { token, expiresAt: Date.now() + (auth?.ExpiresIn ?? 3600) * 1000 };
    return token;
  }
}

/**
 * The token source of an environment's smoke user: its app client (a ConfigError naming the override while
 * the runbook leaves it open) and the variables that hold the user's name and password.
 */
export function smokeUserTokenSource(
  client: CognitoIdentityProviderClient,
  environment: Environment,
): CognitoTokenSource {
  return new CognitoTokenSource({
    client,
    environment: environment.id,
    clientId: () => requireUsable(environment, "cognito.clientId"),
    usernameVar: environment.cognito.username.fromEnv,
    passwordVar: environment.cognito.password.fromEnv,
  });
}

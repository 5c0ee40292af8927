/**
 * Each environment's Cognito user pool, app client and confirmed smoke user, created through the
 * Cognito API of the sandbox's AWS endpoint as the environment's Terraform and operators would.
 */
import type {
  CognitoIdentityProviderClient,
  CognitoIdentityProviderClientConfig,
} from "@aws-sdk/client-cognito-identity-provider";
import type { Credentials } from "./accounts.ts";
import { awsSdk } from "./aws-sdk.ts";
import { SandboxStartError } from "./errors.ts";
import { type EnvironmentName, namesFor } from "./manifest.ts";

export interface CognitoEnvironment {
  userPoolId: string;
  clientId: string;
  issuer: string;
  smokeUser: { username: string; password: string };
}

/** Client settings for one environment against the sandbox's AWS endpoint. */
export function cognitoClientConfig(
  awsEndpoint: string,
  region: string,
  credentials: Credentials,
): CognitoIdentityProviderClientConfig {
  return { endpoint: awsEndpoint, region, credentials };
}

/**
 * Creates one environment's pool, app client and confirmed smoke user through the Cognito API, as
 * the environment's Terraform and operators would.
 */
export async function setupCognitoEnvironment(
  client: CognitoIdentityProviderClient,
  env: EnvironmentName,
  issuerDomain: string,
  password: string,
): Promise<CognitoEnvironment> {
  const {
    CreateUserPoolCommand,
    CreateUserPoolClientCommand,
    AdminCreateUserCommand,
    AdminSetUserPasswordCommand,
  } = awsSdk.cognito();
  const names = namesFor(env);
  const pool = await client.send(
    new CreateUserPoolCommand({
      PoolName: names.userPool,
      UsernameAttributes: ["email"],
      AutoVerifiedAttributes: ["email"],
      Policies: {
        PasswordPolicy: {
          MinimumLength: 8,
          RequireUppercase: true,
          RequireLowercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
    }),
  );
  const userPoolId = pool.UserPool?.Id;
  if (!userPoolId) throw new SandboxStartError(`CreateUserPool for ${names.userPool} returned no pool id.`);
  const appClient = await client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: names.appClient,
      ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      GenerateSecret: false,
    }),
  );
  const clientId = appClient.UserPoolClient?.ClientId;
  if (!clientId)
    throw new SandboxStartError(`CreateUserPoolClient for ${names.appClient} returned no client id.`);
  await client.send(
    new AdminCreateUserCommand({
      UserPoolId: userPoolId,
      Username: names.smokeUsername,
      MessageAction: "SUPPRESS",
      UserAttributes: [
        { Name: "email", Value: names.smokeUsername },
        { Name: "email_verified", Value: "true" },
      ],
    }),
  );
  await client.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: userPoolId,
      Username: names.smokeUsername,
      Password: password,
      Permanent: true,
    }),
  );
  return {
    userPoolId,
    clientId,
    issuer: `${issuerDomain}/${userPoolId}`,
    smokeUser: { username: names.smokeUsername, password },
  };
}

import { type Environment, type EnvironmentId, environmentIds } from "../../runbooks/schema.ts";
import { envVarName } from "../config/index.ts";

/** The parts of the sandbox's endpoints file (docs/sandbox-interface.md) a run needs. */
export type SandboxEndpoints = {
  awsEndpoint: string;
  awsConfigFile: string;
  awsSharedCredentialsFile: string;
  environments: Record<
    EnvironmentId,
    {
      profile: string;
      apiUrl: string;
      cognito: { userPoolId: string; clientId: string; smokeUser: { username: string; password: string } };
    }
  >;
};

/** Variables from the caller's shell that would send a sandbox run to real AWS or override its endpoints. */
const REAL_AWS_VARIABLES =
  /^(AWS_PROFILE|AWS_DEFAULT_PROFILE|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|AWS_SECURITY_TOKEN|AWS_ENDPOINT_URL_.+|AWS_ROLE_ARN|AWS_WEB_IDENTITY_TOKEN_FILE|AWS_CONTAINER_.+)$/;

/**
 * The child environment of a sandbox run: the standard AWS variables pointed at the sandbox, the harness's
 * per-environment overrides (profile, API URL, Cognito ids) and the smoke users' credentials. Real AWS
 * credentials from the caller's shell are dropped. A HARNESS_<ENV>_AWS_PROFILE the caller set is kept, so
 * a sandbox run can exercise the account guard with another environment's profile.
 */
export function sandboxChildEnv(
  endpoints: SandboxEndpoints,
  environments: Record<EnvironmentId, Environment>,
  base: Record<string, string | undefined>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && !REAL_AWS_VARIABLES.test(name)) env[name] = value;
  }
  env.AWS_ENDPOINT_URL = endpoints.awsEndpoint;
  env.AWS_CONFIG_FILE = endpoints.awsConfigFile;
  env.AWS_SHARED_CREDENTIALS_FILE = endpoints.awsSharedCredentialsFile;
  for (const envId of environmentIds) {
    const sandbox = endpoints.environments[envId];
    const profileVar = envVarName(envId, { path: ["awsProfile"] });
    env[profileVar] = base[profileVar] || sandbox.profile;
    env[envVarName(envId, { path: ["apiUrl"] })] = sandbox.apiUrl;
    // The sandbox's API front stands for both API Gateway and CloudFront: a CloudFront check must never
    // leave the machine for the real distribution while the target is the sandbox.
    if (environments[envId].cloudFrontUrl !== null) {
      env[envVarName(envId, { path: ["cloudFrontUrl"] })] = sandbox.apiUrl;
    }
    env[envVarName(envId, { path: ["cognito", "userPoolId"] })] = sandbox.cognito.userPoolId;
    env[envVarName(envId, { path: ["cognito", "clientId"] })] = sandbox.cognito.clientId;
    const secrets = environments[envId].cognito;
    env[secrets.username.fromEnv] = sandbox.cognito.smokeUser.username;
    env[secrets.password.fromEnv] = sandbox.cognito.smokeUser.password;
  }
  return env;
}

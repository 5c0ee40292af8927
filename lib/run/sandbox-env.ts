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

/** What a sandbox run did with the caller's variables: API URLs it honoured, variables it dropped or refuses. */
export type SandboxEnvNotes = {
  /** Per environment, an API URL the caller asked for instead of the sandbox's front, and who asked. */
  apiOverrides: Partial<Record<EnvironmentId, { url: string; source: string }>>;
  /** Real-AWS variables of the caller's shell that the sandbox run does not use. */
  dropped: string[];
  /** Overrides a sandbox run cannot honour (the sandbox has its own Cognito pools), one problem each. */
  refused: string[];
};

/**
 * The child environment of a sandbox run: the standard AWS variables pointed at the sandbox, the harness's
 * per-environment overrides (profile, API URL, Cognito ids) and the smoke users' credentials. Real AWS
 * credentials from the caller's shell are dropped (and named in `notes.dropped`). A HARNESS_<ENV>_AWS_PROFILE
 * the caller set is kept, so a sandbox run can exercise the account guard with another environment's profile;
 * a HARNESS_<ENV>_API_URL (or `apiUrls`, from `--api-url`) is kept too, so a sandbox run can call a service
 * built locally or a proxy; Cognito ids cannot be honoured (the tokens come from the sandbox's pools) and are
 * listed in `notes.refused`.
 */
export function sandboxChildEnv(
  endpoints: SandboxEndpoints,
  environments: Record<EnvironmentId, Environment>,
  base: Record<string, string | undefined>,
  apiUrls: Partial<Record<EnvironmentId, string>> = {},
  notes: SandboxEnvNotes = { apiOverrides: {}, dropped: [], refused: [] },
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined) continue;
    if (REAL_AWS_VARIABLES.test(name)) notes.dropped.push(name);
    else env[name] = value;
  }
  env.AWS_ENDPOINT_URL = endpoints.awsEndpoint;
  env.AWS_CONFIG_FILE = endpoints.awsConfigFile;
  env.AWS_SHARED_CREDENTIALS_FILE = endpoints.awsSharedCredentialsFile;
  for (const envId of environmentIds) {
    const sandbox = endpoints.environments[envId];
    const profileVar = envVarName(envId, { path: ["awsProfile"] });
    env[profileVar] = base[profileVar] || sandbox.profile;
    const apiVar = envVarName(envId, { path: ["apiUrl"] });
    const flag = apiUrls[envId];
    const fromVar = base[apiVar];
    if (flag) notes.apiOverrides[envId] = { url: flag, source: "--api-url" };
    else if (fromVar && fromVar !== sandbox.apiUrl)
      notes.apiOverrides[envId] = { url: fromVar, source: apiVar };
    env[apiVar] = flag || fromVar || sandbox.apiUrl;
    // The sandbox's API front stands for both API Gateway and CloudFront: a CloudFront check must never
    // leave the machine for the real distribution while the target is the sandbox.
    if (environments[envId].cloudFrontUrl !== null) {
      env[envVarName(envId, { path: ["cloudFrontUrl"] })] = flag || fromVar || sandbox.apiUrl;
    }
    for (const [path, value] of [
      [["cognito", "userPoolId"], sandbox.cognito.userPoolId],
      [["cognito", "clientId"], sandbox.cognito.clientId],
    ] as const) {
      const name = envVarName(envId, { path: [...path] });
      const asked = base[name];
      if (asked && asked !== value) {
        notes.refused.push(
          `${name}=${asked}: a sandbox run signs in to the sandbox's own Cognito pool (${value}); unset ${name}, or drop --sandbox to use that pool on AWS`,
        );
      }
      env[name] = value;
    }
    const secrets = environments[envId].cognito;
    env[secrets.username.fromEnv] = sandbox.cognito.smokeUser.username;
    env[secrets.password.fromEnv] = sandbox.cognito.smokeUser.password;
  }
  return env;
}

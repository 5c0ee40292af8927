/**
 * The endpoints file (`<stateDir>/endpoints.json`) and the AWS shared config/credentials files: how
 * everything outside the sandbox process finds it. Layout documented in docs/sandbox-interface.md.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { z } from "zod";
import { EndpointsFileError, SandboxNotRunningError } from "./errors.ts";
import { environmentNames } from "./manifest.ts";

/** `<repo>/.sandbox`, where the CLI and the harness look for a running sandbox. */
export const defaultStateDir = resolve(import.meta.dirname, "..", ".sandbox");

export const endpointsFileName = "endpoints.json";

const HttpUrlSchema = z.url({ protocol: /^https?$/ });

export const EnvironmentEndpointsSchema = z.object({
  accountId: z.string().regex(/^\d{12}$/),
  region: z.string(),
  profile: z.string(),
  accessKeyId: z.string().regex(/^AKIA[A-Z0-9]{16}$/),
  secretAccessKey: z.string().length(40),
  apiUrl: HttpUrlSchema,
  cognito: z.object({
    userPoolId: z.string(),
    clientId: z.string(),
    issuer: HttpUrlSchema,
    smokeUser: z.object({ username: z.string(), password: z.string().min(8) }),
  }),
});
export type EnvironmentEndpoints = z.infer<typeof EnvironmentEndpointsSchema>;

export const EndpointsSchema = z.object({
  schemaVersion: z.literal(1),
  pid: z.number().int().positive(),
  startedAt: z.iso.datetime(),
  awsEndpoint: HttpUrlSchema,
  controlUrl: HttpUrlSchema,
  /** Bearer token for the control API's mutating routes (deploy, api-latency). */
  controlToken: z.string().min(16),
  awsConfigFile: z.string(),
  awsSharedCredentialsFile: z.string(),
  environments: z.object({
    dev: EnvironmentEndpointsSchema,
    sit: EnvironmentEndpointsSchema,
    prod: EnvironmentEndpointsSchema,
  }),
  exports: z.object({
    AWS_ENDPOINT_URL: HttpUrlSchema,
    AWS_CONFIG_FILE: z.string(),
    AWS_SHARED_CREDENTIALS_FILE: z.string(),
  }),
});
export type Endpoints = z.infer<typeof EndpointsSchema>;

/** Writes a file readable only by its owner, atomically (readers never see half a file). */
export async function writePrivateFile(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(tmp, content, { mode: 0o600, flag: "wx" });
    // The mode given to writeFile is filtered by the umask; make sure it is exactly 0600.
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** The AWS CLI / SDK shared config file: one profile per environment with its region and endpoint. */
export function renderAwsConfig(endpoints: Pick<Endpoints, "awsEndpoint" | "environments">): string {
  return environmentNames
    .map((env) => {
      const e = endpoints.environments[env];
      return [
        `[profile ${e.profile}]`,
        `region = ${e.region}`,
        `endpoint_url = ${endpoints.awsEndpoint}`,
        "output = json",
        "",
      ].join("\n");
    })
    .join("\n");
}

/** The AWS shared credentials file: the generated key pair of each environment. */
export function renderAwsCredentials(endpoints: Pick<Endpoints, "environments">): string {
  return environmentNames
    .map((env) => {
      const e = endpoints.environments[env];
      return [
        `[${e.profile}]`,
        `aws_access_key_id = ${e.accessKeyId}`,
        `aws_secret_access_key = ${e.secretAccessKey}`,
        "",
      ].join("\n");
    })
    .join("\n");
}

/** Writes aws-config, aws-credentials and (last, so its presence means "ready") endpoints.json. */
export async function writeEndpointFiles(stateDir: string, endpoints: Endpoints): Promise<void> {
  await writePrivateFile(endpoints.awsConfigFile, renderAwsConfig(endpoints));
  await writePrivateFile(endpoints.awsSharedCredentialsFile, renderAwsCredentials(endpoints));
  await writePrivateFile(join(stateDir, endpointsFileName), `${JSON.stringify(endpoints, null, 2)}\n`);
}

/** Reads and validates `<stateDir>/endpoints.json`; a missing file means no sandbox is running there. */
export async function readEndpointsFile(stateDir: string = defaultStateDir): Promise<Endpoints> {
  const path = join(stateDir, endpointsFileName);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new SandboxNotRunningError(
      `No sandbox endpoints file at ${path}, so no sandbox is running from this state directory. ` +
        "Start one with `npm run sandbox` (it keeps running in the foreground) and try again.",
      { cause: error },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new EndpointsFileError(
      path,
      `The sandbox endpoints file ${path} is not valid JSON. Stop the sandbox, delete the file and start it again.`,
      { cause: error },
    );
  }
  const parsed = EndpointsSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new EndpointsFileError(
      path,
      `The sandbox endpoints file ${path} does not match docs/sandbox-interface.md:\n${issues.join("\n")}\n` +
        "It was probably written by another version of the sandbox; restart the sandbox.",
    );
  }
  return parsed.data;
}

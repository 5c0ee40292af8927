/**
 * Starts the whole sandbox in this process: DynamoDB (dynalite), Cognito (cognito-local), the AWS
 * server (Lambda, CloudWatch, Logs, SSM, STS), one API Gateway front per environment, the seeded
 * estate, and the endpoints files that tell the harness where everything is.
 */
import { timingSafeEqual } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join, resolve } from "node:path";
import { z } from "zod";
import {
  environmentAccounts,
  generateControlToken,
  generateCredentials,
  generatePassword,
  perEnvironment,
  perEnvironmentAsync,
} from "./accounts.ts";
import { type ApiFront, startApiFront } from "./aws/api-gateway/service.ts";
import { type CognitoBackend, startCognitoBackend } from "./aws/cognito/service.ts";
import { createDynamoBackends, type DynamoBackends } from "./aws/dynamodb/service.ts";
import { BodyTooLargeError, readBody, sendJson } from "./aws/http.ts";
import { startAwsServer } from "./aws/index.ts";
import { awsSdk } from "./aws-sdk.ts";
import { cognitoClientConfig, setupCognitoEnvironment } from "./cognito-setup.ts";
import { Deployer, type DeployResult } from "./deploy.ts";
import {
  defaultStateDir,
  type Endpoints,
  EndpointsSchema,
  endpointsFileName,
  writeEndpointFiles,
} from "./endpoints.ts";
import { describeError, SandboxStartError, SandboxUsageError } from "./errors.ts";
import { type EnvironmentName, environmentNames, namesFor, type ServiceName } from "./manifest.ts";
import { diskCachedBuilder } from "./packaging/package-cache.ts";
import { seedEnvironment, seedPackageSpecs } from "./seed.ts";
import type { SeedActionInput } from "./seed-actions.ts";
import { Seeder, type SeedResult } from "./seeder.ts";
import { inspectStateDir, removeStaleState } from "./state.ts";

const repoRoot = resolve(import.meta.dirname, "..");

export interface StartSandboxOptions {
  /** Where endpoints.json, aws-config and aws-credentials are written; default `<repo>/.sandbox`. */
  stateDir?: string | undefined;
  /** Port of the AWS endpoint; default 0 (ephemeral). */
  awsPort?: number | undefined;
  /** Ports of the API fronts; default ephemeral. */
  apiPorts?: Partial<Record<EnvironmentName, number>> | undefined;
  /** Extra latency per API request through the fronts; default 0. */
  apiLatencyMs?: number | undefined;
  /** Default true: seed the live-looking estate. Without it only pools, users and the fronts exist. */
  seed?: boolean | undefined;
  /**
   * How long an idle Lambda execution environment (a worker thread, ~30-50 MB) lives; default 60 s.
   * Lower it where many versions are deployed in a row (tests), so retired versions do not pile up.
   */
  workerIdleMs?: number | undefined;
  /** Default true: no service logs on stdout/stderr. */
  quiet?: boolean | undefined;
  /** Where service log lines go when not quiet; default stderr. */
  log?: ((line: string) => void) | undefined;
}

export interface SandboxHandle {
  /** What endpoints.json holds. */
  readonly endpoints: Endpoints;
  readonly stateDir: string;
  /** Milliseconds from the call to startSandbox until everything was ready. */
  readonly startupMs: number;
  /** Milliseconds since the call at which each start-up phase finished (for benchmarks and diagnostics). */
  readonly startupPhases: Readonly<Record<string, number>>;
  /** Deploys a build through the AWS APIs as CI does; see docs/sandbox-interface.md. */
  deploy(request: DeployRequestInput): Promise<DeployResult>;
  /**
   * Seeds the past of one environment (metric datapoints, log events, alarm states, deployment ages,
   * SSM values), validated as a whole first; see docs/sandbox-interface.md, "Seeding the past".
   */
  seed(env: EnvironmentName, actions: readonly SeedActionInput[]): Promise<SeedResult>;
  /** Changes the extra latency of every API front request. */
  setApiLatency(ms: number): Promise<void>;
  /** Stops every server, worker and timer and removes the files it wrote. Idempotent. */
  stop(): Promise<void>;
}

/** A deploy request as code passes it (validated like requests from the CLI and the control API). */
export interface DeployRequestInput {
  env: EnvironmentName;
  service?: ServiceName;
  appVersion?: string;
  fault?: { kind: string; route?: string; delayMs?: number };
  canaryWeight?: number;
  createBackupAlias?: boolean;
  recordDeployment?: boolean;
  sourceEnvironment?: EnvironmentName;
}

const LatencySchema = z.strictObject({ ms: z.number().int().min(0).max(60_000) });

/**
 * Refuses to start over the endpoints file of another live sandbox (it would orphan that one); stale
 * state a dead sandbox left is removed. A file of this process is replaced, as before.
 */
async function assertStateDirFree(stateDir: string): Promise<void> {
  const state = await inspectStateDir(stateDir);
  if (state.kind === "none") return;
  if (state.kind === "stale") {
    await removeStaleState(state);
    return;
  }
  const pid = state.kind === "running" ? state.endpoints.pid : state.pid;
  if (pid === process.pid) return;
  throw new SandboxStartError(
    state.kind === "running"
      ? `Another sandbox (pid ${pid}) is running from ${stateDir}. Stop it (\`npm run sandbox -- stop --state-dir ${stateDir}\`, or Ctrl-C in its terminal) or start this one with another stateDir.`
      : `Another sandbox (pid ${pid}) may be running from ${stateDir}: ${state.reason}. Try again in a moment, stop pid ${pid} if it is a hung sandbox (\`kill ${pid}\`), or start this one with another stateDir.`,
  );
}

/** Removes the endpoints files at exit if they are still this sandbox's (a later one may have replaced them). */
function removeOwnFilesSync(stateDir: string, endpoints: Endpoints): void {
  try {
    const current: unknown = JSON.parse(readFileSync(join(stateDir, endpointsFileName), "utf8"));
    const mine = z.object({ pid: z.number(), startedAt: z.string() }).safeParse(current);
    if (!mine.success || mine.data.pid !== endpoints.pid || mine.data.startedAt !== endpoints.startedAt)
      return;
    rmSync(join(stateDir, endpointsFileName), { force: true });
    rmSync(endpoints.awsConfigFile, { force: true });
    rmSync(endpoints.awsSharedCredentialsFile, { force: true });
  } catch {
    // Nothing of ours is left to remove.
  }
}

function bearerMatches(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? "";
  const given = Buffer.from(header.replace(/^Bearer\s+/i, ""));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Starts the sandbox; resolves when every endpoint answers and the estate is seeded. */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<SandboxHandle> {
  const startedAtMs = performance.now();
  const startedAt = new Date();
  const stateDir = resolve(options.stateDir ?? defaultStateDir);
  const quiet = options.quiet ?? true;
  const log = quiet ? undefined : (options.log ?? ((line: string) => process.stderr.write(`${line}\n`)));
  let apiLatencyMs = options.apiLatencyMs ?? 0;
  const phases: Record<string, number> = {};
  const mark = (phase: string) => {
    phases[phase] = Math.round(performance.now() - startedAtMs);
    const cpu = process.cpuUsage();
    log?.(
      `sandbox: ${phase} ready at ${phases[phase]} ms (process CPU ${Math.round((cpu.user + cpu.system) / 1000)} ms)`,
    );
  };

  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await assertStateDirFree(stateDir);

  const credentials = perEnvironment(() => generateCredentials());
  const controlToken = generateControlToken();
  const accountsByAccessKey = new Map(
    environmentNames.map((env) => [credentials[env].accessKeyId, environmentAccounts[env].accountId]),
  );

  const cleanups: (() => Promise<void> | void)[] = [];
  const runCleanups = async () => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        errors.push(error);
      }
    }
    return errors;
  };

  let deployer: Deployer | undefined;
  let seeder: Seeder | undefined;
  let endpoints: Endpoints | undefined;

  const controlHandler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const route = `${req.method} ${path.replace(/^\/_sandbox/, "") || "/"}`;
    if (route === "GET /health") {
      sendJson(res, 200, {
        status: endpoints ? "ready" : "starting",
        pid: process.pid,
        startedAt: startedAt.toISOString(),
        // What a client's run should expect of the API's round trip (verify picks its workers by it).
        apiLatencyMs,
      });
      return;
    }
    if (route !== "POST /deploy" && route !== "POST /seed" && route !== "POST /api-latency") {
      sendJson(res, 404, {
        error: {
          code: "NotFound",
          message: `No control route ${route}. Routes: GET /health, POST /deploy, POST /seed, POST /api-latency.`,
        },
      });
      return;
    }
    if (!bearerMatches(req, controlToken)) {
      sendJson(res, 401, {
        error: {
          code: "Unauthorized",
          message:
            "The control API needs `Authorization: Bearer <controlToken>` from the sandbox's endpoints.json.",
        },
      });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req, 1024 * 1024)).toString("utf8") || "{}");
    } catch (error) {
      const tooLarge = error instanceof BodyTooLargeError;
      sendJson(res, tooLarge ? 413 : 400, {
        error: {
          code: "ValidationError",
          message: tooLarge ? error.message : "The request body is not valid JSON.",
        },
      });
      return;
    }
    if (route === "POST /api-latency") {
      const parsed = LatencySchema.safeParse(body);
      if (!parsed.success) {
        sendJson(res, 400, {
          error: {
            code: "ValidationError",
            message: 'Send {"ms": <integer 0..60000>} to set the API latency.',
          },
        });
        return;
      }
      apiLatencyMs = parsed.data.ms;
      sendJson(res, 200, { ms: apiLatencyMs });
      return;
    }
    if (!deployer || !seeder) {
      sendJson(res, 503, {
        error: { code: "NotReady", message: "The sandbox is still starting; retry in a second." },
      });
      return;
    }
    const seeding = route === "POST /seed";
    try {
      sendJson(res, 200, seeding ? await seeder.seed(body) : await deployer.deploy(body));
    } catch (error) {
      const usage = error instanceof SandboxUsageError;
      sendJson(res, usage ? 400 : 500, {
        error: {
          code: usage ? "ValidationError" : seeding ? "SeedFailed" : "DeployFailed",
          message: error instanceof Error ? error.message : String(error),
        },
      });
    }
  };

  const build = diskCachedBuilder({
    cacheDir: join(repoRoot, ".sandbox", "package-cache"),
    repoRoot,
    loadBuilder: async () => (await import("./packaging/index.ts")).buildPackage,
  });
  // Packages build (or load from the cache) while the services start; seeding awaits them.
  const prebuilt = seedPackageSpecs.map((spec) => build(spec));
  for (const pending of prebuilt) pending.catch(() => undefined);

  try {
    const dynamo: DynamoBackends = createDynamoBackends();
    cleanups.push(() => dynamo.close());
    mark("dynamo");
    const cognito: CognitoBackend = await startCognitoBackend({
      dataDir: join(stateDir, "cognito"),
      accountsByAccessKey,
      log,
    });
    cleanups.push(() => cognito.close());

    mark("cognito-backend");
    const aws = await startAwsServer({
      accounts: environmentNames.map((env) => ({
        name: env,
        accountId: environmentAccounts[env].accountId,
        accessKeyId: credentials[env].accessKeyId,
        secretAccessKey: credentials[env].secretAccessKey,
      })),
      ...(options.awsPort !== undefined ? { port: options.awsPort } : {}),
      ...(options.workerIdleMs !== undefined ? { workerIdleMs: options.workerIdleMs } : {}),
      dynamodbBackend: (accountId, region) => dynamo.backend(accountId, region),
      cognitoBackend: cognito.url,
      controlHandler,
      ...(log ? { log } : {}),
    });
    cleanups.push(() => aws.close());
    cognito.setIssuerDomain(aws.url);
    mark("aws-server");

    const { CognitoIdentityProviderClient } = awsSdk.cognito();
    const cognitoEnvs = await perEnvironmentAsync(async (env) => {
      const client = new CognitoIdentityProviderClient(
        cognitoClientConfig(aws.url, environmentAccounts[env].region, credentials[env]),
      );
      try {
        return await setupCognitoEnvironment(client, env, aws.url, generatePassword());
      } finally {
        client.destroy();
      }
    });

    mark("cognito-setup");
    const fronts = await Promise.all(
      environmentNames.map((env) =>
        startApiFront({
          env,
          accountId: environmentAccounts[env].accountId,
          region: environmentAccounts[env].region,
          functionName: namesFor(env).tenantFunction,
          alias: namesFor(env).liveAlias,
          invoke: (accountId, region, functionName, qualifier, payload) =>
            aws.lambda.invoke(accountId, region, functionName, qualifier, payload),
          latencyMs: () => apiLatencyMs,
          port: options.apiPorts?.[env],
          log,
        }),
      ),
    );
    for (const front of fronts) cleanups.push(() => front.close());
    const frontOf = (env: EnvironmentName): ApiFront => {
      const front = fronts[environmentNames.indexOf(env)];
      if (!front) throw new SandboxStartError(`No API front was started for ${env}.`);
      return front;
    };

    mark("api-fronts");
    if (options.seed ?? true) {
      await Promise.all(
        environmentNames.map((env) =>
          seedEnvironment({
            env,
            accountId: environmentAccounts[env].accountId,
            region: environmentAccounts[env].region,
            credentials: credentials[env],
            awsEndpoint: aws.url,
            cognito: cognitoEnvs[env],
            build,
            platform: aws,
            log,
          }),
        ),
      );
    }

    mark("seed");
    deployer = new Deployer({
      awsEndpoint: aws.url,
      environments: perEnvironment((env) => ({ ...environmentAccounts[env], credentials: credentials[env] })),
      build,
      holdAlarm: (accountId, region, alarmName, hold) =>
        aws.cloudwatch.setAlarmState(accountId, region, {
          AlarmName: alarmName,
          StateValue: hold ? "ALARM" : "OK",
          StateReason: hold
            ? "Threshold Crossed: held by the sandbox's alarm-in-alarm fault"
            : "A healthy deploy replaced the build with the alarm-in-alarm fault",
          holdMs: hold ? Number.POSITIVE_INFINITY : 0,
        }),
    });
    const activeDeployer = deployer;
    cleanups.push(() => activeDeployer.close());
    const activeSeeder = new Seeder({
      awsEndpoint: aws.url,
      environments: perEnvironment((env) => ({ ...environmentAccounts[env], credentials: credentials[env] })),
      platform: aws,
    });
    seeder = activeSeeder;
    cleanups.push(() => activeSeeder.close());

    const awsConfigFile = join(stateDir, "aws-config");
    const awsSharedCredentialsFile = join(stateDir, "aws-credentials");
    endpoints = EndpointsSchema.parse({
      schemaVersion: 1,
      pid: process.pid,
      startedAt: startedAt.toISOString(),
      awsEndpoint: aws.url,
      controlUrl: `${aws.url}/_sandbox`,
      controlToken,
      awsConfigFile,
      awsSharedCredentialsFile,
      environments: perEnvironment((env) => ({
        ...environmentAccounts[env],
        profile: namesFor(env).profile,
        ...credentials[env],
        apiUrl: frontOf(env).url,
        cognito: cognitoEnvs[env],
      })),
      exports: {
        AWS_ENDPOINT_URL: aws.url,
        AWS_CONFIG_FILE: awsConfigFile,
        AWS_SHARED_CREDENTIALS_FILE: awsSharedCredentialsFile,
      },
    });
    const written = endpoints;
    await writeEndpointFiles(stateDir, written);
    mark("endpoints-file");
    // A process that exits without stop() (process.exit after a signal, a second Ctrl-C) must not
    // leave an endpoints file naming a dead pid behind.
    const onExit = () => removeOwnFilesSync(stateDir, written);
    process.on("exit", onExit);
    cleanups.push(() => {
      process.off("exit", onExit);
      removeOwnFilesSync(stateDir, written);
    });
  } catch (error) {
    await runCleanups();
    if (error instanceof SandboxStartError) throw error;
    throw new SandboxStartError(`The sandbox failed to start: ${describeError(error)}`, { cause: error });
  }

  const ready = endpoints;
  const activeDeployer = deployer;
  const activeSeeder = seeder;
  let stopping: Promise<void> | undefined;
  return {
    endpoints: ready,
    stateDir,
    startupMs: Math.round(performance.now() - startedAtMs),
    startupPhases: phases,
    deploy: (request) => activeDeployer.deploy(request),
    seed: (env, actions) => activeSeeder.seed({ env, actions }),
    async setApiLatency(ms) {
      const parsed = LatencySchema.safeParse({ ms });
      if (!parsed.success) {
        throw new SandboxUsageError(`API latency must be an integer from 0 to 60000 ms, not ${ms}.`);
      }
      apiLatencyMs = parsed.data.ms;
    },
    stop() {
      stopping ??= runCleanups().then((errors) => {
        if (errors.length > 0) {
          throw new AggregateError(errors, "The sandbox stopped, but some parts failed to close cleanly.");
        }
      });
      return stopping;
    },
  };
}

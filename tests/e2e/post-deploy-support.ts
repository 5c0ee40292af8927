/**
 * Shared helpers of the post-deploy suite's end-to-end tests (tests/e2e/post-deploy-*.test.ts): a sandbox
 * per test file, `npm run verify -- --suite post-deploy --sandbox` runs against it, steady background
 * traffic, and the verdict's failed items. Not a test file itself.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { InvokeCommand, LambdaClient, UpdateAliasCommand } from "@aws-sdk/client-lambda";
import { createRunId, RUN_LAYOUT, runDirFor } from "../../lib/run/index.ts";
import { readVerdict, type Verdict } from "../../lib/verdict/index.ts";
import { type SandboxHandle, startSandbox } from "../../sandbox/index.ts";
import { runTsx } from "./spawn.ts";

/** The shrunken monitoring window every run uses: long enough for a few polls, short enough for `npm test`. */
export const SHORT_WINDOW = { windowSeconds: "3", intervalSeconds: "1" } as const;

export type EnvId = "dev" | "sit" | "prod";

export interface PostDeploySandbox {
  readonly sandbox: SandboxHandle;
  readonly stateDir: string;
  /** A Lambda client of an environment's sandbox account. */
  lambda(env: EnvId): LambdaClient;
  /** A CloudWatch client of an environment's sandbox account. */
  cloudwatch(env: EnvId): CloudWatchClient;
  /** Moves an alias without deploying (the "alias on the wrong version" fault). */
  pointAlias(env: EnvId, functionName: string, alias: string, version: string): Promise<void>;
  /** Stops the sandbox and removes its state and every run folder made through it. */
  close(): Promise<void>;
  readonly runDirs: string[];
}

/** Starts a sandbox in a temporary state directory (ephemeral ports on 127.0.0.1). */
export async function startPostDeploySandbox(): Promise<PostDeploySandbox> {
  const stateDir = mkdtempSync(join(tmpdir(), "post-deploy-e2e-"));
  const sandbox = await startSandbox({ stateDir, quiet: true });
  const clients = new Map<EnvId, LambdaClient>();
  const metrics = new Map<EnvId, CloudWatchClient>();
  const runDirs: string[] = [];
  const lambda = (env: EnvId) => {
    let client = clients.get(env);
    if (!client) {
      const e = sandbox.endpoints.environments[env];
      client = new LambdaClient({
        endpoint: sandbox.endpoints.awsEndpoint,
        region: e.region,
        credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey },
      });
      clients.set(env, client);
    }
    return client;
  };
  const cloudwatch = (env: EnvId) => {
    let client = metrics.get(env);
    if (!client) {
      const e = sandbox.endpoints.environments[env];
      client = new CloudWatchClient({
        endpoint: sandbox.endpoints.awsEndpoint,
        region: e.region,
        credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey },
      });
      metrics.set(env, client);
    }
    return client;
  };
  return {
    sandbox,
    stateDir,
    runDirs,
    lambda,
    cloudwatch,
    async pointAlias(env, functionName, alias, version) {
      await lambda(env).send(
        new UpdateAliasCommand({ FunctionName: functionName, Name: alias, FunctionVersion: version }),
      );
    },
    async close() {
      for (const client of clients.values()) client.destroy();
      for (const client of metrics.values()) client.destroy();
      await sandbox.stop();
      rmSync(stateDir, { recursive: true, force: true });
      for (const dir of runDirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface VerifyRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly verdict: Verdict | null;
  readonly ms: number;
}

/** `npm run verify -- --env <env> --suite post-deploy --sandbox [--service s] [--grep g]` with the short window. */
export async function runPostDeploy(
  sb: PostDeploySandbox,
  options: {
    env: EnvId;
    service?: "tenant-instance-management" | "access-management";
    grep?: string;
    extraEnv?: Record<string, string>;
  },
): Promise<VerifyRun> {
  const runId = createRunId(options.env, "post-deploy");
  const runDir = runDirFor(runId);
  sb.runDirs.push(runDir);
  const upper = options.env.toUpperCase();
  const env: Record<string, string | undefined> = {
    ...process.env,
    HARNESS_SANDBOX_DIR: sb.stateDir,
    HARNESS_RUN_ID: runId,
    [`HARNESS_${upper}_MONITORING_WINDOW_SECONDS`]: SHORT_WINDOW.windowSeconds,
    [`HARNESS_${upper}_MONITORING_INTERVAL_SECONDS`]: SHORT_WINDOW.intervalSeconds,
    // The sandbox has no CloudFront: PROD's distribution is stood in for by its API front, so the check
    // reaches 127.0.0.1 and not the production URL of runbooks/environments.ts.
    ...(options.env === "prod"
      ? { HARNESS_PROD_CLOUD_FRONT_URL: sb.sandbox.endpoints.environments.prod.apiUrl }
      : {}),
    ...options.extraEnv,
  };
  // Nothing of the caller's may point the run elsewhere or change what it expects.
  if (!options.extraEnv?.HARNESS_EXPECTED_VERSION) delete env.HARNESS_EXPECTED_VERSION;
  const args = [
    "scripts/verify.ts",
    "--env",
    options.env,
    "--suite",
    "post-deploy",
    "--sandbox",
    ...(options.service ? ["--service", options.service] : []),
    ...(options.grep ? ["--grep", options.grep] : []),
  ];
  const started = Date.now();
  const result = await runTsx(args[0] ?? "scripts/verify.ts", args.slice(1), env);
  let verdict: Verdict | null = null;
  try {
    verdict = readVerdict(join(runDir, RUN_LAYOUT.verdict));
  } catch {
    verdict = null;
  }
  return { ...result, verdict, ms: Date.now() - started };
}

/** Ids of the verdict's items with a status, sorted. */
export function itemsWith(verdict: Verdict | null, status: string): string[] {
  return (verdict?.items ?? [])
    .filter((item) => item.status === status)
    .map((item) => item.id)
    .sort();
}

/** The verdict's reason for an item, for assertion messages. */
export function reasonOf(verdict: Verdict | null, id: string): string {
  return verdict?.items.find((item) => item.id === id)?.reason ?? "(no reason)";
}

/** Steady traffic: `call` every `everyMs` until stopped; returns how many calls ran. */
export function steadyTraffic(
  call: (n: number) => Promise<unknown>,
  everyMs = 50,
): { stop(): Promise<number> } {
  let running = true;
  let n = 0;
  const loop = (async () => {
    while (running) {
      await call(n++).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return n;
    },
  };
}

/** GET through an environment's API front (each request is an alias invoke with metrics and logs). */
export function apiGet(sb: PostDeploySandbox, env: EnvId, path: string): Promise<number> {
  return fetch(`${sb.sandbox.endpoints.environments[env].apiUrl}${path}`).then(async (response) => {
    await response.arrayBuffer();
    return response.status;
  });
}

/** Invokes `functionName:alias` directly with an API Gateway proxy event. */
export async function invokeRoute(
  sb: PostDeploySandbox,
  env: EnvId,
  functionName: string,
  alias: string,
  method: string,
  path: string,
): Promise<void> {
  await sb.lambda(env).send(
    new InvokeCommand({
      FunctionName: functionName,
      Qualifier: alias,
      Payload: new TextEncoder().encode(JSON.stringify({ httpMethod: method, path, headers: {} })),
    }),
  );
}

/** A one-line summary of a run for assertion messages. */
export function describeRun(run: VerifyRun): string {
  const summary = run.stdout
    .split("\n")
    .filter((line) => /Verdict:|^\s+(failed|inconclusive)\s|reason:/.test(line));
  return `exit ${run.code} in ${run.ms} ms\n${summary.join("\n")}\n${run.stderr.slice(-2000)}`;
}

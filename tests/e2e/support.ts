/**
 * Shared helpers of every e2e test that runs a suite: a sandbox per test file (or describe block), `verify`
 * and the other scripts run against it with a clean environment, readers of what a run wrote, and the smoke
 * user's token. Not a test file itself.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { type RequestLogEntry, RequestLogEntrySchema } from "../../lib/http/index.ts";
import { createRunId, RUN_LAYOUT, runDirFor, runVerifyChild } from "../../lib/run/index.ts";
import type { Verdict, VerdictSuite } from "../../lib/verdict/index.ts";
import type { EnvironmentId, ServiceId } from "../../runbooks/index.ts";
import { type SandboxHandle, startSandbox } from "../../sandbox/index.ts";
import { type CommandResult, childEnv, runTsx, type SpawnOptions } from "./spawn.ts";

export { type CommandResult, childEnv, repoRoot, runCommand, runTsx } from "./spawn.ts";

/** Settings of an SDK client for one environment's account in the sandbox. */
type SandboxClientConfig = {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
};

/** One SDK client per environment, made on first use; `destroyAll` ends them. */
function perEnvironment<C extends { destroy(): void }>(
  config: (env: EnvironmentId) => SandboxClientConfig,
  make: (config: SandboxClientConfig) => C,
): { get(env: EnvironmentId): C; destroyAll(): void } {
  const made = new Map<EnvironmentId, C>();
  return {
    get(env) {
      const existing = made.get(env);
      if (existing) return existing;
      const client = make(config(env));
      made.set(env, client);
      return client;
    },
    destroyAll() {
      for (const client of made.values()) client.destroy();
      made.clear();
    },
  };
}

/** A sandbox in a temporary state directory (ephemeral ports on 127.0.0.1) and what the tests made in it. */
export class TestSandbox {
  #handle: SandboxHandle | null = null;
  #stateDir = "";
  /** Run folders made through this sandbox, removed by close(). */
  readonly runDirs: string[] = [];
  readonly #lambda = perEnvironment(
    (env) => this.#clientConfig(env),
    (config) => new LambdaClient(config),
  );
  readonly #cloudwatch = perEnvironment(
    (env) => this.#clientConfig(env),
    (config) => new CloudWatchClient(config),
  );
  readonly #cognito = perEnvironment(
    (env) => this.#clientConfig(env),
    (config) => new CognitoIdentityProviderClient(config),
  );

  get sandbox(): SandboxHandle {
    if (!this.#handle) throw new Error("The test sandbox is not running: start() it in a before() hook.");
    return this.#handle;
  }

  get stateDir(): string {
    return this.#stateDir;
  }

  /** Starts the sandbox; resolves once it is ready. */
  async start(): Promise<this> {
    this.#stateDir = mkdtempSync(join(tmpdir(), "e2e-sandbox-"));
    this.#handle = await startSandbox({ stateDir: this.#stateDir, quiet: true });
    return this;
  }

  /** A Lambda client of an environment's sandbox account. */
  lambda(env: EnvironmentId): LambdaClient {
    return this.#lambda.get(env);
  }

  /** A CloudWatch client of an environment's sandbox account. */
  cloudwatch(env: EnvironmentId): CloudWatchClient {
    return this.#cloudwatch.get(env);
  }

  /** A Cognito client of an environment's sandbox account. */
  cognito(env: EnvironmentId): CognitoIdentityProviderClient {
    return this.#cognito.get(env);
  }

  /** Stops the sandbox and removes its state and every run folder made through it. */
  async close(): Promise<void> {
    for (const clients of [this.#lambda, this.#cloudwatch, this.#cognito]) clients.destroyAll();
    await this.#handle?.stop();
    this.#handle = null;
    if (this.#stateDir !== "") rmSync(this.#stateDir, { recursive: true, force: true });
    for (const dir of this.runDirs) rmSync(dir, { recursive: true, force: true });
  }

  #clientConfig(env: EnvironmentId): SandboxClientConfig {
    const { endpoints } = this.sandbox;
    const target = endpoints.environments[env];
    return {
      endpoint: endpoints.awsEndpoint,
      region: target.region,
      credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
    };
  }
}

/** Starts a test sandbox now (the caller closes it). */
export function startTestSandbox(): Promise<TestSandbox> {
  return new TestSandbox().start();
}

/** A test sandbox started before the tests of the enclosing file or describe block and closed after them. */
export function useTestSandbox(): TestSandbox {
  const box = new TestSandbox();
  before(() => box.start());
  after(() => box.close());
  return box;
}

/** Runs a script of the repository against the test sandbox, as `npm run <script>` would, and collects its output. */
export function runScript(
  box: TestSandbox,
  script: string,
  args: readonly string[],
  options: {
    env?: Record<string, string>;
    onSpawn?: (pid: number) => void;
    onStderr?: (text: string) => void;
  } = {},
): Promise<CommandResult> {
  const spawnOptions: SpawnOptions = {
    detached: true,
    ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
    ...(options.onStderr ? { onStderr: options.onStderr } : {}),
  };
  return runTsx(script, args, childEnv({ HARNESS_SANDBOX_DIR: box.stateDir, ...options.env }), spawnOptions);
}

export interface VerifyRun extends CommandResult {
  runId: string;
  runDir: string;
  /** The verdict, or null when the run wrote none (killed, usage error, a shard). */
  verdict: Verdict | null;
  /** Wall time of the verify process. */
  ms: number;
}

export interface VerifyOptions {
  /** The run's id (default: a new one); its folder is removed with the sandbox. */
  runId?: string;
  /** Variables for the run, over the clean environment (HARNESS_SANDBOX_DIR is the test sandbox's). */
  env?: Record<string, string>;
  /** Called with the pid of verify, the leader of its own process group. */
  onSpawn?: (pid: number) => void;
}

/** `npm run verify -- <args> --run-id <id>` with the test sandbox's state directory and nothing of the caller's setup. */
export async function runVerify(
  box: TestSandbox,
  args: readonly string[],
  options: VerifyOptions = {},
): Promise<VerifyRun> {
  const runId = options.runId ?? createRunId("e2e", "verify");
  const runDir = runDirFor(runId);
  if (!box.runDirs.includes(runDir)) box.runDirs.push(runDir);
  const onSpawn = options.onSpawn;
  const run = await runVerifyChild({
    args,
    runId,
    env: childEnv({ HARNESS_SANDBOX_DIR: box.stateDir, ...options.env }),
    detached: true,
    ...(onSpawn
      ? {
          onSpawn: (child) => {
            if (child.pid !== undefined) onSpawn(child.pid);
          },
        }
      : {}),
  });
  const { code, signal, stdout, stderr, verdict } = run;
  return { code, signal, stdout, stderr, runId, runDir, verdict, ms: Math.round(run.wallMs) };
}

/** Latency budget of the e2e runs (the runbook's 3000 ms assumes a quiet machine). */
export const E2E_LATENCY_BUDGET_MS = "8000";

/** The shrunken monitoring window of post-deploy runs: long enough for a few polls, short enough for `npm test`. */
export const SHORT_WINDOW = { windowSeconds: "3", intervalSeconds: "1" } as const;

export interface SuiteRunOptions extends Omit<VerifyOptions, "env"> {
  env: EnvironmentId;
  suite: VerdictSuite;
  service?: ServiceId;
  grep?: string;
  /** `--item` ids: runbook items or sections. */
  items?: readonly string[];
  /** `i/n`: one shard of the run (its verdict is verdict.shard-i-of-n.json, so `verdict` is null). */
  shard?: string;
  /** Further flags of verify: `--json`, `--api-url <url>`, ... */
  args?: readonly string[];
  /** Variables for the run, over the suite's e2e defaults. */
  extraEnv?: Record<string, string>;
}

/** The e2e settings of a suite's runs: room for a busy machine, and post-deploy's short window. */
function suiteDefaults(box: TestSandbox, env: EnvironmentId, suite: VerdictSuite): Record<string, string> {
  const upper = env.toUpperCase();
  // This machine runs sandboxes and suites side by side on 2 cores, so a healthy request can take seconds;
  // a test that checks the budget itself sets its own.
  const defaults: Record<string, string> = {
    [`HARNESS_${upper}_HTTP_LATENCY_BUDGET_MS`]: E2E_LATENCY_BUDGET_MS,
  };
  if (suite !== "post-deploy") return defaults;
  return {
    ...defaults,
    [`HARNESS_${upper}_MONITORING_WINDOW_SECONDS`]: SHORT_WINDOW.windowSeconds,
    [`HARNESS_${upper}_MONITORING_INTERVAL_SECONDS`]: SHORT_WINDOW.intervalSeconds,
    // The sandbox has no CloudFront: PROD's distribution is stood in for by its API front, so the check
    // reaches 127.0.0.1 and not the production URL of runbooks/environments.ts.
    ...(env === "prod"
      ? { HARNESS_PROD_CLOUD_FRONT_URL: box.sandbox.endpoints.environments.prod.apiUrl }
      : {}),
  };
}

/** `npm run verify -- --env <env> --suite <suite> --sandbox [--service s] [--grep g] [--item i]... [--shard i/n]`. */
export async function runSuite(box: TestSandbox, options: SuiteRunOptions): Promise<VerifyRun> {
  const args = [
    "--env",
    options.env,
    "--suite",
    options.suite,
    "--sandbox",
    ...(options.service ? ["--service", options.service] : []),
    ...(options.grep ? ["--grep", options.grep] : []),
    ...(options.items ?? []).flatMap((item) => ["--item", item]),
    ...(options.shard ? ["--shard", options.shard] : []),
    ...(options.args ?? []),
  ];
  const verifyOptions: VerifyOptions = {
    runId: options.runId ?? createRunId(options.env, options.suite),
    env: { ...suiteDefaults(box, options.env, options.suite), ...options.extraEnv },
    ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
  };
  const run = await runVerify(box, args, verifyOptions);
  // verify gives the running sandbox's control API 2 s to answer; on a saturated machine it can miss that
  // and refuse to start a second sandbox in the same folder. That says nothing about the suite: run again.
  if (run.code === 2 && run.stderr.includes("Another sandbox")) return runVerify(box, args, verifyOptions);
  return run;
}

/** A run's requests.jsonl, read while the run may still be writing it (a line not yet complete is left out). */
export function requestLog(runDir: string): RequestLogEntry[] {
  const file = join(runDir, RUN_LAYOUT.requests);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line) => {
      try {
        const entry = RequestLogEntrySchema.safeParse(JSON.parse(line));
        return entry.success ? [entry.data] : [];
      } catch {
        return [];
      }
    });
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

/** What a run's verdict must say of each of a list of items: that it has a status, or that it has not. */
export type ItemExpectation = { is: string } | { isNot: string; because: string };

/** Asserts the expectation item by item, so a failure names the item (and the run's summary). */
export function assertEachItem(run: VerifyRun, expectation: ItemExpectation, ids: readonly string[]): void {
  const status = "is" in expectation ? expectation.is : expectation.isNot;
  const having = itemsWith(run.verdict, status);
  for (const id of ids) {
    if ("is" in expectation) assert.ok(having.includes(id), `${id} ${status}\n${describeRun(run)}`);
    else assert.ok(!having.includes(id), `${id} ${expectation.because}\n${describeRun(run)}`);
  }
}

/** Asserts that the run failed (exit 1) on exactly these items, sorted as `itemsWith` sorts them. */
export function assertFailedOn(run: VerifyRun, ids: readonly string[]): void {
  assert.equal(run.code, 1, describeRun(run));
  assert.deepEqual(itemsWith(run.verdict, "failed"), ids, describeRun(run));
}

/** The smoke user's ID token for a sandbox environment (Cognito InitiateAuth, USER_PASSWORD_AUTH). */
export async function smokeToken(box: TestSandbox, env: EnvironmentId): Promise<string> {
  const { cognito } = box.sandbox.endpoints.environments[env];
  const result = await box.cognito(env).send(
    new InitiateAuthCommand({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: cognito.clientId,
      AuthParameters: { USERNAME: cognito.smokeUser.username, PASSWORD: cognito.smokeUser.password },
    }),
  );
  const token = result.AuthenticationResult?.IdToken;
  if (token === undefined) throw new Error(`Cognito returned no IdToken for the ${env} smoke user.`);
  return token;
}

/** A short excerpt of a run's output for assertion messages. */
export function tail(result: { stdout: string; stderr: string }, lines = 60): string {
  return `${result.stdout}\n${result.stderr}`.split("\n").slice(-lines).join("\n");
}

/** A summary of a verify run for assertion messages: exit, time, the verdict's lines and stderr's end. */
export function describeRun(run: VerifyRun): string {
  const summary = run.stdout
    .split("\n")
    .filter((line) => /Verdict:|^\s+(failed|inconclusive)\s|reason:/.test(line));
  return `exit ${run.code} in ${run.ms} ms\n${summary.join("\n")}\n${run.stderr.slice(-2000)}`;
}

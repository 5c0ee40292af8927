/**
 * Shared helpers of the smoke suite's end-to-end tests (tests/e2e/smoke-*.test.ts): a sandbox per test
 * file, `verify` and `sweep` runs against it, and the smoke user's token. Not a test file itself.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { z } from "zod";
import { createRunId, RUN_LAYOUT, runDirFor } from "../../lib/run/index.ts";
import { readVerdict, type Verdict } from "../../lib/verdict/index.ts";
import { type SandboxHandle, startSandbox } from "../../sandbox/index.ts";
import { type CommandResult, runTsx } from "./spawn.ts";

export { type CommandResult, repoRoot, runCommand } from "./spawn.ts";

export interface TestSandbox {
  sandbox: SandboxHandle;
  stateDir: string;
  /** Stops the sandbox and removes its state and every run folder the tests made. */
  close(): Promise<void>;
  /** Run folders made through this sandbox, removed by close(). */
  runDirs: string[];
}

/** Starts a sandbox in a temporary state directory (ephemeral ports on 127.0.0.1). */
export async function startTestSandbox(): Promise<TestSandbox> {
  const stateDir = mkdtempSync(join(tmpdir(), "smoke-e2e-"));
  const sandbox = await startSandbox({ stateDir, quiet: true });
  const runDirs: string[] = [];
  return {
    sandbox,
    stateDir,
    runDirs,
    async close() {
      await sandbox.stop();
      rmSync(stateDir, { recursive: true, force: true });
      for (const dir of runDirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Environment of a child run: no variable of the caller's that could point it elsewhere. */
function childEnv(stateDir: string, extra: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, HARNESS_SANDBOX_DIR: stateDir, ...extra };
  for (const name of Object.keys(env)) {
    if (/^HARNESS_(DEV|SIT|PROD)_/.test(name) && !(name in extra)) delete env[name];
  }
  return env;
}

/** Runs a script of the repository with tsx, as `npm run <script>` would, and collects its output. */
export function runScript(
  script: string,
  args: string[],
  options: { stateDir: string; env?: Record<string, string>; onSpawn?: (pid: number) => void },
): Promise<CommandResult> {
  // Its own process group, so a test can kill the whole run (verify, Playwright, workers) by group id.
  return runTsx(script, args, childEnv(options.stateDir, options.env ?? {}), {
    detached: true,
    ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
  });
}

/** Latency budget of the e2e smoke runs (the runbook's 3000 ms assumes a quiet machine). */
export const E2E_LATENCY_BUDGET_MS = "8000";

export interface VerifyRun extends CommandResult {
  runId: string;
  runDir: string;
  /** The verdict, or null when the run wrote none (killed, usage error). */
  verdict: Verdict | null;
}

/** `npm run verify -- --env <env> --suite smoke --sandbox [--grep ...]` against a test sandbox. */
export async function runSmoke(
  sandbox: TestSandbox,
  options: {
    env: "dev" | "sit" | "prod";
    grep?: string;
    extraEnv?: Record<string, string>;
    onSpawn?: (pid: number) => void;
  },
): Promise<VerifyRun> {
  const runId = createRunId(options.env, "smoke");
  const runDir = runDirFor(runId);
  sandbox.runDirs.push(runDir);
  const args = [
    "--env",
    options.env,
    "--suite",
    "smoke",
    "--sandbox",
    ...(options.grep ? ["--grep", options.grep] : []),
  ];
  // This machine's test suite runs sandboxes and suites side by side on 2 cores, so a healthy request can
  // take seconds; the e2e runs give latency room (the fault test sets its own budget to catch a slow build).
  const budget = `HARNESS_${options.env.toUpperCase()}_HTTP_LATENCY_BUDGET_MS`;
  const start = () =>
    runScript("scripts/verify.ts", args, {
      stateDir: sandbox.stateDir,
      env: { HARNESS_RUN_ID: runId, [budget]: E2E_LATENCY_BUDGET_MS, ...options.extraEnv },
      ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
    });
  let result = await start();
  // verify gives the running sandbox's control API 2 s to answer; on a saturated machine it can miss that
  // and refuse to start a second sandbox in the same folder. That says nothing about the suite: run again.
  if (result.code === 2 && result.stderr.includes("Another sandbox")) result = await start();
  const verdictFile = join(runDir, RUN_LAYOUT.verdict);
  return { ...result, runId, runDir, verdict: existsSync(verdictFile) ? readVerdict(verdictFile) : null };
}

/** Lines of a run's requests.jsonl as parsed JSON objects (method, url, status, test, ...). */
export function requestLog(
  runDir: string,
): Array<{ method: string; url: string; status: number | null; test: string | null }> {
  const file = join(runDir, RUN_LAYOUT.requests);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return [];
      }
    });
}

/** The smoke user's ID token for a sandbox environment (Cognito InitiateAuth, USER_PASSWORD_AUTH). */
export async function smokeToken(sandbox: SandboxHandle, env: "dev" | "sit" | "prod"): Promise<string> {
  const target = sandbox.endpoints.environments[env];
  const client = new CognitoIdentityProviderClient({
    region: target.region,
    endpoint: sandbox.endpoints.awsEndpoint,
    credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
  });
  try {
    const result = await client.send(
      new InitiateAuthCommand({
        AuthFlow: "USER_PASSWORD_AUTH",
        ClientId: target.cognito.clientId,
        AuthParameters: {
          USERNAME: target.cognito.smokeUser.username,
          PASSWORD: target.cognito.smokeUser.password,
        },
      }),
    );
    const token = result.AuthenticationResult?.IdToken;
    if (token === undefined) throw new Error(`Cognito returned no IdToken for the ${env} smoke user.`);
    return token;
  } finally {
    client.destroy();
  }
}

/** The part of `sweep --json` output the tests read. */
export const SweepReportSchema = z.object({
  found: z.object({
    tenants: z.array(z.string()),
    instances: z.array(z.string()),
    invitations: z.array(z.string()),
  }),
  removed: z.object({
    tenants: z.array(z.string()),
    instances: z.array(z.string()),
    invitations: z.array(z.string()),
  }),
  failed: z.array(z.object({ kind: z.string(), id: z.string(), reason: z.string() })),
});

/** A short excerpt of a run's output for assertion messages. */
export function tail(result: CommandResult, lines = 60): string {
  return `${result.stdout}\n${result.stderr}`.split("\n").slice(-lines).join("\n");
}

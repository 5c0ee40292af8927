/**
 * `scripts/verify.ts` as a child process, for the commands and tests that run a suite (the drill, the
 * benches, the e2e tests). The caller names the run (`--run-id`), so it knows the run folder without
 * reading verify's console, and reads the verdict from there.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { readVerdict } from "../verdict/read.ts";
import type { Verdict } from "../verdict/schema.ts";
import { RUN_LAYOUT, repoRoot, runDirFor } from "./paths.ts";
import { createRunId } from "./run-id.ts";

export interface VerifyChildOptions {
  /** verify's arguments (`--env dev --suite smoke --sandbox ...`), without `--run-id`: the run id is added. */
  args: readonly string[];
  /** The run's id; its folder is reports/runs/<runId>/. */
  runId: string;
  /** The child's whole environment (nothing of this process's is added). */
  env: Record<string, string | undefined>;
  /** Each piece of stdout as it arrives (it is collected as well). */
  onStdout?: (text: string) => void;
  /** Each piece of stderr as it arrives (it is collected as well); ignored with `inheritStderr`. */
  onStderr?: (text: string) => void;
  /** Let the child write to this process's stderr directly (a terminal stays a terminal); not collected. */
  inheritStderr?: boolean;
  /** Its own process group, so the caller can signal verify, Playwright and its workers at once. */
  detached?: boolean;
  /** Called once the child is running. */
  onSpawn?: (child: ChildProcess) => void;
}

export interface VerifyChildResult {
  /** verify's exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  runId: string;
  runDir: string;
  /** The run's verdict.json, or null when the run wrote none (usage error, a shard, killed before the end). */
  verdict: Verdict | null;
  wallMs: number;
}

/**
 * The arguments after `node` that run one of the harness's commands (scripts/<name>.ts) as its npm script does:
 * through scripts/launch.mjs, from a bundle of the current sources when there is one, else under tsx.
 */
export function scriptCommand(script: string): string[] {
  return [join(repoRoot, "scripts", "launch.mjs"), join(repoRoot, script)];
}

/** Spawns `node scripts/launch.mjs scripts/verify.ts <args> --run-id <runId>` and resolves when it has exited. */
export function runVerifyChild(options: VerifyChildOptions): Promise<VerifyChildResult> {
  const runDir = runDirFor(options.runId);
  return new Promise((resolveRun, rejectRun) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [...scriptCommand("scripts/verify.ts"), ...options.args, "--run-id", options.runId],
      {
        cwd: repoRoot,
        env: options.env,
        stdio: ["ignore", "pipe", options.inheritStderr ? "inherit" : "pipe"],
        ...(options.detached ? { detached: true } : {}),
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (text: string) => {
      stdout += text;
      options.onStdout?.(text);
    });
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (text: string) => {
      stderr += text;
      options.onStderr?.(text);
    });
    child.on("error", rejectRun);
    child.on("spawn", () => options.onSpawn?.(child));
    child.on("close", (code, signal) => {
      try {
        const file = join(runDir, RUN_LAYOUT.verdict);
        const verdict = existsSync(file) ? readVerdict(file) : null;
        const wallMs = performance.now() - started;
        resolveRun({ code, signal, stdout, stderr, runId: options.runId, runDir, verdict, wallMs });
      } catch (error) {
        rejectRun(error);
      }
    });
  });
}

/** What a script child gave back. */
export interface ScriptChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  wallMs: number;
}

/**
 * Spawns `node --import tsx scripts/<name>.ts <args>` (promote, attest, ...) with its stderr on this process's
 * (a terminal stays a terminal) and its stdout collected; resolves when it has exited.
 */
export function runScriptChild(options: {
  script: string;
  args: readonly string[];
  env: Record<string, string | undefined>;
  onStdout?: (text: string) => void;
  onSpawn?: (child: ChildProcess) => void;
}): Promise<ScriptChildResult> {
  return new Promise((resolveRun, rejectRun) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...scriptCommand(options.script), ...options.args], {
      cwd: repoRoot,
      env: options.env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (text: string) => {
      stdout += text;
      options.onStdout?.(text);
    });
    child.on("error", rejectRun);
    child.on("spawn", () => options.onSpawn?.(child));
    child.on("close", (code, signal) =>
      resolveRun({ code, signal, stdout, wallMs: performance.now() - started }),
    );
  });
}

/** What `verifySuite` gives back: verify's exit (the verdict's when it wrote one), its verdict file and run id. */
export interface SuiteVerification {
  code: number | null;
  verdictFile: string | null;
  runId: string;
}

/**
 * `npm run verify -- --env <env> --suite <suite> --service <id> [--automated-only] [--sandbox] [--config f]` as
 * a child, under a new run id, with its stderr on this process's: how promote and rollback run their
 * verification. The exit code is the verdict's when the run wrote one.
 */
export async function verifySuite(options: {
  env: string;
  suite: string;
  service: string;
  automatedOnly: boolean;
  /** Only the tests whose title or tags match (verify's --grep); the verdict is then partial. */
  grep?: string | undefined;
  sandbox: boolean;
  config?: string | undefined;
  childEnv: Record<string, string | undefined>;
  log?: (line: string) => void;
}): Promise<SuiteVerification> {
  const runId = createRunId(options.env, options.suite);
  options.log?.(
    `  ${options.suite}: npm run verify -- --env ${options.env} --suite ${options.suite} --service ${options.service}${options.grep ? ` --grep ${options.grep}` : ""}`,
  );
  const run = await runVerifyChild({
    args: [
      "--env",
      options.env,
      "--suite",
      options.suite,
      "--service",
      options.service,
      ...(options.automatedOnly ? ["--automated-only"] : []),
      ...(options.grep ? ["--grep", options.grep] : []),
      ...(options.sandbox ? ["--sandbox"] : []),
      ...(options.config ? ["--config", options.config] : []),
    ],
    runId,
    env: options.childEnv,
    inheritStderr: true,
  });
  return {
    code: run.verdict?.exitCode ?? run.code,
    verdictFile: run.verdict ? join(run.runDir, RUN_LAYOUT.verdict) : null,
    runId,
  };
}

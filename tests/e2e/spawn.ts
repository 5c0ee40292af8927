/** Running a command of the repository as a child process and collecting its output, for the e2e tests. */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "..", "..");

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  /** Its own process group, so a test can signal the command and everything it started by group id. */
  detached?: boolean;
  onSpawn?: (pid: number) => void;
  /** Each piece of stderr as it arrives (it is collected as well). */
  onStderr?: (text: string) => void;
}

/** The caller's variables that could point a command elsewhere or change what it expects. */
const CALLER_SETUP = /^(HARNESS_|AWS_|BBWS_)/;

/**
 * The environment of a command under test: the caller's without any HARNESS_*, AWS_* or BBWS_* variable (nor
 * the test runner's NODE_TEST_CONTEXT), plus exactly the variables the test passes.
 */
export function childEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const inherited = Object.entries(process.env).filter(
    ([name]) => !CALLER_SETUP.test(name) && name !== "NODE_TEST_CONTEXT",
  );
  // The AWS SDK's notice that it will need Node 22 would otherwise be in every command's stderr.
  return {
    ...Object.fromEntries(inherited),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...extra,
  };
}

/**
 * Runs a command in the repository with exactly this environment, without blocking the event loop (a
 * test's sandbox lives in it), and resolves with its exit and output.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  env: Record<string, string | undefined>,
  options: SpawnOptions = {},
): Promise<CommandResult> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: repoRoot,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.detached ? { detached: true } : {}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      options.onStderr?.(chunk.toString());
    });
    child.on("error", fail);
    child.on("spawn", () => {
      if (child.pid !== undefined) options.onSpawn?.(child.pid);
    });
    child.on("close", (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

/**
 * Runs a TypeScript file of the repository as the npm scripts do: a command of scripts/ through scripts/launch.mjs
 * (its bundle, else the sources under tsx), anything else with `node --import tsx <file>`.
 */
export function runTsx(
  file: string,
  args: readonly string[],
  env: Record<string, string | undefined>,
  options: SpawnOptions = {},
): Promise<CommandResult> {
  const launched = LAUNCHED.some((script) => file.endsWith(script));
  const command = launched ? ["scripts/launch.mjs", file] : ["--import", "tsx", file];
  return runCommand(process.execPath, [...command, ...args], env, options);
}

/** The commands package.json starts through scripts/launch.mjs (`node scripts/launch.mjs scripts/<name>.ts`). */
const LAUNCHED = Object.values(
  (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> })
    .scripts,
).flatMap((line) => /^node scripts\/launch\.mjs (\S+\.ts)$/.exec(line)?.[1] ?? []);

/**
 * `npm start` runs its sandbox in the state directory every command looks in ($HARNESS_SANDBOX_DIR here,
 * `.sandbox` by default): `npm run sandbox -- status` sees the drill's sandbox and `stop` ends it, leaving
 * no endpoints file; a drill started over a running sandbox refuses (exit 2) and says how to stop that one.
 * Each test uses its own temporary state directory and stops every process it starts.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { sandboxCli as cli } from "../sandbox/cli-capture.ts";
import { childEnv, repoRoot, runTsx } from "./spawn.ts";

const children: ChildProcess[] = [];
const dirs: string[] = [];

function cleanEnv(stateDir: string): Record<string, string | undefined> {
  return childEnv({ HARNESS_SANDBOX_DIR: stateDir });
}

/** Spawns a repository script and resolves once its stdout matches `ready`. */
async function startUntil(
  file: string,
  args: string[],
  env: Record<string, string | undefined>,
  ready: RegExp,
) {
  const child = spawn(process.execPath, ["--import", "tsx", file, ...args], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  await new Promise<void>((resolveReady, rejectReady) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (ready.test(output)) resolveReady();
    });
    child.once("exit", (code) => rejectReady(new Error(`${file} exited early with ${code}:\n${output}`)));
  });
  return { child, output: () => output };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((done) => child.once("exit", (code) => done(code)));
}

after(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited(child);
    }
  }
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe("npm start and the sandbox state directory", { concurrency: true }, () => {
  test("a drill over a running sandbox refuses with exit 2 and says how to stop it", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "bbws-start-busy-"));
    dirs.push(stateDir);
    const env = cleanEnv(stateDir);
    const sandbox = await startUntil("sandbox/cli.ts", [], env, /^ready in \d+ ms$/m);
    const result = await runTsx("scripts/start.ts", [], env);
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(
      result.stderr,
      new RegExp(
        `^start: a sandbox \\(pid ${sandbox.child.pid}, started .*\\) is already running from ${stateDir}\\.`,
      ),
    );
    assert.ok(result.stderr.includes(`npm run sandbox -- stop --state-dir ${stateDir}`), result.stderr);
    assert.doesNotMatch(result.stdout + result.stderr, /^\s+at .+:\d+:\d+\)?$/m);
    assert.equal(sandbox.child.exitCode, null, "the running sandbox is left alone");
    sandbox.child.kill("SIGTERM");
    assert.equal(await exited(sandbox.child), 0);
  });

  test("the drill's sandbox is found by status and ended by stop, without an endpoints file left", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "bbws-start-keep-"));
    dirs.push(stateDir);
    const drill = await startUntil("scripts/start.ts", ["--keep"], cleanEnv(stateDir), /ready in \d+ ms/);
    const status = await cli(["status", "--state-dir", stateDir]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(
      status.stdout,
      new RegExp(`^BBWS sandbox running \\(pid ${drill.child.pid}\\); state in ${stateDir}\\.`),
    );
    const stop = await cli(["stop", "--state-dir", stateDir]);
    assert.equal(stop.code, 0, stop.stderr);
    // Interrupted before the drill finished: 130, as documented.
    assert.equal(await exited(drill.child), 130, drill.output());
    assert.equal(existsSync(join(stateDir, "endpoints.json")), false);
  });
});

/**
 * `verify` on a terminal and off it: colour only on a TTY, never with NO_COLOR, and the printed word the same.
 * The terminal is a real pseudo-terminal (util-linux `script`), so the check sees what a person sees.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { createRunId, runDirFor } from "../../lib/run/index.ts";
import { type SandboxHandle, startSandbox } from "../../sandbox/index.ts";

const repoRoot = resolve(import.meta.dirname, "..", "..");
const hasScript = spawnSync("script", ["--version"], { stdio: "ignore" }).status === 0;

describe("verify's console on a terminal", {
  skip: hasScript ? false : "util-linux `script` is not installed",
}, () => {
  let stateDir = "";
  let sandbox: SandboxHandle;
  const runDirs: string[] = [];
  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "verify-tty-"));
    sandbox = await startSandbox({ stateDir, quiet: true });
  });
  after(async () => {
    await sandbox?.stop();
    rmSync(stateDir, { recursive: true, force: true });
    for (const dir of runDirs) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs verify under a pseudo-terminal and returns what the terminal showed (async: the sandbox lives here). */
  function onTerminal(extra: Record<string, string>): Promise<{ code: number | null; screen: string }> {
    const runId = createRunId("dev", "tty");
    runDirs.push(runDirFor(runId));
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !/^(HARNESS_|AWS_|BBWS_|NO_COLOR|FORCE_COLOR)/.test(name),
      ),
    );
    const command = `node --import tsx scripts/verify.ts --env dev --suite smoke --sandbox --item tenant-deploy/5.1 --run-id ${runId}`;
    return new Promise((done, fail) => {
      const child = spawn("script", ["-qec", command, "/dev/null"], {
        cwd: repoRoot,
        env: { ...env, HARNESS_SANDBOX_DIR: stateDir, ...extra },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let screen = "";
      child.stdout.on("data", (chunk: Buffer) => {
        screen += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        screen += chunk.toString();
      });
      child.on("error", fail);
      child.on("close", (code) => done({ code, screen }));
    });
  }

  test("a terminal gets the verdict word in colour", async () => {
    const { code, screen } = await onTerminal({});
    assert.equal(code, 0, screen);
    assert.ok(screen.includes("Verdict: \u001b[32mPASSED (PARTIAL)\u001b[0m (exit 0)"), screen);
  });

  test("NO_COLOR keeps a terminal plain, with the same word", async () => {
    const { code, screen } = await onTerminal({ NO_COLOR: "1" });
    assert.equal(code, 0, screen);
    assert.ok(screen.includes("Verdict: PASSED (PARTIAL) (exit 0)"), screen);
    assert.ok(
      !screen.includes("\u001b[32m") && !screen.includes("\u001b[31m"),
      "no colour codes with NO_COLOR",
    );
  });
});

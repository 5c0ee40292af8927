/**
 * `verify` on a terminal and off it: colour only on a TTY, never with NO_COLOR, and the printed word the same.
 * The terminal is a real pseudo-terminal (util-linux `script`), so the check sees what a person sees.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { createRunId, runDirFor } from "../../lib/run/index.ts";
import { childEnv, runCommand, useTestSandbox } from "./support.ts";

const hasScript = spawnSync("script", ["--version"], { stdio: "ignore" }).status === 0;

describe("verify's console on a terminal", {
  skip: hasScript ? false : "util-linux `script` is not installed",
}, () => {
  const box = useTestSandbox();

  /** Runs verify under a pseudo-terminal and returns what the terminal showed (async: the sandbox lives here). */
  async function onTerminal(extra: Record<string, string>): Promise<{ code: number | null; screen: string }> {
    const runId = createRunId("dev", "tty");
    box.runDirs.push(runDirFor(runId));
    // The terminal decides the colours: none of the caller's colour settings either.
    const { NO_COLOR: _noColor, FORCE_COLOR: _forceColor, ...env } = childEnv();
    const command = `node --import tsx scripts/verify.ts --env dev --suite smoke --sandbox --item tenant-deploy/5.1 --run-id ${runId}`;
    const result = await runCommand("script", ["-qec", command, "/dev/null"], {
      ...env,
      HARNESS_SANDBOX_DIR: box.stateDir,
      ...extra,
    });
    return { code: result.code, screen: result.stdout + result.stderr };
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

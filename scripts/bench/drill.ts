/**
 * Benchmark: the drill (`npm start`) on its own sandbox state folder, timed whole, with the time its rollback
 * drill reports from catching the flaky build in PROD's canary to the verified rollback (target: under 5
 * minutes, the runbooks' promise for an alias rollback; on the sandbox it takes seconds).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { repoRoot } from "../../lib/run/index.ts";

export const DRILL_TARGETS = { detectionToVerifiedMs: 300_000 };

export interface DrillBench {
  exitCode: number | null;
  wallMs: number;
  caughtAfterMs: number | null;
  detectionToVerifiedMs: number | null;
  meetsTargets: boolean;
}

export function benchDrill(): Promise<DrillBench> {
  const stateDir = mkdtempSync(join(tmpdir(), "bench-drill-"));
  return new Promise<DrillBench>((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
      cwd: repoRoot,
      env: { ...process.env, HARNESS_SANDBOX_DIR: stateDir },
      stdio: ["ignore", "pipe", "ignore"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.on("error", fail);
    child.on("close", (exitCode) => {
      const line = /caught ([\d.]+) s into the canary; detection to verified rollback ([\d.]+) s/.exec(
        stdout,
      );
      const caughtAfterMs = line?.[1] ? Math.round(Number(line[1]) * 1000) : null;
      const detectionToVerifiedMs = line?.[2] ? Math.round(Number(line[2]) * 1000) : null;
      done({
        exitCode,
        wallMs: Math.round(performance.now() - started),
        caughtAfterMs,
        detectionToVerifiedMs,
        meetsTargets:
          exitCode === 0 &&
          detectionToVerifiedMs !== null &&
          detectionToVerifiedMs < DRILL_TARGETS.detectionToVerifiedMs,
      });
    });
  }).finally(() => rmSync(stateDir, { recursive: true, force: true }));
}

export function formatDrillBench(bench: DrillBench): string {
  return (
    `drill (npm start, whole): ${bench.wallMs} ms, exit ${bench.exitCode}; its rollback drill caught the flaky build ` +
    `${bench.caughtAfterMs ?? "?"} ms into the canary and verified the rollback ${bench.detectionToVerifiedMs ?? "?"} ms after ` +
    `(target < ${DRILL_TARGETS.detectionToVerifiedMs} ms: ${bench.meetsTargets ? "met" : "MISSED"})`
  );
}

/**
 * Benchmark: the scheduled probe's cost per run, as a scheduler pays it. A fresh `npm run probe` process
 * (node + tsx, as the npm script runs it) against a running sandbox, five times; medians of wall time and of
 * peak RSS (GNU time's maximum resident set size). The probe is one process, so that is the whole tree.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { startSandbox } from "../../sandbox/index.ts";

const repoRoot = resolve(import.meta.dirname, "..", "..");
export const PROBE_TARGETS = { wallMs: 2_000, peakRssMb: 200 };

export interface ProbeBench {
  runs: { wallMs: number; peakRssMb: number; exitCode: number | null }[];
  medianWallMs: number;
  medianPeakRssMb: number;
  meetsTargets: boolean;
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/** One fresh `node --import tsx <script> <args>` process: its wall time, peak RSS (GNU time) and exit code. */
export function timedScript(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ wallMs: number; peakRssMb: number; exitCode: number | null }> {
  return new Promise((done, fail) => {
    const started = performance.now();
    // GNU time prints the child's maximum RSS (kB) on its last stderr line.
    const child = spawn("/usr/bin/time", ["-f", "%M", process.execPath, "--import", "tsx", script, ...args], {
      cwd: repoRoot,
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", fail);
    child.on("close", (exitCode) => {
      const kb = Number(stderr.trim().split("\n").at(-1));
      done({
        wallMs: Math.round(performance.now() - started),
        peakRssMb: Math.round(kb / 102.4) / 10,
        exitCode,
      });
    });
  });
}

/** Runs `body` with a fresh sandbox and the clean variables a command run against it gets. */
export async function withBenchSandbox<T>(
  name: string,
  body: (env: NodeJS.ProcessEnv, stateDir: string) => Promise<T>,
): Promise<T> {
  const stateDir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const sandbox = await startSandbox({ stateDir, quiet: true });
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, HARNESS_SANDBOX_DIR: stateDir };
    for (const key of Object.keys(env)) if (/^(HARNESS_(DEV|SIT|PROD)_|AWS_)/.test(key)) delete env[key];
    return await body(env, stateDir);
  } finally {
    await sandbox.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Five probe runs against a fresh sandbox. */
export function benchProbe(count = 5): Promise<ProbeBench> {
  return withBenchSandbox("probe", async (env, stateDir) => {
    const runs = [];
    for (let i = 0; i < count; i++) {
      const args = ["--env", "sit", "--sandbox", "--log-file", join(stateDir, "probe.jsonl")];
      runs.push(await timedScript("scripts/probe.ts", args, env));
    }
    const medianWallMs = median(runs.map((r) => r.wallMs));
    const medianPeakRssMb = median(runs.map((r) => r.peakRssMb));
    return {
      runs,
      medianWallMs,
      medianPeakRssMb,
      meetsTargets:
        runs.every((r) => r.exitCode === 0) &&
        medianWallMs <= PROBE_TARGETS.wallMs &&
        medianPeakRssMb <= PROBE_TARGETS.peakRssMb,
    };
  });
}

/** The bench's lines for the console. */
export function formatProbeBench(bench: ProbeBench): string {
  const failed = bench.runs.filter((r) => r.exitCode !== 0).length;
  return (
    `probe (npm run probe, fresh process, ${bench.runs.length} runs): median wall ${bench.medianWallMs} ms ` +
    `(target <= ${PROBE_TARGETS.wallMs} ms: ${bench.medianWallMs <= PROBE_TARGETS.wallMs ? "met" : "MISSED"}), ` +
    `median peak RSS ${bench.medianPeakRssMb} MB (target <= ${PROBE_TARGETS.peakRssMb} MB: ${bench.medianPeakRssMb <= PROBE_TARGETS.peakRssMb ? "met" : "MISSED"})` +
    (failed > 0 ? `; ${failed} run(s) did not pass` : "") +
    `\n  runs: ${bench.runs.map((r) => `${r.wallMs} ms/${r.peakRssMb} MB`).join(", ")}`
  );
}

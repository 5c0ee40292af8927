/**
 * Benchmark: `npm run plan` for a PROD promotion on a fresh sandbox (every attestation missing, so it reads
 * and judges every item), five fresh processes; medians of wall time and peak RSS. Target: under 3 s.
 */
import { median, timedScript, withBenchSandbox } from "./probe.ts";

export const PLAN_TARGETS = { wallMs: 3_000 };

export interface PlanBench {
  runs: { wallMs: number; peakRssMb: number; exitCode: number | null }[];
  medianWallMs: number;
  medianPeakRssMb: number;
  meetsTargets: boolean;
}

export function benchPlan(count = 5): Promise<PlanBench> {
  return withBenchSandbox("plan", async (env) => {
    const runs = [];
    const args = ["--service", "tenant-instance-management", "--to", "prod", "--sandbox", "--json"];
    for (let i = 0; i < count; i++) runs.push(await timedScript("scripts/plan.ts", args, env));
    const medianWallMs = median(runs.map((r) => r.wallMs));
    // A fresh sandbox has no attestation: the plan says NOT READY (exit 1); anything else is a broken run.
    return {
      runs,
      medianWallMs,
      medianPeakRssMb: median(runs.map((r) => r.peakRssMb)),
      meetsTargets: runs.every((r) => r.exitCode === 1) && medianWallMs < PLAN_TARGETS.wallMs,
    };
  });
}

export function formatPlanBench(bench: PlanBench): string {
  const broken = bench.runs.filter((r) => r.exitCode !== 1).length;
  return (
    `plan (npm run plan --to prod, fresh process, ${bench.runs.length} runs): median wall ${bench.medianWallMs} ms ` +
    `(target < ${PLAN_TARGETS.wallMs} ms: ${bench.medianWallMs < PLAN_TARGETS.wallMs ? "met" : "MISSED"}), median peak RSS ${bench.medianPeakRssMb} MB` +
    (broken > 0 ? `; ${broken} run(s) did not exit 1 (not ready)` : "") +
    `\n  runs: ${bench.runs.map((r) => `${r.wallMs} ms/${r.peakRssMb} MB`).join(", ")}`
  );
}

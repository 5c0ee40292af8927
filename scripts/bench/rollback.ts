/**
 * Benchmark: `npm run rollback` on the sandbox, the whole command: resolve `previous`, take the lock, move the
 * alias, record, then its verification (the tenant service's smoke suite and the rollback suite with a 5 s
 * recovery window, the sandbox's scale of the 60 s default). Each of 3 runs first deploys a new SIT build (the
 * sandbox's deploy, which leaves the backup alias a rollback returns to). Medians; target <= 10 s (the runbooks
 * promise a Lambda alias rollback in under 5 minutes).
 */
import { median, timedScript, withBenchSandbox } from "./probe.ts";

export const ROLLBACK_TARGETS = { wallMs: 10_000 };

export interface RollbackBench {
  runs: { wallMs: number; peakRssMb: number; exitCode: number | null }[];
  medianWallMs: number;
  meetsTargets: boolean;
}

export function benchRollback(count = 3): Promise<RollbackBench> {
  return withBenchSandbox("rollback", async (env) => {
    const scaled = {
      ...env,
      HARNESS_SIT_ROLLBACK_RECOVERY_WINDOW_SECONDS: "5",
      HARNESS_SIT_ROLLBACK_INTERVAL_SECONDS: "1",
    };
    const runs = [];
    for (let i = 0; i < count; i++) {
      const deployed = await timedScript(
        "sandbox/cli.ts",
        ["deploy", "--env", "sit", "--version", `1.8.${i}`],
        env,
      );
      if (deployed.exitCode !== 0)
        throw new Error(`the sandbox deploy of 1.8.${i} exited ${deployed.exitCode}`);
      const args = [
        "--service",
        "tenant-instance-management",
        "--env",
        "sit",
        "--reason",
        `bench run ${i}`,
        "--sandbox",
      ];
      runs.push(await timedScript("scripts/rollback.ts", args, scaled));
    }
    const medianWallMs = median(runs.map((r) => r.wallMs));
    return {
      runs,
      medianWallMs,
      meetsTargets: runs.every((r) => r.exitCode === 0) && medianWallMs <= ROLLBACK_TARGETS.wallMs,
    };
  });
}

export function formatRollbackBench(bench: RollbackBench): string {
  const broken = bench.runs.filter((r) => r.exitCode !== 0).length;
  return (
    `rollback (npm run rollback --env sit --target previous, with its smoke + rollback-suite verification, 5 s recovery window; ${bench.runs.length} runs): ` +
    `median wall ${bench.medianWallMs} ms (target <= ${ROLLBACK_TARGETS.wallMs} ms: ${bench.meetsTargets ? "met" : "MISSED"})` +
    (broken > 0 ? `; ${broken} run(s) did not exit 0` : "") +
    `\n  runs: ${bench.runs.map((r) => `${r.wallMs} ms/${r.peakRssMb} MB exit ${r.exitCode}`).join(", ")}`
  );
}

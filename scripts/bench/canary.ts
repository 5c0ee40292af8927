/**
 * Benchmark: how fast the PROD canary (access runbook 4.3 step 4, 5.1) rolls back a build that fails half of its
 * invocations. On a fresh sandbox, each run deploys a `flaky` build of the access functions into PROD behind a
 * 10% split of latest-prod (the state `promote` puts PROD in at its canary-start step), then runs the canary
 * watcher `promote` runs (lib/promote/canary.ts: metrics of the new versions, their health invokes, synthetic
 * traffic while quiet) and the rollback it does, timing from the split to the decision, against the window.
 *
 * The canary's window, poll interval, health interval and synthetic rate come from the configuration
 * (runbooks/environments.ts, HARNESS_PROD_CANARY_*) and are scaled together by `scale` (default 1/10: 300 s ->
 * 30 s; the rate up by 10) so a run is short while the ratio detection / window is the one the runbook's
 * 5 minutes would give. Medians of `runs` (default 3). Runnable alone: `npx tsx scripts/bench/canary.ts`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { AwsClients } from "../../lib/aws/index.ts";
import { loadHarnessConfig } from "../../lib/config/index.ts";
import { canaryPlan, pointAlias, scaleCanaryPlan, watchCanary } from "../../lib/promote/index.ts";
import { startSandbox } from "../../sandbox/index.ts";

const TARGET_RATIO = 0.1;

export interface CanaryBench {
  scale: number;
  windowMs: number;
  healthIntervalMs: number;
  /** Split to decision, per run. */
  decidedAfterMs: number[];
  medianMs: number;
  ratio: number;
  meetsTarget: boolean;
  /** Every run rolled back, and latest-prod served the previous versions alone afterwards. */
  allRolledBack: boolean;
  reasons: string[];
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

export async function benchCanary(options: { scale?: number; runs?: number } = {}): Promise<CanaryBench> {
  const scale = options.scale ?? 1 / 10;
  const runs = options.runs ?? 3;
  const config = loadHarnessConfig({});
  const service = config.services["access-management"];
  const configured = canaryPlan(service, config.environments.prod);
  if (!configured)
    throw new Error("access-management has no canary into PROD in runbooks/: nothing to measure.");
  const plan = scaleCanaryPlan(configured, scale, 100);
  const stateDir = await mkdtemp(join(tmpdir(), "bbws-canary-bench-"));
  const sandbox = await startSandbox({ stateDir, quiet: true });
  const prod = sandbox.endpoints.environments.prod;
  // The clients take the standard chain only, as every command's do: the sandbox's profile and endpoint.
  process.env.AWS_ENDPOINT_URL = sandbox.endpoints.awsEndpoint;
  process.env.AWS_CONFIG_FILE = sandbox.endpoints.awsConfigFile;
  process.env.AWS_SHARED_CREDENTIALS_FILE = sandbox.endpoints.awsSharedCredentialsFile;
  const aws = new AwsClients({ region: prod.region, profile: prod.profile });
  const decided: number[] = [];
  const reasons: string[] = [];
  let allRolledBack = true;
  try {
    for (let run = 0; run < runs; run++) {
      const deployed = await sandbox.deploy({
        env: "prod",
        service: "access-management",
        appVersion: `1.9.${run}`,
        fault: { kind: "flaky" },
        canaryWeight: plan.weightPercent / 100,
      });
      const functions = deployed.functions.map((fn) => ({
        functionName: fn.functionName,
        previousVersion: fn.previousVersion,
        newVersion: fn.functionVersion,
      }));
      const startedAt = Date.now();
      const report = await watchCanary({
        aws,
        service,
        alias: "latest-prod",
        functions,
        plan,
        startedAt,
        log: () => undefined,
      });
      if (report.outcome.kind !== "rollback") allRolledBack = false;
      for (const fn of functions)
        await pointAlias(aws.lambda, fn.functionName, "latest-prod", fn.previousVersion);
      decided.push(Math.round(report.outcome.decidedAfterMs));
      reasons.push(report.outcome.reason);
    }
  } finally {
    aws.destroy();
    await sandbox.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
  const medianMs = median(decided);
  const ratio = medianMs / plan.windowMs;
  return {
    scale,
    windowMs: plan.windowMs,
    healthIntervalMs: plan.healthIntervalMs,
    decidedAfterMs: decided,
    medianMs,
    ratio: Math.round(ratio * 1000) / 1000,
    meetsTarget: allRolledBack && ratio <= TARGET_RATIO,
    allRolledBack,
    reasons,
  };
}

/** One line for `npm run bench`. */
export function formatCanaryBench(result: CanaryBench): string {
  return (
    `canary rollback of a build failing 50% of calls: median ${result.medianMs} ms from the 10% split to the decision ` +
    `(runs: ${result.decidedAfterMs.join(", ")} ms) = ${result.ratio} of the ${result.windowMs} ms window ` +
    `(the runbook's 5 min scaled by ${result.scale}, health invoke every ${result.healthIntervalMs} ms; target <= ${TARGET_RATIO}: ` +
    `${result.meetsTarget ? "met" : "NOT met"}${result.allRolledBack ? "" : "; a run did not roll back"})`
  );
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(invokedPath).href) {
  benchCanary().then(
    (result) => {
      process.stdout.write(`${formatCanaryBench(result)}\n${JSON.stringify(result)}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

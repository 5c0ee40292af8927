/**
 * Benchmark: how fast the post-deploy monitor catches a bad build. Steady traffic runs against the sandbox's
 * PROD API; a build whose health check crashes is deployed (half of the calls, GET /health, now fail; the
 * other half, GET /tenants, still answer); the monitor, started with the deployment, polls CloudWatch until it
 * fails. Reported: time from the first failed call (the onset) to the monitor's fail, against the PROD window.
 *
 * The PROD window and polling interval come from the configuration (runbooks/environments.ts, overridable
 * with HARNESS_PROD_MONITORING_WINDOW_SECONDS / _INTERVAL_SECONDS) and are scaled down together by `scale`
 * (default 1/20: 300 s -> 15 s) so the run is short; the ratio detection / window is what the scale keeps.
 * The sandbox publishes metrics at once; real CloudWatch adds up to a minute of ingestion delay.
 * Runnable alone: `npx tsx scripts/bench/monitor-detection.ts`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { loadHarnessConfig } from "../../lib/config/index.ts";
import { cloudWatchPoll, monitorRulesFromItems, runMonitor } from "../../lib/monitor/index.ts";
import { allRunbookItems } from "../../runbooks/index.ts";
import { startSandbox } from "../../sandbox/index.ts";

export interface MonitorDetectionBench {
  /** Factor applied to the configured PROD window and interval. */
  scale: number;
  prodWindowSeconds: number;
  prodIntervalSeconds: number;
  /** The scaled window and interval the monitor ran with. */
  windowMs: number;
  intervalMs: number;
  /** From the first failed call to the monitor's fail. */
  detectionMs: number;
  /** detectionMs / windowMs: the share of the window the bad build ran unnoticed (target <= 0.1). */
  ratio: number;
  /** detectionMs / intervalMs (target <= 2). */
  intervals: number;
  meetsRatioTarget: boolean;
  withinTwoIntervals: boolean;
  /** The runbook item the monitor failed on, and its reason. */
  failedOn: string;
  reason: string;
  calls: number;
  failedCalls: number;
}

const TARGET_RATIO = 0.1;
const FUNCTION = "bbws-tenant-instance-management-prod";

/** Runs the detection benchmark on a fresh sandbox and returns the measurements. */
export async function benchMonitorDetection(
  options: { scale?: number } = {},
): Promise<MonitorDetectionBench> {
  const scale = options.scale ?? 1 / 20;
  const { monitoring } = loadHarnessConfig({}).environments.prod;
  const windowMs = Math.round(monitoring.windowSeconds * 1000 * scale);
  const intervalMs = Math.max(50, Math.round(monitoring.intervalSeconds * 1000 * scale));
  // The rollback triggers and monitoring items of the tenant runbook that apply to PROD.
  const items = allRunbookItems().filter(
    (item) =>
      item.runbookId === "tenant-deploy" &&
      item.environments.includes("prod") &&
      (item.suite === "post-deploy" || item.suite === "rollback") &&
      item.thresholds.some((t) => t.metric.startsWith("lambda.") || t.metric === "api.5xx"),
  );
  const { rules } = monitorRulesFromItems(items, { baselineP95Ms: null });

  const stateDir = await mkdtemp(join(tmpdir(), "bbws-monitor-bench-"));
  const sandbox = await startSandbox({ stateDir, quiet: true });
  const prod = sandbox.endpoints.environments.prod;
  const cloudwatch = new CloudWatchClient({
    endpoint: sandbox.endpoints.awsEndpoint,
    region: prod.region,
    credentials: { accessKeyId: prod.accessKeyId, secretAccessKey: prod.secretAccessKey },
  });
  let running = true;
  let calls = 0;
  let failedCalls = 0;
  let onset: number | null = null;
  const traffic = (async () => {
    while (running) {
      const path = calls % 2 === 0 ? "/health" : "/tenants";
      calls++;
      const response = await fetch(`${prod.apiUrl}${path}`).catch(() => null);
      await response?.arrayBuffer();
      if (response !== null && response.status >= 500) {
        failedCalls++;
        onset ??= Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  try {
    // Steady state before the deployment: the window opens on a function that is serving healthily.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const startedAt = Date.now();
    const monitor = runMonitor({
      poll: cloudWatchPoll({
        client: cloudwatch,
        target: { kind: "function", functionName: FUNCTION },
        startedAt,
        periodSeconds: 60,
      }),
      rules,
      target: { kind: "function", functionName: FUNCTION },
      startedAt,
      windowMs,
      intervalMs,
      periodMs: 60_000,
    });
    await sandbox.deploy({
      env: "prod",
      appVersion: "1.6.0",
      sourceEnvironment: "sit",
      fault: { kind: "health-crash" },
    });
    const { decision } = await monitor;
    if (decision.kind !== "fail") {
      throw new Error(
        `The monitor ended ${decision.kind} instead of failing on a build that fails half of its calls (${failedCalls} of ${calls} calls failed): ${decision.reason}`,
      );
    }
    if (onset === null)
      throw new Error("No call failed, so there is no onset to measure from; the fault did not take effect.");
    const detectionMs = decision.at - onset;
    const ratio = detectionMs / windowMs;
    const intervals = detectionMs / intervalMs;
    return {
      scale,
      prodWindowSeconds: monitoring.windowSeconds,
      prodIntervalSeconds: monitoring.intervalSeconds,
      windowMs,
      intervalMs,
      detectionMs,
      ratio: Math.round(ratio * 1000) / 1000,
      intervals: Math.round(intervals * 100) / 100,
      meetsRatioTarget: ratio <= TARGET_RATIO,
      withinTwoIntervals: intervals <= 2,
      failedOn: decision.breach.itemIds.join(", "),
      reason: decision.breach.reason,
      calls,
      failedCalls,
    };
  } finally {
    running = false;
    await traffic;
    cloudwatch.destroy();
    await sandbox.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** One line for `npm run bench`. */
export function describeMonitorDetection(result: MonitorDetectionBench): string {
  const scaled = `PROD window ${result.prodWindowSeconds} s / interval ${result.prodIntervalSeconds} s scaled by ${result.scale} to ${result.windowMs} ms / ${result.intervalMs} ms`;
  return (
    `monitor detection: ${result.detectionMs} ms after the onset = ${result.ratio} of the window ` +
    `(target <= ${TARGET_RATIO}: ${result.meetsRatioTarget ? "met" : "NOT met"}), ${result.intervals} polling intervals ` +
    `(target <= 2: ${result.withinTwoIntervals ? "met" : "NOT met"}); ${scaled}; failed on ${result.failedOn}`
  );
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(invokedPath).href) {
  benchMonitorDetection().then(
    (result) => {
      process.stdout.write(`${describeMonitorDetection(result)}\n${JSON.stringify(result)}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

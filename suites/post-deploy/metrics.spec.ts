/**
 * Post-deploy CloudWatch metrics (tenant runbook 8.1): Errors and Invocations (Sum), Duration (Average,
 * Maximum, p95) and Throttles over the last minutes, read once the monitoring window has closed, never
 * before the deployment. Each test judges one item's thresholds.
 */
import { setTimeout as delay } from "node:timers/promises";
import {
  applicableItems,
  evaluateLambdaThreshold,
  type Finding,
  getMetricSeries,
  getRunbookItem,
  POST_DEPLOY_ITEMS as ITEMS,
  type LambdaWindowSeries,
  notApplicable,
  PERIOD_SECONDS,
  settle,
  test,
  verifies,
  windowTiming,
} from "../../fixtures/index.ts";

test.describe("post-deploy: CloudWatch metrics", () => {
  for (const itemId of ITEMS.metrics) {
    const title = getRunbookItem(itemId)?.title ?? itemId;
    test(
      `CloudWatch metrics: ${title}`,
      verifies(itemId),
      async ({ deployedFunctions, aws, environment, service }) => {
        const [item] = applicableItems([itemId], service.id, environment.id);
        if (item === undefined) {
          notApplicable(`${itemId} is not a ${service.id} item for ${environment.displayName}.`);
        }
        const { windowMs } = windowTiming(environment);
        test.setTimeout(windowMs + 120_000);
        const functions = await deployedFunctions();
        const findings: Finding[] = [];
        for (const fn of functions) {
          const closesAt = fn.deployedAt.getTime() + windowMs;
          if (closesAt > Date.now()) {
            await test.step(`Wait for the ${windowMs / 1000} s monitoring window of ${fn.functionName} to close`, () =>
              delay(closesAt - Date.now()));
          }
          const series =
            await test.step(`Read the metrics of ${fn.functionName} since the deployment`, async () => {
              const lookBackMs = Math.max(
                ...item.thresholds.map((t) => (t.windowSeconds ?? windowMs / 1000) * 1000),
              );
              const now = Date.now();
              const start = Math.max(fn.deployedAt.getTime(), now - lookBackMs);
              return readLambdaWindow(aws.cloudwatch, fn.functionName, new Date(start), new Date(now));
            });
          for (const threshold of item.thresholds) {
            const result = evaluateLambdaThreshold(threshold, series.points, {
              periodMs: PERIOD_SECONDS * 1000,
            });
            findings.push({
              status: result.status,
              reason: `${fn.functionName}: ${result.reason}`,
              evidence: {
                functionName: fn.functionName,
                range: series.range,
                threshold,
                observed: result.observed,
                series: series.points,
              },
            });
          }
        }
        await settle(findings, "CloudWatch metrics");
      },
    );
  }
});

async function readLambdaWindow(
  cloudwatch: Parameters<typeof getMetricSeries>[0],
  functionName: string,
  start: Date,
  end: Date,
): Promise<{ points: LambdaWindowSeries; range: { start: string; end: string } }> {
  const dimensions = { FunctionName: functionName };
  const read = await getMetricSeries(cloudwatch, {
    queries: [
      { id: "errors", metricName: "Errors", stat: "Sum", dimensions },
      { id: "invocations", metricName: "Invocations", stat: "Sum", dimensions },
      { id: "throttles", metricName: "Throttles", stat: "Sum", dimensions },
      { id: "average", metricName: "Duration", stat: "Average", dimensions },
      { id: "maximum", metricName: "Duration", stat: "Maximum", dimensions },
      { id: "p95", metricName: "Duration", stat: "p95", dimensions },
      { id: "p99", metricName: "Duration", stat: "p99", dimensions },
    ],
    // Whole periods: the one the window opened in, up to the one still filling.
    startTime: new Date(Math.floor(start.getTime() / 60_000) * 60_000),
    endTime: new Date((Math.floor(end.getTime() / 60_000) + 1) * 60_000),
    periodSeconds: PERIOD_SECONDS,
  });
  const get = (id: string) => read.get(id) ?? [];
  return {
    points: {
      errors: get("errors"),
      invocations: get("invocations"),
      throttles: get("throttles"),
      duration: { Average: get("average"), Maximum: get("maximum"), p95: get("p95"), p99: get("p99") },
    },
    range: { start: start.toISOString(), end: end.toISOString() },
  };
}

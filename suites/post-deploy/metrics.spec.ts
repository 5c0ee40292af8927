/**
 * Post-deploy CloudWatch metrics (tenant runbook 8.1): Errors and Invocations (Sum), Duration (Average,
 * Maximum, p95) and Throttles over the last minutes, read once the monitoring window has closed, never
 * before the deployment. Each test judges one item's thresholds. The wait is the shared monitoring window
 * itself, so a quiet function gets the window's read-only traffic, whose share each test reports.
 */
import { setTimeout as delay } from "node:timers/promises";
import {
  applicableItems,
  type Finding,
  getRunbookItem,
  POST_DEPLOY_ITEMS as ITEMS,
  judgeLambdaThreshold,
  metricsRange,
  monitorProgressLine,
  notApplicable,
  readLambdaWindow,
  settle,
  test,
  verifies,
  windowTiming,
  withWindowTraffic,
} from "../../fixtures/index.ts";

test.describe("post-deploy: CloudWatch metrics", () => {
  for (const itemId of ITEMS.metrics) {
    const title = getRunbookItem(itemId)?.title ?? itemId;
    test(
      `CloudWatch metrics: ${title}`,
      verifies(itemId),
      async ({ deployedFunctions, monitoringWindows, noteSyntheticTraffic, aws, environment, service }) => {
        const [item] = applicableItems([itemId], service.id, environment.id);
        if (item === undefined) {
          notApplicable(`${itemId} is not a ${service.id} item for ${environment.displayName}.`);
        }
        const { windowMs } = windowTiming(environment);
        test.setTimeout(windowMs + 120_000);
        const functions = await deployedFunctions();
        // A window that could not run (CloudWatch unreachable) leaves the bare wait below; the metric read then
        // reports what it can.
        const windows =
          await test.step(`Watch ${functions.map((f) => f.functionName).join(", ")} through the ${windowMs / 1000} s monitoring window`, async () =>
            // The window may start here rather than in a monitor test: the same line per poll, never a silent wait.
            monitoringWindows(functions, (name, decision) =>
              console.log(monitorProgressLine(name, decision, windowMs)),
            ).catch(() => []));
        if (windows.length > 0) await noteSyntheticTraffic(windows);
        const findings: Finding[] = [];
        for (const fn of functions) {
          const closesAt = fn.deployedAt.getTime() + windowMs;
          if (closesAt > Date.now()) {
            await test.step(`Wait for the ${windowMs / 1000} s monitoring window of ${fn.functionName} to close`, () =>
              delay(closesAt - Date.now()));
          }
          const series =
            await test.step(`Read the metrics of ${fn.functionName} since the deployment`, async () =>
              readLambdaWindow(
                aws.cloudwatch,
                fn.functionName,
                metricsRange({
                  thresholds: item.thresholds,
                  windowMs,
                  deployedAt: fn.deployedAt,
                  now: new Date(),
                }),
              ));
          const window = windows.find((w) => w.functionName === fn.functionName);
          findings.push(
            ...item.thresholds.map((t) =>
              withWindowTraffic(judgeLambdaThreshold(fn.functionName, t, series), window),
            ),
          );
        }
        await settle(findings, "CloudWatch metrics");
      },
    );
  }
});

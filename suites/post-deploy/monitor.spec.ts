/**
 * Post-deploy monitoring window (tenant runbook 6.3.3, 7.3.4, 9.1, 9.2; access runbook 4.3.4, 5.1): a polling
 * monitor that fails as soon as a threshold is crossed, passes only after the full window, and is
 * inconclusive without data. One window per deployment is shared by the tests; each test judges one item.
 */
import {
  ACCESS_TAG,
  failed,
  getRunbookItem,
  POST_DEPLOY_ITEMS as ITEMS,
  inconclusive,
  judgeWindowItem,
  markInconclusive,
  monitorProgressLine,
  passed,
  serviceItems,
  serviceVariants,
  settle,
  targetFor,
  test,
  verifies,
  windowTiming,
} from "../../fixtures/index.ts";

test.describe("post-deploy: monitoring window", () => {
  for (const variant of serviceVariants()) {
    for (const itemId of serviceItems(ITEMS.monitor, variant.serviceId)) {
      const title = getRunbookItem(itemId)?.title ?? itemId;
      test(`Monitoring window: ${title}`, { tag: [...variant.tag], ...verifies(itemId) }, async ({
        requireApplicable,
        deployedFunctions,
        monitoringWindows,

        environment,
      }) => {
        requireApplicable([itemId], `${itemId} does not apply to ${environment.displayName}.`);
        const { windowMs } = windowTiming(environment);
        test.setTimeout(windowMs + 120_000);
        const functions = await deployedFunctions();
        const windows =
          await test.step(`Watch ${functions.map((f) => f.functionName).join(", ")} for ${windowMs / 1000} s after the deployment`, async () =>
            // A line per poll on the console: a 5-minute watch must not look like a hang.
            monitoringWindows(functions, (name, decision) =>
              console.log(monitorProgressLine(name, decision, windowMs)),
            ));
        await settle([judgeWindowItem(itemId, windows)], "monitoring window");
      });
    }
  }

  test("Canary: the new version receives 10% of the traffic", {
    tag: [ACCESS_TAG],
    ...verifies(...ITEMS.canaryWeight),
  }, async ({ requireApplicable, deployedFunctions, environment, service }) => {
    const [itemId] = ITEMS.canaryWeight;
    requireApplicable([itemId], `${itemId} does not apply to ${environment.displayName}.`);
    const functions = await deployedFunctions();
    const canaries = functions.filter((fn) => targetFor(fn).kind === "canary");
    if (canaries.length === 0) {
      // The split is visible only while it lasts: Lambda keeps no history of alias weights.
      markInconclusive(
        `no alias of ${service.id} splits traffic now, so the canary's weight cannot be observed; run the post-deploy suite during the canary to verify ${itemId}.`,
      );
    }
    const threshold = getRunbookItem(itemId)?.thresholds[0];
    const findings = canaries.map((fn) => {
      const [[version, weight] = ["?", 0]] = Object.entries(fn.state.routing);
      const percent = Math.round(weight * 1000) / 10;
      const evidence = {
        functionName: fn.functionName,
        routing: fn.state.routing,
        primary: fn.state.aliased.functionVersion,
      };
      if (threshold === undefined) {
        return inconclusive(
          `${itemId} has no traffic-weight threshold to compare ${percent}% with.`,
          evidence,
        );
      }
      return percent === threshold.value
        ? passed(
            `${fn.functionName}: ${fn.state.aliasName} sends ${percent}% to version ${version} (the canary).`,
            evidence,
          )
        : failed(
            `${fn.functionName}: ${fn.state.aliasName} sends ${percent}% to version ${version}, not the runbook's ${threshold.value}%.`,
            evidence,
          );
    });
    await settle(findings, "canary weight");
  });
});

/**
 * Post-deploy monitoring window (tenant runbook 6.3.3, 7.3.4, 9.1, 9.2; access runbook 4.3.4, 5.1): a polling
 * monitor that fails as soon as a threshold is crossed, passes only after the full window, and is
 * inconclusive without data. One window per deployment is shared by the tests; each test judges one item.
 * While the function is quiet the window sends read-only health invokes of its own; each test says their share.
 */
import {
  ACCESS_TAG,
  getRunbookItem,
  POST_DEPLOY_ITEMS as ITEMS,
  judgeCanaryWeight,
  judgeWindowItem,
  monitorProgressLine,
  serviceItems,
  serviceVariants,
  settle,
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
        noteSyntheticTraffic,
        noteManualTriggers,
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
        await noteSyntheticTraffic(windows);
        // Tenant 9.2: the person deciding on a manual rollback sees every trigger's peak against its threshold.
        if (ITEMS.manualTriggers.some((id) => id === itemId)) await noteManualTriggers(windows, windowMs);
        await settle([judgeWindowItem(itemId, windows)], "monitoring window");
      });
    }
  }

  test("Canary: the new version receives 10% of the traffic", {
    tag: [ACCESS_TAG],
    ...verifies(...ITEMS.canaryWeight),
  }, async ({ requireApplicable, deployedFunctions, environment, service, canaryRecord }) => {
    const [itemId] = ITEMS.canaryWeight;
    requireApplicable([itemId], `${itemId} does not apply to ${environment.displayName}.`);
    const functions = await deployedFunctions();
    const finding = judgeCanaryWeight({
      itemId,
      serviceId: service.id,
      thresholds: getRunbookItem(itemId)?.thresholds ?? [],
      states: functions.map((fn) => fn.state),
      recorded: canaryRecord,
    });
    await settle([finding], "canary weight");
  });
});

/**
 * Recovery after the rollback (tenant runbook 9.4, access runbook 5.3): over the recovery window from the
 * record's rolledBackAt, the error rate is back under the rate that triggers a rollback. One window per rollback
 * is shared by the tests; while the restored version is quiet it sends read-only health invokes of its own, and
 * each test says their share. No invocations in the window is inconclusive, never a pass.
 */
import {
  getRunbookItem,
  ROLLBACK_ITEMS as ITEMS,
  judgeRecovery,
  monitorProgressLine,
  recoveryTiming,
  serviceItems,
  serviceVariants,
  settle,
  test,
  verifies,
} from "../../fixtures/index.ts";

test.describe("rollback: recovery window", () => {
  for (const variant of serviceVariants()) {
    for (const itemId of serviceItems(ITEMS.recovery, variant.serviceId)) {
      const title = getRunbookItem(itemId)?.title ?? itemId;
      test(`Recovery window: ${title}`, { tag: [...variant.tag], ...verifies(itemId) }, async ({
        requireApplicable,
        latestRollback,
        deployedFunctions,
        recoveryWindows,
        noteSyntheticTraffic,
        environment,
      }) => {
        requireApplicable([itemId], `${itemId} does not apply to ${environment.displayName}.`);
        const { windowMs } = recoveryTiming(environment);
        test.setTimeout(windowMs + 120_000);
        const rollback = await test.step("Read the newest rollback record", latestRollback);
        const functions = await deployedFunctions();
        const windows =
          await test.step(`Watch ${functions.map((f) => f.functionName).join(", ")} for ${windowMs / 1000} s after the rollback`, async () =>
            // A line per poll on the console: a long watch must not look like a hang.
            recoveryWindows(rollback, functions, (name, decision) =>
              console.log(monitorProgressLine(name, decision, windowMs)),
            ));
        await noteSyntheticTraffic(windows);
        await settle([judgeRecovery(rollback, itemId, windows)], "recovery window");
      });
    }
  }
});

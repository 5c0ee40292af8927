/**
 * The rollback's record (tenant runbook 9.1, 9.3; access runbook 4.2, 5.1, 5.3): the newest ROLLBACK#<service>
 * item of bbws-deployments-{env} says why, who, and which versions moved, and the environment still serves them;
 * its times give the rollback's duration; a promotion's own rollback is told from a manual one by its trigger.
 */
import {
  ACCESS_TAG,
  deploymentsTable,
  getRunbookItem,
  ROLLBACK_ITEMS as ITEMS,
  judgeAutomaticRollback,
  judgeRollbackDuration,
  judgeRollbackRecord,
  notApplicable,
  serviceItems,
  serviceVariants,
  settle,
  test,
  verifies,
} from "../../fixtures/index.ts";

test.describe("rollback: the record", () => {
  for (const variant of serviceVariants()) {
    test(`The rollback is recorded with its reason and initiator, for the versions served now${variant.suffix}`, {
      tag: [...variant.tag],
      ...verifies(...serviceItems(ITEMS.record, variant.serviceId)),
    }, async ({ requireApplicable, latestRollback, deployedFunctions, environment, service }) => {
      requireApplicable(
        ITEMS.record,
        `no rollback-record item of ${service.id} applies to ${environment.displayName}.`,
      );
      const rollback = await test.step("Read the newest rollback record", latestRollback);
      const functions = await test.step("Read the aliases and deployment records", deployedFunctions);
      await settle(
        [judgeRollbackRecord(rollback, functions, deploymentsTable(service, environment.id))],
        "rollback record",
      );
    });

    for (const itemId of serviceItems(ITEMS.automatic, variant.serviceId)) {
      const title = getRunbookItem(itemId)?.title ?? itemId;
      test(`A promotion's own rollback: ${title}${variant.suffix}`, {
        tag: [...variant.tag],
        ...verifies(itemId),
      }, async ({ requireApplicable, latestRollback, deployedFunctions, environment }) => {
        requireApplicable([itemId], `${itemId} does not apply to ${environment.displayName}.`);
        const rollback = await test.step("Read the newest rollback record", latestRollback);
        const functions = await deployedFunctions();
        const finding = judgeAutomaticRollback(rollback, itemId, functions);
        if (finding.status === "not-applicable") notApplicable(finding.reason);
        await settle([finding], "automatic rollback");
      });
    }
  }

  for (const itemId of ITEMS.duration) {
    const title = getRunbookItem(itemId)?.title ?? itemId;
    test(`Rollback duration: ${title} [access management]`, {
      tag: [ACCESS_TAG],
      ...verifies(itemId),
    }, async ({ requireApplicable, latestRollback, environment }) => {
      requireApplicable([itemId], `${itemId} does not apply to ${environment.displayName}.`);
      const rollback = await test.step("Read the newest rollback record", latestRollback);
      await settle(
        [judgeRollbackDuration(rollback, itemId, getRunbookItem(itemId)?.thresholds ?? [])],
        "rollback duration",
      );
    });
  }
});

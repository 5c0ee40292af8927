/**
 * The maintenance window of a PROD promotion (tenant runbook 7.2, access runbook 4.3.1): inside one of the
 * environment's windows with the workflow's maintenance_window input confirmed, or an emergency change the
 * change board signed for these bits.
 */
import {
  bitsOf,
  EMERGENCY_CHANGE_ITEM,
  getRunbookItem,
  PRE_PROMOTION_ITEMS as ITEMS,
  maintenanceWindowFinding,
  serviceItems,
  serviceVariants,
  settle,
  test,
  verifies,
} from "../../fixtures/index.ts";

test.describe("pre-promotion: the maintenance window", () => {
  for (const variant of serviceVariants()) {
    for (const itemId of serviceItems(ITEMS.maintenanceWindow, variant.serviceId)) {
      test(`The promotion runs inside a confirmed maintenance window${variant.suffix}`, {
        tag: [...variant.tag],
        ...verifies(itemId),
      }, async ({ requireApplicable, sourceFunctions, gate, environment, service }) => {
        requireApplicable([itemId], `${itemId} does not apply to ${environment.displayName}.`);
        const emergencyItem = getRunbookItem(EMERGENCY_CHANGE_ITEM[itemId] ?? "");
        if (!emergencyItem?.attestedBy) throw new Error(`${itemId} names no emergency-change item`);
        const codeSha256 = bitsOf(await sourceFunctions());
        const { finding } =
          await test.step(`Look up ${emergencyItem.id} for these bits and judge the window`, () =>
            maintenanceWindowFinding({
              settings: gate,
              environment,
              serviceId: service.id,
              emergencyItem,
              codeSha256,
              now: new Date(),
            }));
        await settle([finding], "maintenance window");
      });
    }
  }
});

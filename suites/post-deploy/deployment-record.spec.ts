/** Post-deploy record (tenant runbook 6.3.4, 7.3.5): the deployments table describes the version behind the alias. */
import {
  applicableItems,
  deploymentsTable,
  POST_DEPLOY_ITEMS as ITEMS,
  judgeDeploymentRecord,
  notApplicable,
  settle,
  test,
  verifies,
} from "../../fixtures/index.ts";

test.describe("post-deploy: deployment record", () => {
  test(
    "The deployment is recorded with its version and code SHA",
    verifies(...ITEMS.record),
    async ({ deployedFunctions, environment, service }) => {
      const table = deploymentsTable(service, environment.id);
      if (applicableItems(ITEMS.record, service.id, environment.id).length === 0 || table === null) {
        notApplicable(
          `${service.id} records no deployments the runbook checks in ${environment.displayName}.`,
        );
      }
      const functions = await deployedFunctions();
      const findings = functions.map((fn) =>
        judgeDeploymentRecord({
          table,
          functionName: fn.functionName,
          aliased: fn.state.aliased,
          records: fn.records,
          sourceEnvironment: environment.promotedFrom,
        }),
      );
      await settle(findings, "deployment record");
    },
  );
});

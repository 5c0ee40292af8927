/** Post-deploy logs (tenant runbook 8.2): no ERROR event in the function's log group since the deployment. */
import { test, verifies } from "../../fixtures/index.ts";
import { readDeployedFunctions } from "./support/context.ts";
import { applicableItems, ITEMS } from "./support/items.ts";
import { judgeErrorLogs } from "./support/logs.ts";
import { logGroup } from "./support/names.ts";
import { notApplicable, settle } from "./support/settle.ts";

test.describe("post-deploy: CloudWatch logs", () => {
  test(
    "No ERROR log events since the deployment",
    verifies(...ITEMS.logs),
    async ({ aws, environment, service }) => {
      if (applicableItems(ITEMS.logs, service.id, environment.id).length === 0) {
        notApplicable(`no log item of ${service.id} applies to ${environment.displayName}.`);
      }
      const functions = await readDeployedFunctions(aws, environment, service);
      const findings = await Promise.all(
        functions.map((fn) => {
          const group = logGroup(fn.functionName, service);
          return test.step(`Search ${group} for ERROR since ${fn.deployedAt.toISOString()}`, () =>
            judgeErrorLogs({ logs: aws.logs, logGroup: group, since: fn.deployedAt, until: new Date() }));
        }),
      );
      await settle(findings, "ERROR log events");
    },
  );
});

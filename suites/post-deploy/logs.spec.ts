/** Post-deploy logs (tenant runbook 8.2): no ERROR event in the function's log group since the deployment. */
import {
  POST_DEPLOY_ITEMS as ITEMS,
  judgeErrorLogs,
  logGroup,
  searchLogs,
  settle,
  test,
  verifies,
} from "../../fixtures/index.ts";

test.describe("post-deploy: CloudWatch logs", () => {
  test(
    "No ERROR log events since the deployment",
    verifies(...ITEMS.logs),
    async ({ requireApplicable, deployedFunctions, aws, environment, service }) => {
      requireApplicable(ITEMS.logs, `no log item of ${service.id} applies to ${environment.displayName}.`);
      const functions = await deployedFunctions();
      const findings = await Promise.all(
        functions.map((fn) => {
          const group = logGroup(fn.functionName, service);
          return test.step(`Search ${group} for ERROR since ${fn.deployedAt.toISOString()}`, async () =>
            judgeErrorLogs(
              await searchLogs({ logs: aws.logs, logGroup: group, since: fn.deployedAt, until: new Date() }),
            ));
        }),
      );
      await settle(findings, "ERROR log events");
    },
  );
});

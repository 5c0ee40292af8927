/** Post-deploy alarms (tenant runbook 8.3; access runbook 3.3, 4.3.5, 4.4): quiet now, and quiet since the deployment. */
import {
  alarmPrefix,
  alarmsWithPrefix,
  alarmTransitions,
  POST_DEPLOY_ITEMS as ITEMS,
  judgeAlarmHistory,
  judgeAlarmStates,
  serviceItems,
  serviceVariants,
  settle,
  test,
  verifies,
} from "../../fixtures/index.ts";

test.describe("post-deploy: CloudWatch alarms", () => {
  for (const variant of serviceVariants()) {
    test(`No alarm of the environment's prefix is in ALARM${variant.suffix}`, {
      tag: [...variant.tag],
      ...verifies(...serviceItems(ITEMS.alarmsNow, variant.serviceId)),
    }, async ({ requireApplicable, aws, environment, service }) => {
      requireApplicable(
        ITEMS.alarmsNow,
        `no alarm item of ${service.id} applies to ${environment.displayName}.`,
      );
      const prefix = alarmPrefix(service, environment.id);
      const alarms = await test.step(`Describe the alarms named ${prefix}*`, () =>
        alarmsWithPrefix(aws.cloudwatch, prefix));
      await settle([judgeAlarmStates(prefix, alarms)], "alarms");
    });

    test(`No alarm entered ALARM since the deployment${variant.suffix}`, {
      tag: [...variant.tag],
      ...verifies(...serviceItems(ITEMS.alarmHistory, variant.serviceId)),
    }, async ({ requireApplicable, deployedFunctions, aws, environment, service }) => {
      requireApplicable(
        ITEMS.alarmHistory,
        `no alarm-history item of ${service.id} applies to ${environment.displayName}.`,
      );
      const prefix = alarmPrefix(service, environment.id);
      const functions = await deployedFunctions();
      const since = new Date(Math.min(...functions.map((fn) => fn.deployedAt.getTime())));
      const alarms = await alarmsWithPrefix(aws.cloudwatch, prefix);
      if (alarms.length === 0) {
        await settle([judgeAlarmStates(prefix, alarms)], "alarm history");
        return;
      }
      const transitions =
        await test.step(`Read the alarm history of ${prefix}* since ${since.toISOString()}`, () =>
          alarmTransitions(
            aws.cloudwatch,
            alarms.map((a) => a.name),
            since,
            new Date(),
          ));
      await settle([judgeAlarmHistory(prefix, since, transitions)], "alarm history");
    });
  }
});

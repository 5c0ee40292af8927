/**
 * The rollback on Lambda (tenant runbook 9.3, 9.4; access runbook 5.3, 9.2): every alias back on the version the
 * rollback named, which a backup alias kept, carrying the code recorded when it was deployed and answering its
 * health check with that version; for access management, SSM deployed-version restored too.
 */
import {
  ACCESS_TAG,
  aliasName,
  backupAliasPrefix,
  deploymentsTable,
  ROLLBACK_ITEMS as ITEMS,
  invokeHealth,
  judgeHealthInvocation,
  judgeRollbackBackupAlias,
  judgeRollbackCode,
  judgeRollbackSsm,
  judgeRollbackTarget,
  settle,
  ssmParameter,
  ssmParameterValue,
  test,
  verifies,
} from "../../fixtures/index.ts";

test.describe("rollback: Lambda", () => {
  test(
    "The alias points at the version the rollback named, with no traffic split left",
    verifies(...ITEMS.target),
    async ({ latestRollback, deployedFunctions, environment, service }) => {
      const rollback = await test.step("Read the newest rollback record", latestRollback);
      const functions = await deployedFunctions();
      const alias = aliasName(service, environment.id);
      const finding =
        await test.step(`Verify alias ${alias} points at the rollback's target version`, async () =>
          judgeRollbackTarget(rollback, functions));
      await settle([finding], "rollback target");
    },
  );

  test(
    "The alias is back on the version of the backup alias the rollback returned to",
    verifies(...ITEMS.backupAlias),
    async ({ latestRollback, deployedFunctions, environment, service }) => {
      const rollback = await test.step("Read the newest rollback record", latestRollback);
      const functions = await deployedFunctions();
      const alias = aliasName(service, environment.id);
      const prefix = backupAliasPrefix(service);
      const findings = [
        await test.step(`Verify alias ${alias} points at the rollback's target version`, async () =>
          judgeRollbackTarget(rollback, functions)),
        await test.step(`Verify the ${prefix}* alias the rollback named still points at that version`, async () =>
          judgeRollbackBackupAlias(rollback, functions, prefix)),
      ];
      await settle(findings, "backup alias");
    },
  );

  test("Every alias is back on its backup version and SSM deployed-version names it [access management]", {
    tag: [ACCESS_TAG],
    ...verifies(...ITEMS.allToPrevious),
  }, async ({ requireApplicable, latestRollback, deployedFunctions, aws, environment, service }) => {
    requireApplicable(
      ITEMS.allToPrevious,
      `no rollback item of ${service.id} applies to ${environment.displayName}.`,
    );
    const rollback = await test.step("Read the newest rollback record", latestRollback);
    const functions = await deployedFunctions();
    const alias = aliasName(service, environment.id);
    const prefix = backupAliasPrefix(service);
    const parameter = ssmParameter(service, environment.id);
    const findings = [
      await test.step(`Verify alias ${alias} of every function points at the rollback's target version`, async () =>
        judgeRollbackTarget(rollback, functions, { requireAll: true })),
      await test.step(`Verify the ${prefix}* aliases the rollback named still point at those versions`, async () =>
        judgeRollbackBackupAlias(rollback, functions, prefix)),
      await test.step(`Verify SSM ${parameter ?? "deployed-version"} names the version rolled back to`, async () =>
        judgeRollbackSsm(
          rollback,
          parameter,
          parameter === null ? null : await ssmParameterValue(aws.ssm, parameter),
        )),
    ];
    await settle(findings, "rollback of every function");
  });

  test(
    "The version rolled back to carries the CodeSha256 recorded when it was deployed",
    verifies(...ITEMS.code),
    async ({ latestRollback, deployedFunctions, environment, service }) => {
      const rollback = await test.step("Read the newest rollback record", latestRollback);
      const functions = await test.step("Read the versions and their deployment records", deployedFunctions);
      await settle(
        [judgeRollbackCode(rollback, functions, deploymentsTable(service, environment.id))],
        "code integrity",
      );
    },
  );

  test(
    "get-alias shows the rolled-back version and its health check reports that version",
    verifies(...ITEMS.health),
    async ({ latestRollback, deployedFunctions, aws, environment, service }) => {
      const rollback = await test.step("Read the newest rollback record", latestRollback);
      const functions = await deployedFunctions();
      const alias = aliasName(service, environment.id);
      const findings = [
        await test.step(`Verify alias ${alias} points at the rollback's target version`, async () =>
          judgeRollbackTarget(rollback, functions)),
        ...(await Promise.all(
          functions.map((fn) =>
            test.step(`Invoke ${fn.functionName}:${alias} with the health payload`, async () => {
              const invocation = await invokeHealth({
                lambda: aws.lambda,
                functionName: fn.functionName,
                qualifier: alias,
                payload: service.healthPayload,
              });
              return judgeHealthInvocation(invocation, {
                // The version behind the alias; judgeRollbackTarget above holds it to the rollback's target.
                expectedAppVersion: fn.state.aliased.appVersion,
                strictContract: service.id === "tenant-instance-management",
                expectedEnvironment: environment.id,
              });
            }),
          ),
        )),
      ];
      await settle(findings, "rollback verified");
    },
  );
});

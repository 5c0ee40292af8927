/**
 * Post-deploy, Lambda (tenant runbook 4.3, 6.3.2, 6.3.3, 7.3.3, 7.3.4; access runbook 3.2.4, 4.3.5): the
 * right bits behind the alias, a rollback target, byte-identical code across environments, a healthy answer.
 */
import {
  aliasName,
  backupAliasPrefix,
  type Finding,
  functionNames,
  POST_DEPLOY_ITEMS as ITEMS,
  invokeHealth,
  judgeAlias,
  judgeBackupAlias,
  judgeCodeShaAgainstSource,
  judgeConfiguration,
  judgeHealthInvocation,
  judgeSsmDeployedVersion,
  notApplicable,
  previousVersion,
  readFunctionState,
  serviceItems,
  serviceVariants,
  settle,
  ssmDeployedVersion,
  ssmParameter,
  test,
  verifies,
} from "../../fixtures/index.ts";

test.describe("post-deploy: Lambda", () => {
  test(
    "Function configuration: Active, published, carrying the uploaded code",
    verifies(...ITEMS.configuration),
    async ({ deployedFunctions }) => {
      const functions = await deployedFunctions();
      const findings = await Promise.all(
        functions.map((fn) =>
          test.step(`Check the configuration of ${fn.functionName}`, async () =>
            judgeConfiguration(fn.state)),
        ),
      );
      await settle(findings, "configuration");
    },
  );

  for (const variant of serviceVariants()) {
    test(`Alias points at the expected version${variant.suffix}`, {
      tag: [...variant.tag],
      ...verifies(...serviceItems(ITEMS.alias, variant.serviceId)),
    }, async ({ deployedFunctions, aws, environment, service }) => {
      const functions = await deployedFunctions();
      const alias = aliasName(service, environment.id);
      const findings: Finding[] = [];
      for (const fn of functions) {
        findings.push(
          await test.step(`Verify alias ${alias} of ${fn.functionName} points at the expected version`, async () =>
            judgeAlias(fn.state, fn.expected)),
        );
      }
      const parameter = ssmParameter(service, environment.id);
      if (parameter !== null) {
        findings.push(
          await test.step(`Verify SSM ${parameter} names the version behind the alias`, async () =>
            judgeSsmDeployedVersion(
              parameter,
              await ssmDeployedVersion(aws.ssm, parameter),
              functions.map((fn) => fn.state),
            )),
        );
      }
      await settle(findings, "alias");
    });

    test(`Direct health invoke answers 200 healthy with the version behind the alias${variant.suffix}`, {
      tag: [...variant.tag],
      ...verifies(...serviceItems(ITEMS.health, variant.serviceId)),
    }, async ({ deployedFunctions, aws, environment, service }) => {
      const functions = await deployedFunctions();
      const alias = aliasName(service, environment.id);
      const findings = await Promise.all(
        functions.map((fn) =>
          test.step(`Invoke ${fn.functionName}:${alias} with the health payload`, async () => {
            const invocation = await invokeHealth({
              lambda: aws.lambda,
              functionName: fn.functionName,
              qualifier: alias,
              payload: service.healthPayload,
            });
            return judgeHealthInvocation(invocation, {
              expectedAppVersion: fn.state.aliased.appVersion,
              strictContract: service.id === "tenant-instance-management",
              expectedEnvironment: environment.id,
            });
          }),
        ),
      );
      await settle(findings, "health invoke");
    });
  }

  test(
    "A backup alias points at the version served before",
    verifies(...ITEMS.backupAlias),
    async ({ deployedFunctions, service }) => {
      const functions = await deployedFunctions();
      const prefix = backupAliasPrefix(service);
      const findings = await Promise.all(
        functions.map((fn) =>
          test.step(`Find a ${prefix}* alias of ${fn.functionName} for the rollback`, async () =>
            judgeBackupAlias(fn.state, prefix, previousVersion(fn.state, fn.records))),
        ),
      );
      await settle(findings, "backup alias");
    },
  );

  test(
    "CodeSha256 matches the source environment's",
    verifies(...ITEMS.codeSha),
    async ({ deployedFunctions, awsFor, environment, service, harness }) => {
      const source = environment.promotedFrom;
      if (source === null) {
        notApplicable(
          `${environment.displayName} is not promoted from another environment, so there is no source CodeSha256 to compare.`,
        );
      }
      const sourceEnv = harness.environments[source];
      const functions = await deployedFunctions();
      const sourceAlias = aliasName(service, source);
      // Same template, other environment: the n-th function here was promoted from the n-th function there.
      const sourceNames = functionNames(service, source);
      const findings = await Promise.all(
        functions.map((fn, index) => {
          const sourceName = sourceNames[index] ?? fn.functionName;
          return test.step(`Compare the CodeSha256 of ${fn.functionName} with ${sourceEnv.displayName}'s ${sourceName}`, async () => {
            const sourceState = await readFunctionState(awsFor(source).lambda, sourceName, sourceAlias);
            return judgeCodeShaAgainstSource(fn.state, sourceState, sourceEnv.displayName);
          });
        }),
      );
      await settle(findings, "code integrity");
    },
  );
});

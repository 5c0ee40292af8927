/**
 * The source environment before its bits move on (tenant runbook 6.1, 6.3.1, 7.1, 7.3.1; access runbook 2.2,
 * 3.1, 3.2.1, 3.2.2, 4.3.1): DEV for a promotion into SIT, SIT for one into PROD. Every check reads the
 * source's own account; its bits (the CodeSha256 behind its alias now) are what the verdict binds.
 */
import {
  alarmPrefix,
  alarmsWithPrefix,
  aliasName,
  applicableItems,
  bitsOf,
  deploymentsTable,
  type Finding,
  PRE_PROMOTION_ITEMS as ITEMS,
  invokeHealth,
  judgeAlarmStates,
  judgeAlias,
  judgeDeploymentAge,
  judgeErrorLogs,
  judgeHealthInvocation,
  judgeIntegrityReference,
  judgeLambdaThreshold,
  judgeSemverBump,
  judgeSsmDeployedVersion,
  logGroup,
  readLambdaWindow,
  searchLogs,
  serviceItems,
  serviceVariants,
  settle,
  sourceVerdictFindings,
  ssmDeployedVersion,
  ssmParameter,
  ssmParameterValue,
  test,
  verifies,
} from "../../fixtures/index.ts";

test.describe("pre-promotion: the source environment", () => {
  for (const variant of serviceVariants()) {
    const declare = (ids: readonly string[]) => ({
      tag: [...variant.tag],
      ...verifies(...serviceItems(ids, variant.serviceId)),
    });
    const has = (ids: readonly string[]) => serviceItems(ids, variant.serviceId).length > 0;

    if (has(ITEMS.sourceReference)) {
      test(
        `The source's alias resolves to a published version and its CodeSha256${variant.suffix}`,
        declare(ITEMS.sourceReference),
        async ({ requireApplicable, sourceFunctions, environment, service }) => {
          requireApplicable(
            ITEMS.sourceReference,
            `no integrity-reference item of ${service.id} applies to ${environment.displayName}.`,
          );
          const functions = await test.step(
            "Read the source's aliases, versions and CodeSha256",
            sourceFunctions,
          );
          await settle(functions.map(judgeIntegrityReference), "integrity reference");
        },
      );
    }

    if (has(ITEMS.sourceDeployment)) {
      test(
        `The source's alias serves its recorded version and answers healthy${variant.suffix}`,
        declare(ITEMS.sourceDeployment),
        async ({ requireApplicable, sourceFunctions, promotionSource, environment, service }) => {
          requireApplicable(
            ITEMS.sourceDeployment,
            `no source-deployment item of ${service.id} applies to ${environment.displayName}.`,
          );
          const source = promotionSource.environment;
          const alias = aliasName(service, source.id);
          const functions = await sourceFunctions();
          const findings: Finding[] = [];
          for (const fn of functions) {
            findings.push(judgeAlias(fn.state, fn.expected));
            const invocation =
              await test.step(`Invoke ${fn.functionName}:${alias} with the health payload`, () =>
                invokeHealth({
                  lambda: promotionSource.aws.lambda,
                  functionName: fn.functionName,
                  qualifier: alias,
                  payload: service.healthPayload,
                }));
            findings.push(
              judgeHealthInvocation(invocation, {
                expectedAppVersion: fn.state.aliased.appVersion,
                strictContract: service.id === "tenant-instance-management",
                expectedEnvironment: source.id,
              }),
            );
          }
          await settle(findings, "source deployment");
        },
      );
    }

    test(
      `The source's bits have passing, fresh smoke and post-deploy verdicts${variant.suffix}`,
      declare(ITEMS.sourceVerdicts),
      async ({ requireApplicable, sourceFunctions, promotionSource, gate, environment, service }) => {
        requireApplicable(
          ITEMS.sourceVerdicts,
          `no source-verdict item of ${service.id} applies to ${environment.displayName}.`,
        );
        const source = promotionSource.environment;
        const codeSha256 = bitsOf(await sourceFunctions());
        const findings =
          await test.step(`Read and judge the verdict files in ${gate.verdictsDir}`, async () =>
            sourceVerdictFindings({
              serviceId: service.id,
              source,
              codeSha256,
              verdictsDir: gate.verdictsDir,
              trustedVerdictKeys: gate.trustedVerdictKeys,
              now: new Date(),
            }));
        await settle(findings, "source verdicts");
      },
    );

    for (const itemId of serviceItems(ITEMS.sourceMetrics, variant.serviceId)) {
      test(
        `CloudWatch metrics of the source: ${itemId}${variant.suffix}`,
        declare([itemId]),
        async ({ requireApplicable, sourceFunctions, promotionSource, environment, service }) => {
          requireApplicable([itemId], `${itemId} does not apply to ${environment.displayName}.`);
          const [item] = applicableItems([itemId], service.id, environment.id);
          const thresholds = item?.thresholds ?? [];
          const lookBack = Math.max(...thresholds.map((t) => t.windowSeconds ?? 3600)) * 1000;
          const now = new Date();
          const functions = await sourceFunctions();
          const findings: Finding[] = [];
          for (const fn of functions) {
            const window =
              await test.step(`Read ${fn.functionName}'s metrics over the last ${lookBack / 3_600_000} h`, () =>
                readLambdaWindow(promotionSource.aws.cloudwatch, fn.functionName, {
                  start: new Date(now.getTime() - lookBack),
                  end: now,
                }));
            findings.push(...thresholds.map((t) => judgeLambdaThreshold(fn.functionName, t, window)));
          }
          await settle(findings, "source metrics");
        },
      );
    }

    if (has(ITEMS.sourceErrorLogs)) {
      test(
        `No ERROR log events in the source in the last hour${variant.suffix}`,
        declare(ITEMS.sourceErrorLogs),
        async ({ requireApplicable, promotionSource, sourceFunctions, environment, service }) => {
          requireApplicable(
            ITEMS.sourceErrorLogs,
            `no source-log item of ${service.id} applies to ${environment.displayName}.`,
          );
          const until = new Date();
          const since = new Date(until.getTime() - 3_600_000);
          const findings: Finding[] = [];
          for (const fn of await sourceFunctions()) {
            const group = logGroup(fn.functionName, service);
            const search = await test.step(`Search ${group} for ERROR since ${since.toISOString()}`, () =>
              searchLogs({ logs: promotionSource.aws.logs, logGroup: group, since, until }));
            findings.push(judgeErrorLogs(search, "in the last hour"));
          }
          await settle(findings, "source logs");
        },
      );
    }

    test(
      `No alarm of the source's prefix is in ALARM${variant.suffix}`,
      declare(ITEMS.sourceAlarms),
      async ({ requireApplicable, promotionSource, environment, service }) => {
        requireApplicable(
          ITEMS.sourceAlarms,
          `no source-alarm item of ${service.id} applies to ${environment.displayName}.`,
        );
        const prefix = alarmPrefix(service, promotionSource.environment.id);
        const alarms = await test.step(`Describe the alarms named ${prefix}*`, () =>
          alarmsWithPrefix(promotionSource.aws.cloudwatch, prefix));
        await settle([judgeAlarmStates(prefix, alarms)], "source alarms");
      },
    );

    test(
      `The source's bits have run long enough${variant.suffix}`,
      declare(ITEMS.sourceAge),
      async ({ requireApplicable, promotionSource, sourceFunctions, environment, service }) => {
        requireApplicable(
          ITEMS.sourceAge,
          `no deployment-age item of ${service.id} applies to ${environment.displayName}.`,
        );
        const thresholds = applicableItems(ITEMS.sourceAge, service.id, environment.id)
          .flatMap((item) => item.thresholds)
          .filter((t) => t.metric === "deployment.age");
        const [strictest] = [...thresholds].sort((a, b) => b.value - a.value);
        const functions = await test.step(
          "Read the source's deployment records and versions",
          sourceFunctions,
        );
        const recordRequired = deploymentsTable(service, promotionSource.environment.id) !== null;
        const now = new Date();
        await settle(
          strictest ? functions.map((fn) => judgeDeploymentAge(fn, strictest, now, recordRequired)) : [],
          "deployment age",
        );
      },
    );

    if (has(ITEMS.semverBump)) {
      test(
        `The version to promote is vX.Y.Z, served by the source, newer than the target's${variant.suffix}`,
        declare(ITEMS.semverBump),
        async ({ requireApplicable, promotionSource, sourceFunctions, aws, environment, service }) => {
          requireApplicable(
            ITEMS.semverBump,
            `no version item of ${service.id} applies to ${environment.displayName}.`,
          );
          const sourceParameter = ssmParameter(service, promotionSource.environment.id) ?? "";
          const targetParameter = ssmParameter(service, environment.id) ?? "";
          const [sourceValue, targetValue, functions] = await Promise.all([
            ssmParameterValue(promotionSource.aws.ssm, sourceParameter),
            ssmParameterValue(aws.ssm, targetParameter),
            sourceFunctions(),
          ]);
          await settle(
            [
              judgeSemverBump({
                sourceParameter,
                sourceValue,
                targetParameter,
                targetValue,
                behindAliases: functions.map((fn) => fn.state.aliased.appVersion),
              }),
            ],
            "version to promote",
          );
        },
      );
    }

    if (has(ITEMS.sourceSsm)) {
      test(
        `The source's SSM deployed-version names the version being promoted${variant.suffix}`,
        declare(ITEMS.sourceSsm),
        async ({ requireApplicable, promotionSource, sourceFunctions, environment, service }) => {
          requireApplicable(
            ITEMS.sourceSsm,
            `no SSM item of ${service.id} applies to ${environment.displayName}.`,
          );
          const parameter = ssmParameter(service, promotionSource.environment.id) ?? "";
          const [deployed, functions] = await Promise.all([
            ssmDeployedVersion(promotionSource.aws.ssm, parameter),
            sourceFunctions(),
          ]);
          await settle(
            [
              judgeSsmDeployedVersion(
                parameter,
                deployed,
                functions.map((fn) => fn.state),
              ),
            ],
            "source SSM",
          );
        },
      );
    }
  }
});

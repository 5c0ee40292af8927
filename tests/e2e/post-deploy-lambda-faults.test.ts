/**
 * Faults in what was deployed, each failing the post-deploy suite on its own runbook item and no other:
 * CodeSha256 differing from the source environment, a missing backup alias, ERROR lines in the logs and a
 * deployment that was not recorded (one SIT promotion carries all four); the alias on the wrong version and
 * an alarm in ALARM (one PROD promotion carries both).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { pointAlias, promote, runUnderTraffic } from "./post-deploy-support.ts";
import { assertFailedOn, describeRun, itemsWith, reasonOf, useTestSandbox } from "./support.ts";

describe("post-deploy suite on a sandbox: faults in the deployed bits", { timeout: 480_000 }, () => {
  const sb = useTestSandbox();

  test("SIT: a different CodeSha256 than DEV, no backup alias, ERROR log lines and no deployment record", async () => {
    // Same version, other bytes: the log-errors defect is built into SIT's package only.
    await promote(sb, {
      env: "sit",
      appVersion: "1.6.0",
      fault: { kind: "log-errors" },
      createBackupAlias: false,
      recordDeployment: false,
    });
    // Without a record, the expected version comes from the pipeline, as in CI.
    const run = await runUnderTraffic(sb, { env: "sit", extraEnv: { HARNESS_EXPECTED_VERSION: "1.6.0" } });
    assertFailedOn(run, [
      "tenant-deploy/6.3.2/backup-alias-created",
      "tenant-deploy/6.3.2/code-sha-matches-dev",
      "tenant-deploy/6.3.4/deployment-recorded",
      "tenant-deploy/8.2/no-error-logs-10min",
      "tenant-deploy/9.4/backup-alias-found",
    ]);
    assert.match(reasonOf(run.verdict, "tenant-deploy/6.3.2/code-sha-matches-dev"), /CodeSha256 .* but DEV/);
    assert.match(
      reasonOf(run.verdict, "tenant-deploy/6.3.2/backup-alias-created"),
      /none points at version 3/,
    );
    assert.match(
      reasonOf(run.verdict, "tenant-deploy/6.3.4/deployment-recorded"),
      /no record of .* version 4/,
    );
    assert.match(
      reasonOf(run.verdict, "tenant-deploy/8.2/no-error-logs-10min"),
      /ERROR events? in \/aws\/lambda\//,
    );
    assert.ok(
      itemsWith(run.verdict, "passed").includes("tenant-deploy/6.3.2/alias-updated"),
      describeRun(run),
    );
  });

  test("PROD: the alias left on the previous version, and the errors alarm in ALARM", async () => {
    await promote(sb, { env: "prod", appVersion: "1.7.0", fault: { kind: "alarm-in-alarm" } });
    await pointAlias(sb, "prod", "bbws-tenant-instance-management-prod", "latest-prod", "3");
    const run = await runUnderTraffic(sb, { env: "prod", extraEnv: { HARNESS_EXPECTED_VERSION: "1.7.0" } });
    assertFailedOn(run, [
      "tenant-deploy/7.3.3/alias-updated",
      "tenant-deploy/7.4/alias-latest-prod",
      "tenant-deploy/8.3/errors-alarm-not-fired",
      "tenant-deploy/8.3/no-alarms-in-alarm",
    ]);
    assert.match(
      reasonOf(run.verdict, "tenant-deploy/7.3.3/alias-updated"),
      /points at version 3 \(app 1\.4\.0\), not the expected app version 1\.7\.0/,
    );
    assert.match(
      reasonOf(run.verdict, "tenant-deploy/8.3/no-alarms-in-alarm"),
      /bbws-tenant-instance-management-prod-errors/,
    );
  });
});

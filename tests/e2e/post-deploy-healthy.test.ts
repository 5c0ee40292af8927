/**
 * The post-deploy suite end to end against the sandbox: a healthy DEV -> SIT promotion passes, and a window
 * without traffic (and without the window's own synthetic traffic) is inconclusive (exit 3), never a pass.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { promote, runUnderTraffic } from "./post-deploy-support.ts";
import { assertEachItem, describeRun, itemsWith, reasonOf, runSuite, useTestSandbox } from "./support.ts";

describe("post-deploy suite on a sandbox: healthy and no data", { timeout: 480_000 }, () => {
  const sb = useTestSandbox();

  test("no datapoints in the window: the metric checks are inconclusive, exit 3, never a pass", async () => {
    await promote(sb, { env: "sit", appVersion: "1.5.0" });
    // Only the metric tests: the health invoke would itself be traffic. The window's own synthetic traffic is
    // off: nothing invokes the function while it is watched.
    const run = await runSuite(sb, {
      env: "sit",
      suite: "post-deploy",
      grep: "Monitoring window|CloudWatch metrics",
      extraEnv: { HARNESS_SIT_MONITORING_SYNTHETIC_PER_MINUTE: "0" },
    });
    assert.equal(run.code, 3, describeRun(run));
    assert.equal(run.verdict?.outcome, "inconclusive");
    // The account guard (2.1) runs before every suite and passes; no post-deploy item may.
    const passed = itemsWith(run.verdict, "passed").filter(
      (id) => id !== "tenant-deploy/2.1/aws-account-access",
    );
    assert.deepEqual(passed, [], "nothing passes without data");
    assert.deepEqual(itemsWith(run.verdict, "failed"), []);
    assert.ok(
      itemsWith(run.verdict, "inconclusive").includes("tenant-deploy/6.3.3/monitor-immediate-errors"),
      describeRun(run),
    );
    assert.ok(
      itemsWith(run.verdict, "inconclusive").includes("tenant-deploy/8.1/errors-5min"),
      describeRun(run),
    );
    // The reason says why nobody sent traffic.
    assert.match(
      reasonOf(run.verdict, "tenant-deploy/6.3.3/monitor-immediate-errors"),
      /Synthetic traffic: none \(synthetic traffic is off \(syntheticPerMinute 0\)\)/,
    );
  });

  test("a healthy promotion under steady traffic passes: npm run verify -- --env sit --suite post-deploy --sandbox", async () => {
    await promote(sb, { env: "sit", appVersion: "1.6.0" });
    const run = await runUnderTraffic(sb, { env: "sit" });
    assert.equal(run.code, 0, describeRun(run));
    assert.equal(run.verdict?.outcome, "passed");
    // A watch is never silent: a progress line per poll (the e2e window is short), plain off a terminal.
    assert.match(
      run.stdout,
      /^.*monitoring bbws-tenant-instance-management-sit: \d+ of \d+ s, poll \d+, (no threshold crossed|pass: )/m,
    );
    assert.ok(!run.stdout.includes("\u001b["), "no colour codes when stdout is not a TTY");
    assertEachItem(run, { is: "passed" }, [
      "tenant-deploy/6.3.2/alias-updated",
      "tenant-deploy/6.4/alias-latest-sit",
      "tenant-deploy/6.3.2/code-sha-matches-dev",
      "tenant-deploy/6.3.2/backup-alias-created",
      "tenant-deploy/6.3.3/health-check",
      "tenant-deploy/6.3.3/smoke-tests",
      "tenant-deploy/6.3.3/monitor-immediate-errors",
      "tenant-deploy/6.3.4/deployment-recorded",
      "tenant-deploy/8.1/errors-5min",
      "tenant-deploy/8.2/no-error-logs-10min",
      "tenant-deploy/8.3/no-alarms-in-alarm",
      "tenant-deploy/8.3/errors-alarm-not-fired",
      "tenant-deploy/8.4/tables-active",
      "tenant-deploy/8.4/recent-writes-readable",
    ]);
  });
});

/**
 * A quiet sandbox: nothing but the suite invokes the function, so the post-deploy monitoring window drives its
 * own read-only health invokes. A healthy build passes on them, and the verdict says their share; a build whose
 * health check crashes fails the window on them (never inconclusive).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LIVE_SIT_WINDOW, promote, syntheticTrafficOf } from "./post-deploy-support.ts";
import { assertEachItem, describeRun, reasonOf, runSuite, useTestSandbox } from "./support.ts";

const monitorItem = "tenant-deploy/6.3.3/monitor-immediate-errors";

describe("post-deploy suite on a quiet sandbox: the window's own traffic", { timeout: 480_000 }, () => {
  const sb = useTestSandbox();

  test("quiet SIT, default rate: npm run verify -- --env sit --suite post-deploy --sandbox passes, and says the synthetic share", async () => {
    await promote(sb, { env: "sit", appVersion: "1.6.0" });
    const run = await runSuite(sb, { env: "sit", suite: "post-deploy", extraEnv: LIVE_SIT_WINDOW });
    console.log(`quiet SIT post-deploy run: ${(run.ms / 1000).toFixed(1)} s wall time`);
    assert.equal(run.code, 0, describeRun(run));
    assert.equal(run.verdict?.outcome, "passed");
    assertEachItem(run, { is: "passed" }, [
      monitorItem,
      "tenant-deploy/8.1/errors-5min",
      "tenant-deploy/6.3.3/health-check",
    ]);
    const [traffic, ...more] = syntheticTrafficOf(run, monitorItem);
    assert.ok(traffic, `the monitoring test carries its synthetic traffic: ${describeRun(run)}`);
    assert.equal(more.length, 0, "one function");
    console.log(`synthetic traffic of the quiet window: ${JSON.stringify(traffic)}`);
    assert.equal(traffic.functionName, "bbws-tenant-instance-management-sit");
    assert.equal(traffic.ratePerMinute, 30);
    assert.ok(
      traffic.mode === "driven" || traffic.mode === "driven-elsewhere",
      `the window drove traffic: ${traffic.mode}`,
    );
    assert.ok(traffic.synthetic.invocations > 0, JSON.stringify(traffic));
    assert.equal(traffic.synthetic.failed, 0);
    assert.ok(traffic.observedInvocations >= traffic.synthetic.invocations, JSON.stringify(traffic));
    // The suite's own health invokes are the only organic calls; the share the verdict states is the real one.
    assert.equal(
      traffic.syntheticPercent,
      Math.round((1000 * traffic.synthetic.invocations) / traffic.observedInvocations) / 10,
      JSON.stringify(traffic),
    );
    // The metric items passed on the same traffic and carry the same evidence.
    assert.ok(syntheticTrafficOf(run, "tenant-deploy/8.1/errors-5min").length === 1, describeRun(run));
  });

  test("quiet SIT, a build whose health check crashes: the window fails on its own synthetic traffic", async () => {
    const fault = { kind: "health-crash" } as const;
    await promote(sb, { env: "sit", appVersion: "1.7.0", fault }, { fault });
    // The window alone: the health invoke test would be traffic of its own (and fails anyway).
    const run = await runSuite(sb, {
      env: "sit",
      suite: "post-deploy",
      grep: "Monitoring window",
      extraEnv: LIVE_SIT_WINDOW,
    });
    assert.equal(run.code, 1, describeRun(run));
    assertEachItem(run, { is: "failed" }, [monitorItem, "tenant-deploy/9.1/errors-in-window-roll-back"]);
    const reason = reasonOf(run.verdict, monitorItem);
    console.log(`health-crash window: ${reason}`);
    assert.match(reason, /errors since the window opened/);
    // The share is of every invocation the window judged: a period that straddles the deployment also holds
    // the previous build's calls (the run before this one), which are not synthetic calls of this window.
    assert.match(
      reason,
      /Synthetic traffic: [1-9]\d* of the \d+ invocations in the window \(\d+(\.\d)?%\) were synthetic/,
    );
    assert.match(reason, /\d+ sent; [1-9]\d* of them failed/);
  });
});

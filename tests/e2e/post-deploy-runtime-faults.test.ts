/**
 * Faults that show at run time, each failing the post-deploy suite on the right runbook item: a crashing
 * health check (and the errors it makes under traffic), throttling, and an access function whose P95
 * latency is more than 3x the previous version's.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { cloudWatchPoll, type MonitorRule, type MonitorTarget, runMonitor } from "../../lib/monitor/index.ts";
import { apiGet, invokeRoute, promote, runUnderTraffic, steadyTraffic } from "./post-deploy-support.ts";
import {
  assertEachItem,
  assertFailedOn,
  describeRun,
  itemsWith,
  reasonOf,
  useTestSandbox,
} from "./support.ts";

describe("post-deploy suite on a sandbox: faults at run time", { timeout: 480_000 }, () => {
  const sb = useTestSandbox();

  test("SIT: a build whose health check crashes fails the health check and, under traffic, the error thresholds", async () => {
    // Promoted as built in DEV, so the code integrity check still holds: the defect is in the code itself.
    const fault = { kind: "health-crash" } as const;
    await promote(sb, { env: "sit", appVersion: "1.6.0", fault }, { fault });
    // Half of the calls crash (GET /health), half succeed (GET /tenants answers 401 without a token).
    // A crash recycles the function's worker, which costs CPU: a modest rate is plenty for 1-minute metrics.
    const run = await runUnderTraffic(sb, { env: "sit" }, { everyMs: 250 });
    assert.equal(run.code, 1, describeRun(run));
    assertEachItem(run, { is: "failed" }, [
      "tenant-deploy/6.3.3/health-check",
      "tenant-deploy/6.3.3/monitor-immediate-errors",
      "tenant-deploy/8.1/errors-5min",
      "tenant-deploy/9.2/error-rate-over-10pct",
    ]);
    assert.match(
      reasonOf(run.verdict, "tenant-deploy/6.3.3/health-check"),
      /failed inside the function \(Unhandled\)/,
    );
    assert.match(
      reasonOf(run.verdict, "tenant-deploy/9.2/error-rate-over-10pct"),
      /error rate reached \d+(\.\d+)?%/,
    );
    // Tenant 9.2's manual triggers, as the person deciding sees them: the measured peak next to each threshold.
    const tables = readdirSync(join(run.runDir, "evidence"), { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith("manual_rollback_triggers.txt"))
      .map((file) => readFileSync(join(run.runDir, "evidence", file), "utf8"));
    assert.equal(tables.length, 3, "each 9.2 trigger's test carries the table");
    assert.match(
      tables[0] ?? "",
      /tenant-deploy\/9\.2\/error-rate-over-10pct .* \d+(\.\d+)?% \(\d+ periods?\)\s+> 10%\s+over/,
    );
    assert.match(tables[0] ?? "", /tenant-deploy\/9\.2\/p99-over-10s .*> 10000 ms\s+within/);
    assert.match(tables[0] ?? "", /the runbook calls for a rollback/);
    // The errors alarm may fire too (the errors are real); what was deployed is not in doubt.
    assertEachItem(run, { isNot: "failed", because: "is not affected by the crash" }, [
      "tenant-deploy/6.3.2/alias-updated",
      "tenant-deploy/6.3.2/code-sha-matches-dev",
      "tenant-deploy/6.3.4/deployment-recorded",
    ]);
  });

  test("PROD: a throttled function (reserved concurrency 0) fails the health check and the monitoring window", async () => {
    await promote(sb, { env: "prod", appVersion: "1.7.0", fault: { kind: "throttling" } });
    const run = await runUnderTraffic(sb, { env: "prod" }, { call: () => apiGet(sb, "prod", "/health") });
    assert.equal(run.code, 1, describeRun(run));
    const failed = itemsWith(run.verdict, "failed");
    assert.ok(failed.includes("tenant-deploy/7.3.4/health-check"), describeRun(run));
    assert.ok(failed.includes("tenant-deploy/7.3.4/error-monitoring-5min"), describeRun(run));
    assert.match(reasonOf(run.verdict, "tenant-deploy/7.3.4/health-check"), /TooManyRequestsException/);
    assert.match(reasonOf(run.verdict, "tenant-deploy/7.3.4/error-monitoring-5min"), /throttles/);
    assertEachItem(run, { isNot: "failed", because: "is not affected by throttling" }, [
      "tenant-deploy/7.3.3/alias-updated",
      "tenant-deploy/7.3.3/code-sha-matches-sit",
      "tenant-deploy/8.2/no-error-logs-10min",
    ]);
  });

  test("PROD access management canary: the new version's errors are judged alone while it gets 10% of the traffic", async () => {
    const functionName = "bbws-access-prod-lambda-roles";
    const deployed = await sb.sandbox.deploy({
      env: "prod",
      service: "access-management",
      appVersion: "1.4.0",
      canaryWeight: 0.1,
      fault: { kind: "health-crash" },
    });
    const canary = deployed.functions.find((f) => f.functionName === functionName);
    assert.ok(canary, "the roles function was deployed");
    // Half of the calls crash on the new version (GET /health); 10% of the traffic reaches it: ~5% overall.
    const traffic = steadyTraffic(
      (n) => invokeRoute(sb, "prod", functionName, "latest-prod", "GET", n % 2 === 0 ? "/health" : "/roles"),
      5,
    );
    // Well above the ~5% the whole function shows, well below the canary's ~50%.
    const rule: MonitorRule = {
      id: "error-rate-over-20pct",
      itemIds: ["tenant-deploy/9.2/error-rate-over-10pct"],
      measure: { kind: "error-rate-percent" },
      failWhen: { comparison: ">", value: 20 },
    };
    const watch = (target: MonitorTarget) =>
      runMonitor({
        poll: cloudWatchPoll({
          client: sb.cloudwatch("prod"),
          target,
          aliasName: "latest-prod",
          startedAt: Date.now(),
          periodSeconds: 60,
        }),
        rules: [rule],
        target,
        windowMs: 4_000,
        intervalMs: 500,
        periodMs: 60_000,
      });
    try {
      // Enough calls in the current 1-minute period before the first poll, and no new period during the window,
      // so the whole function's rate is not read off a handful of calls.
      const intoMinute = Date.now() % 60_000;
      if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute));
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const [whole, alone] = await Promise.all([
        watch({ kind: "function", functionName }),
        watch({ kind: "canary", functionName, version: canary.functionVersion }),
      ]);
      assert.equal(alone.decision.kind, "fail", alone.decision.reason);
      assert.match(alone.decision.reason, /\(canary\)/);
      assert.notEqual(
        whole.decision.kind,
        "fail",
        `the whole function's ~5% stays under 10%: ${whole.decision.reason}`,
      );
    } finally {
      await traffic.stop();
    }
  });

  test("SIT access management: P95 above 3x the previous version's fails the P95 item", async () => {
    // Recorded as promoted from DEV, which only the tenant service's deployment record keeps.
    await promote(sb, {
      env: "sit",
      service: "access-management",
      appVersion: "1.4.0",
      fault: { kind: "slow-endpoint", route: "GET /roles", delayMs: 600 },
    });
    const run = await runUnderTraffic(
      sb,
      { env: "sit", service: "access-management" },
      {
        call: () => invokeRoute(sb, "sit", "bbws-access-sit-lambda-roles", "latest-sit", "GET", "/roles"),
        everyMs: 20,
      },
    );
    assertFailedOn(run, ["access-promotion/5.1/p95-latency-alert"]);
    assert.match(
      reasonOf(run.verdict, "access-promotion/5.1/p95-latency-alert"),
      /bbws-access-sit-lambda-roles: .*p95 Duration \/ baseline .* reached \d+(\.\d+)?x, above the limit of 3x/,
    );
  });
});

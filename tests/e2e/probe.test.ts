/**
 * The scheduled health probe against the sandbox: healthy passes and publishes Failed = 0; an unreachable API,
 * credentials of another account and a crashing health check each exit non-zero, and the failures publish
 * Failed = 1, readable back with GetMetricStatistics as an alarm would read it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { DescribeAlarmsCommand, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { PROBE_NAMESPACE, watchdogAlarmName } from "../../lib/probe/index.ts";
import { runScript, tail, useTestSandbox } from "./support.ts";

describe("npm run probe on the sandbox", { timeout: 300_000 }, () => {
  const box = useTestSandbox();
  const dir = mkdtempSync(join(tmpdir(), "probe-e2e-"));
  const logFile = join(dir, "probe.jsonl");
  after(() => rmSync(dir, { recursive: true, force: true }));

  const probe = (env: Record<string, string> = {}) =>
    runScript(box, "scripts/probe.ts", ["--env", "sit", "--sandbox", "--json", "--log-file", logFile], {
      env,
    });

  /** The highest Failed datapoint of the whole probe in SIT over the last ten minutes. */
  async function failedMax(): Promise<number | undefined> {
    const out = await box.cloudwatch("sit").send(
      new GetMetricStatisticsCommand({
        Namespace: PROBE_NAMESPACE,
        MetricName: "Failed",
        Dimensions: [
          { Name: "Environment", Value: "sit" },
          { Name: "Service", Value: "tenant-instance-management" },
          { Name: "Check", Value: "all" },
        ],
        StartTime: new Date(Date.now() - 600_000),
        EndTime: new Date(Date.now() + 60_000),
        Period: 60,
        Statistics: ["Maximum"],
      }),
    );
    const values = (out.Datapoints ?? []).map((point) => point.Maximum ?? 0);
    return values.length === 0 ? undefined : Math.max(...values);
  }

  test("a healthy environment passes every check (exit 0) and publishes Failed = 0", async () => {
    const run = await probe();
    assert.equal(run.code, 0, tail(run));
    const line = JSON.parse(run.stdout) as { outcome: string; checks: { check: string; status: string }[] };
    assert.equal(line.outcome, "passed");
    assert.deepEqual(line.checks.map((c) => c.check).sort(), [
      "alarms-quiet",
      "api-health",
      "authenticated-read",
      "code-unchanged",
      "health-invoke",
    ]);
    assert.equal(await failedMax(), 0);
    assert.equal(readFileSync(logFile, "utf8").trim().split("\n").length, 1, "one JSON line per run");
  });

  test("an unreachable API is not a pass: exit 3 (no data), Failed = 1", async () => {
    const run = await probe({
      HARNESS_SIT_API_URL: "http://127.0.0.1:9",
      HARNESS_SIT_HTTP_TIMEOUT_MS: "2000",
    });
    assert.equal(run.code, 3, tail(run));
    assert.match(run.stderr, /inconclusive +api-health +api-health could not be read/);
    assert.equal(await failedMax(), 1);
  });

  test("credentials of another account stop the probe before any check (exit 2)", async () => {
    const run = await probe({ HARNESS_SIT_AWS_PROFILE: box.sandbox.endpoints.environments.prod.profile });
    assert.equal(run.code, 2, tail(run));
    assert.match(run.stderr, /account guard failed \(account-mismatch\)/);
  });

  test("the watchdog alarm is OK while probes report and goes to ALARM when they stop (missing data breaching)", async () => {
    const name = watchdogAlarmName("sit", "tenant-instance-management");
    const state = async () =>
      (await box.cloudwatch("sit").send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0]
        ?.StateValue;
    // A 10 s period stands for the runbook's few minutes: the sandbox keeps CloudWatch's real clock.
    const loop = await runScript(box, "scripts/probe.ts", [
      "--env",
      "sit",
      "--sandbox",
      "--ensure-alarm",
      "--alarm-period",
      "10",
      "--every",
      "2s",
      "--count",
      "6",
      "--log-file",
      logFile,
    ]);
    assert.equal(loop.code, 0, tail(loop));
    assert.match(
      loop.stdout,
      new RegExp(`Watchdog: ${name} on ${PROBE_NAMESPACE} Failed .* missing data breaching`),
    );
    assert.equal(await state(), "OK", "probes reported a passing Failed = 0 every 2 s");
    let seen = await state();
    for (let waited = 0; seen !== "ALARM" && waited < 60_000; waited += 1_000) {
      await sleep(1_000);
      seen = await state();
    }
    assert.equal(seen, "ALARM", "no probe reported for a period: the watchdog pages");
  });

  test("a crashing health check fails the probe (exit 1) on health-invoke", async () => {
    await box.sandbox.deploy({ env: "sit", fault: { kind: "health-crash" }, sourceEnvironment: "dev" });
    const run = await probe();
    assert.equal(run.code, 1, tail(run));
    const line = JSON.parse(run.stdout) as { checks: { check: string; status: string }[] };
    assert.equal(line.checks.find((c) => c.check === "health-invoke")?.status, "failed");
    assert.equal(await failedMax(), 1);
  });
});

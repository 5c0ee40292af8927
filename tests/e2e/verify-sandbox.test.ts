/**
 * `npm run verify` end to end against one embedded sandbox (started here, reused by every run through
 * HARNESS_SANDBOX_DIR): a passing smoke run and its reports, a sharded-and-merged run giving the same
 * verdict, the account guard stopping a run with another account's credentials, and no secret anywhere
 * in a run folder, even when checks fail and attach their request logs.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { unzipSync } from "fflate";
import { parseRequestLog } from "../../lib/http/index.ts";
import { findSecretsInTree } from "../../lib/redact/index.ts";
import { createRunId, runDirFor } from "../../lib/run/index.ts";
import { computeReportSha256, readVerdict, type Verdict } from "../../lib/verdict/index.ts";
import { runScript, runSuite, type SuiteRunOptions, smokeToken, tail, useTestSandbox } from "./support.ts";

const HEALTH = "Smoke: health check";

function itemStatuses(verdict: Verdict): [string, string][] {
  return verdict.items.map((item) => [item.id, item.status]);
}

describe("npm run verify against the sandbox", { timeout: 600_000 }, () => {
  const box = useTestSandbox();
  let unsharded: Verdict | undefined;

  /** `npm run verify -- --env dev --suite smoke --sandbox ...` against the test sandbox. */
  const verify = (options: Omit<SuiteRunOptions, "env" | "suite"> = {}) =>
    runSuite(box, { env: "dev", suite: "smoke", ...options });

  test("dev smoke health passes: exit 0, a valid sealed verdict, HTML, JUnit and Allure results", async () => {
    const run = await verify({ grep: HEALTH });
    assert.equal(run.code, 0, tail(run));
    const verdict = readVerdict(join(run.runDir, "verdict.json"));
    assert.deepEqual([verdict.outcome, verdict.exitCode], ["passed", 0]);
    assert.deepEqual(
      [verdict.service, verdict.environment, verdict.suite],
      ["tenant-instance-management", "dev", "smoke"],
    );
    assert.equal(verdict.target, "SANDBOX (embedded, 127.0.0.1)");
    assert.equal(verdict.guard.status, "passed");
    assert.equal(verdict.version?.alias, "latest-dev");
    assert.match(verdict.codeSha256 ?? "", /^[A-Za-z0-9+/]{43}=$/, "the alias's CodeSha256");
    const statuses = Object.fromEntries(itemStatuses(verdict));
    assert.equal(statuses["tenant-deploy/5.1/health-direct-invoke"], "passed");
    assert.equal(statuses["tenant-deploy/5.2/api-health"], "passed");
    assert.equal(
      statuses["tenant-deploy/6.4/health-direct-invoke"],
      undefined,
      "SIT's item is not in a DEV verdict",
    );
    assert.equal(verdict.reportSha256, computeReportSha256(run.runDir), "the verdict seals the report files");
    // The HTML report's header says loudly where it ran: its data is a zip inlined in index.html.
    const html = readFileSync(join(run.runDir, "html", "index.html"), "utf8");
    const inlined = /data:application\/zip;base64,([A-Za-z0-9+/=]+)/.exec(html)?.[1] ?? "";
    const reportJson = unzipSync(Buffer.from(inlined, "base64"))["report.json"];
    assert.ok(reportJson, "the HTML report carries report.json");
    const report = JSON.parse(Buffer.from(reportJson).toString("utf8"));
    assert.match(JSON.stringify(report.options), /TARGET: SANDBOX \(EMBEDDED, 127\.0\.0\.1\)/);
    assert.equal(report.metadata?.target, "SANDBOX (embedded, 127.0.0.1)");
    assert.match(
      readFileSync(join(run.runDir, "junit.xml"), "utf8"),
      /<testcase name="Smoke: health check › 5\.1 Direct Lambda invoke/,
    );
    assert.ok(readdirSync(join(run.runDir, "allure-results")).some((file) => file.endsWith("-result.json")));
    const requests = parseRequestLog(readFileSync(join(run.runDir, "requests.jsonl"), "utf8"));
    assert.ok(
      requests.some(
        (entry) => entry.method === "GET" && entry.url.endsWith("/health") && entry.status === 200,
      ),
    );
    // --grep narrowed the run on purpose: it may pass, but says it is partial.
    assert.match(run.stdout, /Verdict: PASSED \(PARTIAL\) \(exit 0\)/);
    assert.deepEqual(verdict.scope, { complete: false, narrowedBy: [`--grep ${HEALTH}`], shard: null });
    unsharded = verdict;
  });

  test("a 2-shard run merged with npm run merge gives the unsharded run's verdict", async () => {
    assert.ok(unsharded, "needs the unsharded run of the previous test");
    const runId = createRunId("dev", "smoke");
    const shards: Verdict[] = [];
    for (const shard of ["1/2", "2/2"]) {
      const run = await verify({ grep: HEALTH, shard, runId });
      assert.equal(run.code, 0, tail(run));
      const [current, total] = shard.split("/");
      shards.push(readVerdict(join(run.runDir, `verdict.shard-${current}-of-${total}.json`)));
    }
    // Each shard's workers ran the account guard and recorded it: every shard verdict names the version.
    for (const verdict of shards) {
      assert.equal(verdict.guard.status, "passed");
      assert.deepEqual(verdict.version, unsharded.version);
      assert.equal(verdict.codeSha256, unsharded.codeSha256);
    }
    const runDir = runDirFor(runId);
    // Each shard ran a different health test: sharding split the suite.
    const suiteTests = shards.map((verdict) =>
      verdict.items.flatMap((item) =>
        item.tests.filter((t) => t.project === "smoke-dev").map((t) => t.title),
      ),
    );
    assert.equal(suiteTests[0]?.length, 1, JSON.stringify(suiteTests));
    assert.equal(suiteTests[1]?.length, 1, JSON.stringify(suiteTests));
    assert.notDeepEqual(suiteTests[0], suiteTests[1]);
    assert.equal(readdirSync(join(runDir, "blob")).filter((file) => file.endsWith(".zip")).length, 2);

    const merge = await runScript(box, "scripts/merge.ts", ["--run-dir", runDir]);
    assert.equal(merge.code, 0, merge.stdout + merge.stderr);
    assert.match(merge.stdout, /^Verdict: PASSED \(PARTIAL\) \(exit 0\)/m, "merging prints the verdict");
    const merged = readVerdict(join(runDir, "verdict.json"));
    assert.deepEqual(itemStatuses(merged), itemStatuses(unsharded));
    assert.deepEqual(
      merged.items.map((item) => item.tests.length),
      unsharded.items.map((item) => item.tests.length),
      "the guard ran in both shards but counts once",
    );
    assert.deepEqual(
      [merged.outcome, merged.exitCode, merged.codeSha256],
      [unsharded.outcome, 0, unsharded.codeSha256],
    );
    assert.equal(merged.reportSha256, computeReportSha256(runDir));
    // The merge learns the run's context from the shards, not from the machine that merges.
    assert.deepEqual([merged.target, merged.runId], [unsharded.target, runId]);
    assert.ok(existsSync(join(runDir, "html", "index.html")));
  });

  test("the account guard stops DEV's suite run with PROD's credentials: exit 2, both accounts named, no check run", async () => {
    const run = await verify({ grep: HEALTH, extraEnv: { HARNESS_DEV_AWS_PROFILE: "bbws-prod" } });
    assert.equal(run.code, 2, tail(run));
    assert.match(run.stdout, /Guard: {3}FAILED/);
    assert.match(run.stdout, /belong to AWS account 093646564004, but dev is account 536580886816/);
    assert.match(run.stdout, /HARNESS_DEV_AWS_PROFILE/, "says what to do");
    const verdict = readVerdict(join(run.runDir, "verdict.json"));
    assert.deepEqual(verdict.guard, {
      status: "failed",
      kind: "account-mismatch",
      message: verdict.guard.message,
      expectedAccountId: "536580886816",
      actualAccountId: "093646564004",
    });
    const suiteTests = verdict.items.flatMap((item) => item.tests).filter((t) => t.project === "smoke-dev");
    assert.ok(suiteTests.length > 0);
    assert.ok(
      suiteTests.every(
        (t) =>
          t.status === "inconclusive" &&
          t.reason === "skipped: the account guard failed (account-mismatch); no check ran",
      ),
      JSON.stringify(suiteTests),
    );
    const requestLog = join(run.runDir, "requests.jsonl");
    assert.ok(!existsSync(requestLog) || readFileSync(requestLog, "utf8") === "", "no API request was sent");
  });

  test("no password, JWT or AWS secret key reaches any file of a run folder, even with failing checks", async () => {
    const { sandbox } = box;
    // A check that fails and attaches its (authenticated) request log is the hardest case for redaction.
    await sandbox.deploy({
      env: "dev",
      service: "tenant-instance-management",
      appVersion: "9.9.1",
      fault: { kind: "endpoint-5xx", route: "GET /tenants" },
    });
    const run = await verify({ grep: "@probe" });
    assert.equal(run.code, 1, tail(run));

    const jwt = await smokeToken(box, "dev");
    assert.ok(jwt.startsWith("eyJ"));
    const secrets = [
      ...Object.values(sandbox.endpoints.environments).flatMap((env) => [
        env.secretAccessKey,
        env.cognito.smokeUser.password,
      ]),
      jwt,
    ];

    // The run did send authenticated requests, and recorded them as evidence of the failure.
    const requests = parseRequestLog(readFileSync(join(run.runDir, "requests.jsonl"), "utf8"));
    const authenticated = requests.filter((entry) => entry.auth === "token" && entry.status !== null);
    assert.ok(authenticated.length > 0, "the probe sent authenticated requests");
    assert.ok(authenticated.every((entry) => entry.requestHeaders.authorization === "[REDACTED]"));
    const verdict = readVerdict(join(run.runDir, "verdict.json"));
    const evidence = verdict.items
      .flatMap((item) => item.evidence)
      .filter((file) => file.includes("api-requests"));
    assert.ok(evidence.length > 0, "a failing check attached its request log");

    // Every file, recursively, with zips (and the HTML report's embedded zip) unpacked.
    assert.deepEqual(findSecretsInTree(run.runDir, secrets), []);
    for (const text of [run.stdout, run.stderr]) {
      for (const secret of secrets) assert.ok(!text.includes(secret), "a secret reached the console");
    }
  });
});

/**
 * Honest results against one sandbox: a half-run sharded suite is refused, a check that does not apply is
 * skipped with its reason, exit code, verdict and printed word agree (interrupted, wrong account with and
 * without `verify`), overrides are honoured and labelled or refused, `--item` runs exactly its tests, and
 * `--json` prints a verdict a script can parse.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createRunId, RUN_LAYOUT, runDirFor, sandboxChildEnv } from "../../lib/run/index.ts";
import { isVerdictUsable, readVerdict, type Verdict, VerdictSchema } from "../../lib/verdict/index.ts";
import { environments } from "../../runbooks/index.ts";
import {
  childEnv,
  repoRoot,
  runCommand,
  runScript,
  runSuite,
  runVerify,
  tail,
  useTestSandbox,
} from "./support.ts";

const box = useTestSandbox();

/** The printed headline must carry the verdict's word and exit code, and the process must exit with it. */
function assertAgree(
  run: { code: number | null; stdout: string },
  verdict: Verdict | null,
  word: string,
  code: number,
) {
  assert.ok(verdict, `no verdict.json\n${run.stdout}`);
  assert.equal(run.code, code, run.stdout);
  assert.equal(verdict.exitCode, code);
  assert.match(run.stdout, new RegExp(`^Verdict: ${word.replace(/[()]/g, "\\$&")} \\(exit ${code}\\)`, "m"));
}

describe("honest results and the verify command line", () => {
  test("a sharded run merged with one shard missing is inconclusive and no promotion accepts it", async () => {
    const runId = createRunId("dev", "shards");
    const first = await runSuite(box, { env: "dev", suite: "smoke", shard: "1/2", runId });
    assert.equal(first.code, 0, tail(first));
    const shard = readVerdict(join(first.runDir, "verdict.shard-1-of-2.json"));
    assert.deepEqual([shard.outcome, shard.scope.complete, shard.scope.shard], ["passed", false, "1/2"]);
    assert.match(first.stdout, /^Verdict: PASSED \(PARTIAL\) \(exit 0\)/m);
    assert.match(first.stdout, /npm run merge -- --run-id /);
    const usable = isVerdictUsable(
      { ...shard, reportSha256: "x" },
      {
        service: shard.service,
        env: "dev",
        suite: "smoke",
        codeSha256: shard.codeSha256 ?? "",
        maxAgeMs: 3_600_000,
      },
    );
    assert.equal(usable.usable, false);
    assert.match(usable.usable ? "" : usable.reason, /partial \(shard 1\/2\)/);

    const half = await runScript(box, "scripts/merge.ts", ["--run-id", runId]);
    const merged = readVerdict(join(first.runDir, "verdict.json"));
    assertAgree(half, merged, "INCONCLUSIVE", 3);
    assert.match(merged.reasons.join("\n"), /shard\(s\) 2\/2 of this run did not report/);
    assert.ok(merged.notCovered.length > 0);

    const second = await runSuite(box, { env: "dev", suite: "smoke", shard: "2/2", runId });
    assert.equal(second.code, 0, tail(second));
    const whole = await runScript(box, "scripts/merge.ts", ["--run-id", runId]);
    const complete = readVerdict(join(first.runDir, "verdict.json"));
    assertAgree(whole, complete, "PASSED", 0);
    assert.deepEqual([complete.scope.complete, complete.notCovered], [true, []]);
  });

  test("a check that does not apply (DEV has no source environment) is not-applicable, never passed", async () => {
    const run = await runSuite(box, {
      env: "dev",
      suite: "post-deploy",
      items: ["tenant-deploy/6.3.2", "tenant-deploy/4.3"],
    });
    assertAgree(run, run.verdict, "PASSED (PARTIAL)", 0);
    const tests = [
      ...(run.verdict?.items.flatMap((item) => item.tests) ?? []),
      ...(run.verdict?.untracedTests ?? []),
    ];
    const sha = tests.find((t) => t.title.includes("CodeSha256 matches the source environment's"));
    assert.equal(sha?.status, "not-applicable", JSON.stringify(tests, null, 2));
    assert.match(sha?.reason ?? "", /not promoted from another environment/);
    assert.equal(run.verdict?.counts.testsByStatus.notApplicable, 1);
    assert.match(run.stdout, /^Tests: +\d+: \d+ passed, .* 1 not-applicable$/m);
    // The console and the JUnit report show it as skipped, not as a pass.
    assert.doesNotMatch(run.stdout, /✓ .*CodeSha256 matches the source environment's/);
    const junit = readFileSync(join(run.runDir, RUN_LAYOUT.junit), "utf8");
    const testcase =
      /<testcase name="[^"]*CodeSha256 matches the source environment&apos;s"[\s\S]*?<\/testcase>/.exec(
        junit,
      );
    assert.match(testcase?.[0] ?? "(no testcase)", /<skipped/);
  });

  test("--item runs exactly the tests that verify the item or section", async () => {
    const run = await runSuite(box, { env: "dev", suite: "smoke", items: ["tenant-deploy/5.1"] });
    assertAgree(run, run.verdict, "PASSED (PARTIAL)", 0);
    const verdict = run.verdict as Verdict;
    assert.deepEqual(verdict.scope.narrowedBy, ["--item tenant-deploy/5.1"]);
    assert.ok(verdict.items.length > 0);
    for (const item of verdict.items) assert.match(item.id, /^tenant-deploy\/5\.1\//);
    assert.deepEqual(verdict.untracedTests, []);
    assert.ok(verdict.counts.tests < 10, `only the 5.1 tests run, not ${verdict.counts.tests}`);

    const unknown = await runSuite(box, { env: "dev", suite: "smoke", items: ["tenant-deploy/5.9"] });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--item tenant-deploy\/5\.9: no runbook item or section has this id/);
    assert.doesNotMatch(unknown.stderr, /\n\s+at /, "no stack trace");
  });

  test("--json prints the verdict on stdout for JSON.parse; a usage error prints one parseable line too", async () => {
    const run = await runSuite(box, {
      env: "dev",
      suite: "smoke",
      items: ["tenant-deploy/5.1"],
      args: ["--json"],
    });
    assert.equal(run.code, 0, tail(run));
    const printed = VerdictSchema.parse(JSON.parse(run.stdout));
    assert.deepEqual(printed, run.verdict);
    assert.match(run.stderr, /Verdict: PASSED \(PARTIAL\) \(exit 0\)/);

    const bad = await runVerify(box, ["--env", "qa", "--suite", "smoke", "--json"]);
    assert.equal(bad.code, 2);
    const line = JSON.parse(bad.stdout) as { outcome: string; exitCode: number };
    assert.deepEqual([line.outcome, line.exitCode], ["error", 2]);
  });

  test("an API override is honoured and labelled, and one a sandbox run cannot honour is refused", async () => {
    const dead = await runSuite(box, {
      env: "sit",
      suite: "smoke",
      items: ["tenant-deploy/5.2"],
      extraEnv: { HARNESS_SIT_API_URL: "http://127.0.0.1:9", HARNESS_SIT_HTTP_TIMEOUT_MS: "2000" },
    });
    assert.ok(dead.verdict, tail(dead));
    assert.notEqual(dead.verdict.outcome, "passed", "nothing answers on port 9: the run cannot pass");
    assert.equal(dead.code, dead.verdict.exitCode);
    assert.match(dead.verdict.target, /^SANDBOX .*; API http:\/\/127\.0\.0\.1:9 \(HARNESS_SIT_API_URL\)$/);
    assert.match(dead.stdout, /calling the API at http:\/\/127\.0\.0\.1:9 \(HARNESS_SIT_API_URL\)/);

    const front = box.sandbox.endpoints.environments.sit.apiUrl;
    const flagged = await runSuite(box, {
      env: "sit",
      suite: "smoke",
      items: ["tenant-deploy/5.2"],
      args: ["--api-url", front],
    });
    assertAgree(flagged, flagged.verdict, "PASSED (PARTIAL)", 0);
    assert.match(flagged.verdict?.target ?? "", new RegExp(`; API ${front} \\(--api-url\\)$`));
    // Every report carries the same target line: the verdict above, Allure's environment info here.
    const allureEnv = readFileSync(join(flagged.runDir, RUN_LAYOUT.allure, "environment.properties"), "utf8");
    assert.ok(allureEnv.includes(`; API ${front} (--api-url)`), allureEnv);

    const pool = await runSuite(box, {
      env: "sit",
      suite: "smoke",
      extraEnv: { HARNESS_SIT_COGNITO_USER_POOL_ID: "eu-west-1_Elsewhere1" },
    });
    assert.equal(pool.code, 2);
    assert.match(
      pool.stderr,
      /HARNESS_SIT_COGNITO_USER_POOL_ID=eu-west-1_Elsewhere1: a sandbox run signs in/,
    );
    assert.equal(existsSync(pool.runDir), false, "nothing ran, so no run folder");
  });

  test("credentials of the wrong account: ERROR (exit 2) from verify and from plain Playwright alike", async () => {
    const prodProfile = box.sandbox.endpoints.environments.prod.profile;
    const run = await runSuite(box, {
      env: "dev",
      suite: "smoke",
      extraEnv: { HARNESS_DEV_AWS_PROFILE: prodProfile },
    });
    assertAgree(run, run.verdict, "ERROR", 2);
    assert.equal(run.verdict?.outcome, "error");
    assert.equal(run.verdict?.guard.kind, "account-mismatch");

    const runId = createRunId("dev", "direct");
    const runDir = runDirFor(runId);
    box.runDirs.push(runDir);
    const env = {
      ...sandboxChildEnv(box.sandbox.endpoints, environments, childEnv()),
      HARNESS_DEV_AWS_PROFILE: prodProfile,
      HARNESS_RUN_ID: runId,
      FORCE_COLOR: "0",
    };
    const cli = join(repoRoot, "node_modules", "@playwright", "test", "cli.js");
    const direct = await runCommand(process.execPath, [cli, "test", "--project", "smoke-dev"], env);
    const verdict = readVerdict(join(runDir, RUN_LAYOUT.verdict));
    assertAgree(direct, verdict, "ERROR", 2);
  });

  test("Ctrl-C: verify exits 130, the verdict says interrupted (130) and so does the printed word", async () => {
    await box.sandbox.setApiLatency(300);
    try {
      let pid = 0;
      const runId = createRunId("dev", "sigint");
      const requests = join(runDirFor(runId), RUN_LAYOUT.requests);
      const running = runSuite(box, {
        env: "dev",
        suite: "smoke",
        runId,
        onSpawn: (p) => {
          pid = p;
        },
      });
      for (let waited = 0; !existsSync(requests) && waited < 60_000; waited += 100) await sleep(100);
      assert.ok(existsSync(requests), "the run never sent a request");
      process.kill(-pid, "SIGINT");
      const run = await running;
      assertAgree(run, run.verdict, "INTERRUPTED", 130);
      assert.equal(run.verdict?.outcome, "interrupted");
    } finally {
      await box.sandbox.setApiLatency(0);
    }
  });
});

/**
 * The smoke suite against a healthy sandbox build: DEV runs everything and covers all 27 operations,
 * PROD runs the read-only subset and sends no mutating request, and the runbook's own 5.4 script passes.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { COVERAGE_FILE, type CoverageReport, operationIds } from "../../lib/contract/index.ts";
import {
  repoRoot,
  requestLog,
  runCommand,
  runScript,
  runSmoke,
  SweepReportSchema,
  smokeToken,
  startTestSandbox,
  type TestSandbox,
  tail,
} from "./smoke-support.ts";

// The three checks are independent (DEV, PROD, a shell script), so they run at the same time.
describe("smoke suite on a healthy build", { timeout: 300_000, concurrency: true }, () => {
  let sandbox: TestSandbox;
  before(async () => {
    sandbox = await startTestSandbox();
  });
  after(async () => {
    await sandbox?.close();
  });

  test("verify --env dev --suite smoke --sandbox passes with all 27 operations covered", async () => {
    const run = await runSmoke(sandbox, { env: "dev" });
    assert.equal(run.code, 0, tail(run));
    assert.equal(run.verdict?.outcome, "passed");
    assert.equal(run.verdict?.counts.failed, 0);
    const coverage: CoverageReport = JSON.parse(readFileSync(join(run.runDir, COVERAGE_FILE), "utf8"));
    assert.deepEqual(coverage.uncovered, [], `not exercised: ${coverage.uncovered.join(", ")}`);
    assert.equal(coverage.covered, 27);
    for (const row of coverage.operations) {
      assert.ok(row.exercisedBy.length > 0, `${row.id} has no test`);
      assert.ok(operationIds.includes(row.id));
    }
    // Teardown removed what the run created: the sweeper finds nothing of it left.
    const created = requestLog(run.runDir).filter(
      (entry) =>
        entry.method === "POST" && new URL(entry.url).pathname === "/tenants" && entry.status === 201,
    );
    assert.ok(created.length >= 5, `only ${created.length} tenants were created`);
    const sweep = await runScript(
      "scripts/sweep.ts",
      ["--env", "dev", "--older-than", "0", "--sandbox", "--dry-run", "--json"],
      {
        stateDir: sandbox.stateDir,
      },
    );
    assert.equal(sweep.code, 0, tail(sweep));
    const found = SweepReportSchema.parse(JSON.parse(sweep.stdout)).found;
    assert.deepEqual(
      found,
      { tenants: [], instances: [], invitations: [] },
      "teardown left test data behind",
    );
  });

  test("verify --env prod runs the read-only subset and sends zero mutating requests", async () => {
    const run = await runSmoke(sandbox, { env: "prod" });
    assert.equal(run.code, 0, tail(run));
    assert.equal(run.verdict?.outcome, "passed");
    // The mutating tests are reported, each skipped with the policy's reason (items of DEV/SIT only drop out).
    const junit = readFileSync(join(run.runDir, "junit.xml"), "utf8");
    const skipped = junit.match(/<property name="skipped-by-policy" value="PROD is read-only[^"]*"/g) ?? [];
    assert.ok(skipped.length >= 10, `${skipped.length} tests reported skipped-by-policy`);
    const entries = requestLog(run.runDir);
    assert.ok(entries.length > 5, "the read-only checks sent requests");
    const mutating = entries.filter((entry) => entry.method !== "GET" && entry.method !== "HEAD");
    assert.deepEqual(
      mutating.map((entry) => `${entry.method} ${entry.url} (${entry.test})`),
      [],
      "PROD received mutating requests",
    );
  });

  test("the runbook's 5.4 smoke script passes against the sandbox's API URL with a token", async () => {
    const token = await smokeToken(sandbox.sandbox, "dev");
    const script = join(repoRoot, "scripts/runbook-smoke-test.sh");
    const env = { PATH: process.env.PATH ?? "", API_URL: sandbox.sandbox.endpoints.environments.dev.apiUrl };
    // Asynchronous on purpose: the sandbox serves from this process, so a blocking spawn would starve it.
    const withToken = await runCommand("bash", [script], { ...env, COGNITO_TOKEN: token });
    assert.equal(withToken.code, 0, withToken.stderr);
    assert.match(withToken.stdout, /Health check\.\.\. PASS/);
    assert.match(withToken.stdout, /List tenants\.\.\. PASS/);
    assert.doesNotMatch(withToken.stdout, /FAIL/);
    // With a forged token the API refuses the list, and the script says so.
    const forged = await runCommand("bash", [script], { ...env, COGNITO_TOKEN: "forged" });
    assert.match(forged.stdout, /List tenants\.\.\. FAIL \(HTTP 401\)/);
  });
});

/**
 * The smoke suite on one sandbox, end to end:
 * - a healthy build: DEV runs everything and covers all 27 operations, PROD runs the read-only subset
 *   and sends no mutating request, and the runbook's own 5.4 script passes (all three at once);
 * - owned test data: five DEV runs (the full one above and four more, one SIGKILLed mid-suite so its
 *   teardown never runs), then `npm run sweep`: no test tenant, instance or invitation is left, and
 *   the seeded tenants are untouched.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import {
  COVERAGE_FILE,
  type CoverageReport,
  operationIds,
  TenantPageSchema,
} from "../../lib/contract/index.ts";
import { createRunId, runDirFor } from "../../lib/run/index.ts";
import {
  type CommandResult,
  repoRoot,
  requestLog,
  runCommand,
  runScript,
  runSuite,
  smokeToken,
  tail,
  useTestSandbox,
  type VerifyRun,
} from "./support.ts";

// Two tests that between them create tenants, instances, backups and invitations: data of every kind.
const CREATING = "a restored instance|resend and cancel an invitation";
// One worker per run: five runs share this machine's two cores with the sandbox.
const ONE_WORKER = { HARNESS_WORKERS: "1" };

const IdBodySchema = z.object({ id: z.string() });

const IdListsSchema = z.object({
  tenants: z.array(z.string()),
  instances: z.array(z.string()),
  invitations: z.array(z.string()),
});

/** The part of `sweep --json` output the tests read. */
const SweepReportSchema = z.object({
  found: IdListsSchema,
  removed: IdListsSchema,
  failed: z.array(z.object({ kind: z.string(), id: z.string(), reason: z.string() })),
});

/** Ids the runs created (201 answers to POST), by kind, read from their request logs. */
function createdIds(runDirs: string[]): {
  tenants: Set<string>;
  instances: Set<string>;
  invitations: Set<string>;
} {
  const out = { tenants: new Set<string>(), instances: new Set<string>(), invitations: new Set<string>() };
  for (const runDir of runDirs) {
    for (const entry of requestLog(runDir)) {
      if (entry.method !== "POST" || entry.status !== 201) continue;
      const body = IdBodySchema.safeParse(JSON.parse(entry.responseBody ?? "null"));
      if (!body.success) continue;
      const path = new URL(entry.url).pathname;
      if (path === "/tenants") out.tenants.add(body.data.id);
      else if (/^\/tenants\/[^/]+\/instances$/.test(path)) out.instances.add(body.data.id);
      else if (path === "/invitations") out.invitations.add(body.data.id);
    }
  }
  return out;
}

describe("smoke suite on the sandbox", { timeout: 600_000 }, () => {
  const sandbox = useTestSandbox();
  let devRun: VerifyRun | undefined;
  let api: (path: string) => Promise<{ status: number; body: unknown }>;
  /** `npm run sweep -- --env dev <args> --sandbox --json` against the test sandbox. */
  const sweep = (args: string[]): Promise<CommandResult> =>
    runScript(sandbox, "scripts/sweep.ts", ["--env", "dev", ...args, "--sandbox", "--json"]);
  before(async () => {
    const token = await smokeToken(sandbox, "dev");
    const base = sandbox.sandbox.endpoints.environments.dev.apiUrl;
    api = async (path) => {
      const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const text = await response.text();
      return { status: response.status, body: text === "" ? null : JSON.parse(text) };
    };
  });

  // Independent checks (DEV, PROD, a shell script): they run at the same time.
  describe("a healthy build", { concurrency: true }, () => {
    test("verify --env dev --suite smoke --sandbox passes with all 27 operations covered", async () => {
      const run = await runSuite(sandbox, { env: "dev", suite: "smoke" });
      devRun = run;
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
      const dryRun = await sweep(["--older-than", "0", "--dry-run"]);
      assert.equal(dryRun.code, 0, tail(dryRun));
      const found = SweepReportSchema.parse(JSON.parse(dryRun.stdout)).found;
      assert.deepEqual(
        found,
        { tenants: [], instances: [], invitations: [] },
        "teardown left test data behind",
      );
    });

    test("verify --env prod runs the read-only subset and sends zero mutating requests", async () => {
      const run = await runSuite(sandbox, { env: "prod", suite: "smoke" });
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
      const token = await smokeToken(sandbox, "dev");
      const script = join(repoRoot, "scripts/runbook-smoke-test.sh");
      const env = {
        PATH: process.env.PATH ?? "",
        API_URL: sandbox.sandbox.endpoints.environments.dev.apiUrl,
      };
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

  describe("owned test data", () => {
    async function seededTenants(): Promise<string[]> {
      const page = TenantPageSchema.parse((await api("/tenants?limit=100")).body);
      return page.items
        .filter((tenant) => tenant.tags.seed === "true" && tenant.status === "active")
        .map((t) => t.id);
    }

    /** Starts a full smoke run and SIGKILLs its whole process group once it has created test data. */
    async function killedRun(): Promise<VerifyRun> {
      let group: number | undefined;
      let killed = false;
      const runId = createRunId("dev", "smoke");
      const running = runSuite(sandbox, {
        env: "dev",
        suite: "smoke",
        grep: `${CREATING}|set parents`,
        runId,
        extraEnv: ONE_WORKER,
        onSpawn: (pid) => {
          group = pid;
        },
      });
      const runDir = runDirFor(runId);
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline && !killed) {
        const created = requestLog(runDir).filter((entry) => entry.method === "POST" && entry.status === 201);
        if (created.length >= 4 && group !== undefined) {
          process.kill(-group, "SIGKILL");
          killed = true;
        }
        await sleep(50);
      }
      const run = await running;
      assert.ok(killed, `the run ended before it could be killed mid-suite:\n${tail(run)}`);
      assert.equal(run.signal, "SIGKILL");
      return run;
    }

    test("five runs, one killed mid-suite, then sweep: nothing of the runs is left, seed data untouched", async () => {
      const seededBefore = await seededTenants();
      assert.ok(seededBefore.length > 0, "the sandbox seeds tenants");

      // The full DEV run above is the first of the five.
      assert.equal(devRun?.code, 0, "the first run (the full DEV suite) passed");
      const normal = () =>
        runSuite(sandbox, { env: "dev", suite: "smoke", grep: CREATING, extraEnv: ONE_WORKER });
      const [killed, third, fourth, fifth] = await Promise.all([killedRun(), normal(), normal(), normal()]);
      for (const run of [third, fourth, fifth]) assert.equal(run.code, 0, tail(run));
      assert.equal(killed.verdict, null, "a killed run writes no verdict");

      const dryRun = await sweep(["--older-than", "0", "--dry-run"]);
      assert.equal(dryRun.code, 0, tail(dryRun));
      const leftovers = SweepReportSchema.parse(JSON.parse(dryRun.stdout)).found;
      assert.ok(
        leftovers.tenants.length > 0,
        "the killed run left tenants behind (else this test proves nothing)",
      );

      const tooYoung = await sweep([]);
      assert.equal(tooYoung.code, 0, tail(tooYoung));
      assert.deepEqual(
        SweepReportSchema.parse(JSON.parse(tooYoung.stdout)).found.tenants,
        [],
        "the default 30m age spares fresh runs",
      );

      const swept = await sweep(["--older-than", "0"]);
      assert.equal(swept.code, 0, tail(swept));
      const report = SweepReportSchema.parse(JSON.parse(swept.stdout));
      assert.deepEqual(report.failed, []);
      assert.deepEqual(report.removed, report.found);
      assert.ok(report.found.tenants.length >= leftovers.tenants.length);

      // Independently of the sweeper's own listing: every tenant, instance and invitation any run created is gone.
      const created = createdIds(sandbox.runDirs);
      assert.ok(created.tenants.size >= 8 && created.instances.size >= 4 && created.invitations.size >= 4);
      for (const id of created.tenants) {
        const tenant = await api(`/tenants/${id}`);
        assert.ok(
          tenant.status === 404 || z.object({ status: z.literal("deleted") }).safeParse(tenant.body).success,
          `tenant ${id} is left: ${JSON.stringify(tenant.body)}`,
        );
      }
      for (const id of created.instances) {
        assert.equal((await api(`/instances/${id}`)).status, 404, `instance ${id} is left`);
      }
      for (const id of created.invitations) {
        const invitation = await api(`/invitations/${id}`);
        assert.ok(
          invitation.status === 404 ||
            z.object({ status: z.literal("cancelled") }).safeParse(invitation.body).success,
          `invitation ${id} is still pending: ${JSON.stringify(invitation.body)}`,
        );
      }
      assert.deepEqual(
        (await seededTenants()).sort(),
        seededBefore.sort(),
        "the sweep touched seeded tenants",
      );
    });
  });
});

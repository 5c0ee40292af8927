/**
 * The smoke suite on one sandbox, end to end:
 * - a healthy build: DEV runs everything and covers all 27 operations, PROD runs the read-only subset
 *   and sends no mutating request, and the runbook's own 5.4 script passes (all three at once);
 * - owned test data: five DEV runs (the full one above and four more, one SIGKILLed mid-suite so its
 *   teardown never runs), then `npm run sweep`: no test tenant, instance or invitation is left, and
 *   the seeded tenants are untouched.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import {
  COVERAGE_FILE,
  type CoverageReport,
  operationIds,
  TenantPageSchema,
} from "../../lib/contract/index.ts";
import { RUN_LAYOUT } from "../../lib/run/index.ts";
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
  type VerifyRun,
} from "./smoke-support.ts";

// Two tests that between them create tenants, instances, backups and invitations: data of every kind.
const CREATING = "a restored instance|resend and cancel an invitation";
// One worker per run: five runs share this machine's two cores with the sandbox.
const ONE_WORKER = { HARNESS_WORKERS: "1" };

const IdBodySchema = z.object({ id: z.string() });

/** Ids the runs created (201 answers to POST), by kind, read from their request logs. */
function createdIds(runDirs: string[]): {
  tenants: Set<string>;
  instances: Set<string>;
  invitations: Set<string>;
} {
  const out = { tenants: new Set<string>(), instances: new Set<string>(), invitations: new Set<string>() };
  for (const runDir of runDirs) {
    const file = join(runDir, RUN_LAYOUT.requests);
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      let entry: unknown;
      try {
        entry = JSON.parse(line);
      } catch {
        continue;
      }
      const parsed = z
        .object({
          method: z.string(),
          url: z.string(),
          status: z.number().nullable(),
          responseBody: z.string().nullable(),
        })
        .safeParse(entry);
      if (!parsed.success || parsed.data.method !== "POST" || parsed.data.status !== 201) continue;
      const body = IdBodySchema.safeParse(JSON.parse(parsed.data.responseBody ?? "null"));
      if (!body.success) continue;
      const path = new URL(parsed.data.url).pathname;
      if (path === "/tenants") out.tenants.add(body.data.id);
      else if (/^\/tenants\/[^/]+\/instances$/.test(path)) out.instances.add(body.data.id);
      else if (path === "/invitations") out.invitations.add(body.data.id);
    }
  }
  return out;
}

describe("smoke suite on the sandbox", { timeout: 600_000 }, () => {
  let sandbox: TestSandbox;
  let devRun: VerifyRun | undefined;
  let api: (path: string) => Promise<{ status: number; body: unknown }>;
  before(async () => {
    sandbox = await startTestSandbox();
    const token = await smokeToken(sandbox.sandbox, "dev");
    const base = sandbox.sandbox.endpoints.environments.dev.apiUrl;
    api = async (path) => {
      const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const text = await response.text();
      return { status: response.status, body: text === "" ? null : JSON.parse(text) };
    };
  });
  after(async () => {
    await sandbox?.close();
  });

  // Independent checks (DEV, PROD, a shell script): they run at the same time.
  describe("a healthy build", { concurrency: true }, () => {
    test("verify --env dev --suite smoke --sandbox passes with all 27 operations covered", async () => {
      const run = await runSmoke(sandbox, { env: "dev" });
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
      const running = runSmoke(sandbox, {
        env: "dev",
        grep: `${CREATING}|set parents`,
        extraEnv: ONE_WORKER,
        onSpawn: (pid) => {
          group = pid;
        },
      });
      const runDir = sandbox.runDirs.at(-1) ?? "";
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
      const normal = () => runSmoke(sandbox, { env: "dev", grep: CREATING, extraEnv: ONE_WORKER });
      const [killed, third, fourth, fifth] = await Promise.all([killedRun(), normal(), normal(), normal()]);
      for (const run of [third, fourth, fifth]) assert.equal(run.code, 0, tail(run));
      assert.equal(killed.verdict, null, "a killed run writes no verdict");

      const dryRun = await runScript(
        "scripts/sweep.ts",
        ["--env", "dev", "--older-than", "0", "--sandbox", "--dry-run", "--json"],
        {
          stateDir: sandbox.stateDir,
        },
      );
      assert.equal(dryRun.code, 0, tail(dryRun));
      const leftovers = SweepReportSchema.parse(JSON.parse(dryRun.stdout)).found;
      assert.ok(
        leftovers.tenants.length > 0,
        "the killed run left tenants behind (else this test proves nothing)",
      );

      const tooYoung = await runScript("scripts/sweep.ts", ["--env", "dev", "--sandbox", "--json"], {
        stateDir: sandbox.stateDir,
      });
      assert.equal(tooYoung.code, 0, tail(tooYoung));
      assert.deepEqual(
        SweepReportSchema.parse(JSON.parse(tooYoung.stdout)).found.tenants,
        [],
        "the default 30m age spares fresh runs",
      );

      const sweep = await runScript(
        "scripts/sweep.ts",
        ["--env", "dev", "--older-than", "0", "--sandbox", "--json"],
        {
          stateDir: sandbox.stateDir,
        },
      );
      assert.equal(sweep.code, 0, tail(sweep));
      const swept = SweepReportSchema.parse(JSON.parse(sweep.stdout));
      assert.deepEqual(swept.failed, []);
      assert.deepEqual(swept.removed, swept.found);
      assert.ok(swept.found.tenants.length >= leftovers.tenants.length);

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

/**
 * The pre-promotion gate end to end on one sandbox: `plan` lists every attestation PROD needs with a command
 * that runs, running them makes `plan` say ready, and `verify --suite pre-promotion` passes for SIT and PROD,
 * both services. Then each fault of the issue makes the gate fail on its own runbook item, and a source with
 * no datapoints is inconclusive (exit 3), never a pass.
 *
 * The source environment's smoke and post-deploy verdicts are written here as verdict files for the bits the
 * source serves (sealed with their report hash, and signed into verdict.dsse.json with a key pair this test
 * makes and the gate is told to trust through HARNESS_VERDICT_TRUSTED_KEYS), so that the gate's reading of them
 * is tested without four more suite runs; the drill runs the real ones.
 */
import assert from "node:assert/strict";
import type { KeyObject } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  createTestSigners,
  signAttestation,
  type TestSigners,
  type UnsignedAttestationRecord,
  writeAttestationRecord,
} from "../../lib/attest/index.ts";
import { readFunctionState } from "../../lib/checks/index.ts";
import { aliasName, functionNames } from "../../lib/config/index.ts";
import {
  combinedCodeSha256,
  computeReportSha256,
  envelopeFileFor,
  type FunctionUnderTest,
  generateVerdictKeyPair,
  loadSigningKey,
  type Verdict,
  VerdictNotSignableError,
  writeVerdictEnvelope,
} from "../../lib/verdict/index.ts";
import { type EnvironmentId, type ServiceId, services } from "../../runbooks/index.ts";
import { verdictWith } from "../unit/verdict-fixture.ts";
import { describeRun, repoRoot, runScript, runSuite, useTestSandbox, type VerifyRun } from "./support.ts";

const TENANT: ServiceId = "tenant-instance-management";
const ACCESS: ServiceId = "access-management";
const evidence = (name: string) => join(repoRoot, "tests", "fixtures-data", "ci-evidence", name);
const INITIATOR = "carol@bbws.example";

type PlanLine = { id: string; state: "auto" | "ready" | "missing"; detail: string; commands: string[] };
type Plan = { ready: boolean; codeSha256: string | null; lines: PlanLine[] };

/** A window of `hours` starting `fromHours` after now, as the policy.maintenanceWindows string. */
function windowFromNow(fromHours: number, hours: number): string {
  const at = (h: number) => {
    const d = new Date(Date.now() + h * 3_600_000);
    return `${String(d.getUTCHours()).padStart(2, "0")}:00`;
  };
  return `${at(fromHours)}-${at(fromHours + hours)}`;
}

describe("pre-promotion gate on a sandbox", { timeout: 600_000 }, () => {
  const sb = useTestSandbox();
  const work = mkdtempSync(join(tmpdir(), "e2e-gate-"));
  const attestations = join(work, "attestations");
  const verdicts = join(work, "verdicts");
  let signers: TestSigners;
  let verdictKey: KeyObject;
  // The gate trusts only this test's verdict key: the verdicts below are signed with it.
  const trust = { HARNESS_VERDICT_TRUSTED_KEYS: join(work, "verdict-keys", "verdict-signing.pub") };

  before(async () => {
    verdictKey = loadSigningKey({
      file: generateVerdictKeyPair(join(work, "verdict-keys")).privateKeyFile,
    }).key;
    signers = await createTestSigners(join(work, "signers"));
    mkdirSync(attestations, { recursive: true });
    mkdirSync(verdicts, { recursive: true });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  /** The gate's inputs, as flags of verify and plan. */
  const gateFlags = (ci = "passing", dir = verdicts) => [
    "--ci-evidence",
    evidence(ci),
    "--verdicts",
    dir,
    "--attestations",
    attestations,
    "--allowed-signers",
    signers.allowedSigners,
    "--initiator",
    INITIATOR,
    "--maintenance-window-confirmed",
  ];
  // The whole day is a window unless a test says otherwise: the healthy runs must not depend on the clock.
  const allDay = { HARNESS_PROD_POLICY_MAINTENANCE_WINDOWS: "00:00-24:00", ...trust };

  async function plan(
    service: ServiceId,
    to: EnvironmentId,
    extra: Record<string, string> = allDay,
    dir = verdicts,
  ) {
    const run = await runScript(
      sb,
      "scripts/plan.ts",
      ["--service", service, "--to", to, "--sandbox", "--json", ...gateFlags("passing", dir)],
      { env: { ...trust, ...extra } },
    );
    assert.ok(run.code === 0 || run.code === 1, `plan exited ${run.code}: ${run.stderr}`);
    return { code: run.code, plan: JSON.parse(run.stdout) as Plan };
  }

  /** The functions the source serves now, as a verdict names them. */
  async function functionsOf(service: ServiceId, env: EnvironmentId): Promise<FunctionUnderTest[]> {
    const alias = aliasName(services[service], env);
    return Promise.all(
      functionNames(services[service], env).map(async (functionName) => {
        const { aliased } = await readFunctionState(sb.lambda(env), functionName, alias);
        const { functionVersion, appVersion, codeSha256 } = aliased;
        return { functionName, alias, functionVersion, appVersion, codeSha256 };
      }),
    );
  }

  /**
   * Passing smoke and post-deploy verdicts of the source for these bits, sealed and signed like a real run's
   * (`sign: false`: unsigned). Bits the source does not serve get one made-up function, and no envelope when
   * they are not a CodeSha256 (such a verdict is refused for its bits first). Returns the verdict files.
   */
  async function writeSourceVerdicts(
    service: ServiceId,
    env: EnvironmentId,
    codeSha256: string,
    change: Partial<Verdict> = {},
    dir = verdicts,
    sign = true,
  ): Promise<string[]> {
    const served = await functionsOf(service, env);
    const functions: FunctionUnderTest[] =
      combinedCodeSha256(served) === codeSha256
        ? served
        : [
            {
              ...(served[0] ?? { functionName: "f", alias: "a", functionVersion: "1", appVersion: "" }),
              codeSha256,
            },
          ];
    const files: string[] = [];
    for (const suite of ["smoke", "post-deploy"] as const) {
      const runDir = join(dir, `${env}-${suite}-${service}-${Math.random().toString(36).slice(2, 8)}`);
      mkdirSync(runDir, { recursive: true });
      writeFileSync(join(runDir, "junit.xml"), "<testsuites/>\n");
      const now = new Date().toISOString();
      const verdict = verdictWith({
        service,
        environment: env,
        suite,
        functions,
        codeSha256,
        startedAt: now,
        endedAt: now,
        reportSha256: computeReportSha256(runDir),
        ...change,
      });
      const file = join(runDir, "verdict.json");
      writeFileSync(file, `${JSON.stringify(verdict, null, 2)}\n`);
      files.push(file);
      if (!sign) continue;
      try {
        writeVerdictEnvelope(file, verdict, verdictKey);
      } catch (error) {
        if (!(error instanceof VerdictNotSignableError)) throw error;
      }
    }
    return files;
  }

  /** Runs every `npm run attest` line the plan prints, signed by people who hold the role (two for approvals). */
  /**
   * Runs every `npm run attest` line the plan prints, signed by people who hold the role (two for approvals):
   * through the CLI, or (`viaCli` false, to keep npm test short) the same signing in this process.
   */
  async function attestEverything(p: Plan, viaCli: boolean) {
    const commands = p.lines
      .flatMap((line) => line.commands)
      .filter((c) => c.startsWith("npm run attest --"));
    assert.ok(commands.length > 0, "the plan lists attest commands");
    for (const command of commands) {
      const args = command.replace(/^npm run attest -- /, "").split(" ");
      const role = args[args.indexOf("--role") + 1] ?? "";
      // The initiator may sign anything but an approval of their own promotion (separation of duties).
      const holders = signers.signers.filter(
        (s) => s.roles.some((r) => r === role) && (role !== "prod-approver" || s.principal !== INITIATOR),
      );
      const people = role === "prod-approver" ? holders.slice(0, 2) : holders.slice(0, 1);
      assert.ok(people.length > 0, `someone holds ${role}`);
      for (const person of people) {
        const filled = args
          .map((arg) => (arg === "<you@bbws.example>" ? person.principal : arg))
          .map((arg) => (arg === "~/.ssh/id_ed25519" ? person.privateKey : arg))
          .map((arg) => (arg === "CHG-<number>" ? "CHG-1001" : arg));
        if (!viaCli) {
          const flag = (name: string) => filled[filled.indexOf(name) + 1] ?? "";
          const record = await signAttestation(
            {
              schemaVersion: 2,
              itemId: flag("--item"),
              service: flag("--service") as ServiceId,
              environment: flag("--env") as EnvironmentId,
              codeSha256: p.codeSha256 ?? "",
              principal: person.principal,
              role: role as UnsignedAttestationRecord["role"],
              reference: flag("--reference"),
              attestedAt: new Date().toISOString(),
            },
            person.privateKey,
          );
          writeAttestationRecord(attestations, record);
          continue;
        }
        const run = await runScript(sb, "scripts/attest.ts", [
          ...filled,
          "--sandbox",
          "--dir",
          attestations,
          "--allowed-signers",
          signers.allowedSigners,
        ]);
        assert.equal(run.code, 0, `${filled.join(" ")}\n${run.stdout}\n${run.stderr}`);
      }
    }
  }

  const gate = (
    env: EnvironmentId,
    service: ServiceId,
    options: { ci?: string; extraEnv?: Record<string, string>; items?: string[] } = {},
  ) =>
    runSuite(sb, {
      env,
      suite: "pre-promotion",
      service,
      args: gateFlags(options.ci),
      extraEnv: { ...allDay, ...options.extraEnv },
      ...(options.items ? { items: options.items } : {}),
    });

  const item = (run: VerifyRun, id: string) => run.verdict?.items.find((i) => i.id === id);
  const assertItem = (run: VerifyRun, id: string, status: string, reason?: RegExp) => {
    const found = item(run, id);
    assert.equal(found?.status, status, `${id}\n${describeRun(run)}`);
    if (reason) assert.match(found?.reason ?? "", reason, id);
  };

  test("plan lists what PROD needs; running its attest commands makes it ready; the gate passes for SIT and PROD, both services", async () => {
    // Control for the 1 h error gate: 10 errors 2 h ago are outside its window.
    await sb.sandbox.seed("dev", [
      {
        kind: "metric",
        functionName: "bbws-tenant-instance-management-dev",
        metric: "Errors",
        value: 10,
        minutesAgo: 120,
      },
    ]);
    // Access: DEV gets a newer build than SIT's, running for 26 h, as a promotion into SIT needs.
    await sb.sandbox.deploy({ env: "dev", service: ACCESS, appVersion: "1.4.0" });
    await sb.sandbox.seed(
      "dev",
      ["authorizer", "roles", "audit"].map((fn) => ({
        kind: "deployment-age" as const,
        functionName: `bbws-access-dev-lambda-${fn}`,
        hoursAgo: 26,
      })),
    );

    const fresh = await plan(TENANT, "prod");
    assert.equal(fresh.code, 1);
    assert.equal(fresh.plan.ready, false);
    const missing = fresh.plan.lines.filter((line) => line.state === "missing").map((line) => line.id);
    for (const id of [
      "tenant-deploy/7.1/change-request-approved",
      "tenant-deploy/7.1/on-call-notified",
      "tenant-deploy/7.2/environment-approvals",
      "tenant-deploy/7.1/sit-verdicts-pass",
    ]) {
      assert.ok(missing.includes(id), `${id} is missing on a fresh sandbox`);
    }
    assert.ok(fresh.plan.codeSha256, "the plan read SIT's bits");

    // The four promotions share nothing but the sandbox: they run side by side (their runs mostly wait).
    const pairs = [
      [TENANT, "sit"],
      [TENANT, "prod"],
      [ACCESS, "sit"],
      [ACCESS, "prod"],
    ] as const;
    await Promise.all(
      pairs.map(async ([service, to]) => {
        const before = await plan(service, to);
        const source = to === "sit" ? "dev" : "sit";
        await writeSourceVerdicts(service, source, before.plan.codeSha256 ?? "");
        // The CLI for PROD's tenant promotion (the "running those commands makes plan say ready").
        const viaCli = service === TENANT && to === "prod";
        await attestEverything(before.plan, viaCli);
        if (viaCli) {
          const ready = await plan(service, to);
          assert.deepEqual(
            ready.plan.lines
              .filter((line) => line.state === "missing")
              .map((line) => `${line.id}: ${line.detail}`),
            [],
            `${service} into ${to}`,
          );
          assert.equal(ready.code, 0);
        }

        const run = await gate(to, service);
        assert.equal(run.code, 0, describeRun(run));
        assert.equal(run.verdict?.outcome, "passed");
        assert.equal(run.verdict?.codeSha256, before.plan.codeSha256, "the verdict binds the source's bits");
        assert.ok((run.verdict?.counts.attested ?? 0) > 0);
        if (service === TENANT && to === "sit")
          assertItem(run, "tenant-deploy/6.3.1/dev-errors-1h", "passed");
        if (service === TENANT && to === "prod") {
          const approvals = item(run, "tenant-deploy/7.2/environment-approvals");
          assert.equal(approvals?.approvals?.length, 2, "two approvers are recorded");
        }
      }),
    );
  });

  test("DEV faults fail the SIT gate on their own items: 10 errors in 1 h, an ERROR line, an alarm, a failed verdict, coverage 79.9%", async () => {
    const fn = "bbws-tenant-instance-management-dev";
    await sb.sandbox.seed("dev", [
      { kind: "metric", functionName: fn, metric: "Errors", value: 10, minutesAgo: 30 },
      {
        kind: "log",
        functionName: fn,
        level: "ERROR",
        message: "ERROR tenant lookup failed",
        minutesAgo: 10,
      },
      { kind: "alarm-state", alarmName: `${fn}-errors`, state: "ALARM", hold: true },
    ]);
    const bits = (await plan(TENANT, "sit")).plan.codeSha256 ?? "";
    const failedVerdicts = join(work, "verdicts-failed");
    await writeSourceVerdicts(
      TENANT,
      "dev",
      bits,
      { outcome: "failed", exitCode: 1, reasons: ["tenant-deploy/5.2/api-health: failed"] },
      failedVerdicts,
    );
    const run = await runSuite(sb, {
      env: "sit",
      suite: "pre-promotion",
      service: TENANT,
      args: gateFlags("coverage-79.9", failedVerdicts),
      extraEnv: allDay,
    });
    assert.equal(run.code, 1, describeRun(run));
    assertItem(run, "tenant-deploy/6.3.1/dev-errors-1h", "failed", /10 errors|errors/);
    assertItem(run, "tenant-deploy/6.1/dev-no-error-logs-1h", "failed", /ERROR event/);
    assertItem(run, "tenant-deploy/6.3.1/dev-alarms-quiet", "failed", /in ALARM/);
    assertItem(run, "tenant-deploy/6.1/dev-smoke-passes", "failed", /outcome is failed/);
    assertItem(run, "tenant-deploy/3.1/coverage-80", "failed", /79\.9/);
    // Everything else still passes: each fault shows on its own item.
    assertItem(run, "tenant-deploy/3.1/unit-tests-pass", "passed");
    assertItem(run, "tenant-deploy/6.1/dev-deployment-verified", "passed");
    await sb.sandbox.seed("dev", [
      { kind: "alarm-state", alarmName: `${fn}-errors`, state: "OK", hold: false },
    ]);
  });

  test("SIT faults fail the PROD gate: deployed 23 h ago, 5 errors and a throttle in 24 h, outside the window, one approver", async () => {
    const fn = "bbws-tenant-instance-management-sit";
    await sb.sandbox.seed("sit", [
      { kind: "deployment-age", functionName: fn, hoursAgo: 23 },
      { kind: "metric", functionName: fn, metric: "Errors", value: 5, minutesAgo: 180 },
      { kind: "metric", functionName: fn, metric: "Throttles", value: 1, minutesAgo: 240 },
    ]);
    const approvals = join(attestations, "prod", TENANT, "tenant-deploy__7.2__environment-approvals");
    const [second] = signers.signers
      .filter((s) => s.roles.includes("prod-approver") && s.principal !== INITIATOR)
      .slice(1);
    rmSync(join(approvals, `${second?.principal}.json`), { force: true });
    const run = await gate("prod", TENANT, {
      extraEnv: { HARNESS_PROD_POLICY_MAINTENANCE_WINDOWS: windowFromNow(2, 1) },
    });
    assert.equal(run.code, 1, describeRun(run));
    assertItem(run, "tenant-deploy/7.1/sit-running-24h", "failed", /only 23\.0 h/);
    assertItem(run, "tenant-deploy/7.1/sit-errors-24h", "failed");
    assertItem(run, "tenant-deploy/7.1/sit-no-throttles-24h", "failed");
    assertItem(
      run,
      "tenant-deploy/7.2/maintenance-window-confirmed",
      "failed",
      /outside every maintenance window/,
    );
    assertItem(run, "tenant-deploy/7.2/environment-approvals", "missing-attestation", /only 1 is valid/);
    assertItem(run, "tenant-deploy/7.3.1/sit-alarms-quiet", "passed");
  });

  test("access: SSM deployed-version in SIT differing from the version SIT serves fails the PROD gate", async () => {
    await sb.sandbox.seed("sit", [
      { kind: "ssm", name: "/bbws-access/sit/deployed-version", value: "v9.9.9" },
    ]);
    const run = await gate("prod", ACCESS);
    assert.equal(run.code, 1, describeRun(run));
    assertItem(run, "access-promotion/4.3.1/sit-version-recorded", "failed", /9\.9\.9/);
    await sb.sandbox.seed("sit", [
      { kind: "ssm", name: "/bbws-access/sit/deployed-version", value: "v1.3.0" },
    ]);
  });

  test("no datapoints at all in DEV over 24 h: the access error-rate gate is inconclusive, exit 3, never a pass", async () => {
    await sb.sandbox.seed(
      "dev",
      ["authorizer", "roles", "audit"].map((fn) => ({
        kind: "clear-metrics" as const,
        functionName: `bbws-access-dev-lambda-${fn}`,
      })),
    );
    const run = await gate("sit", ACCESS);
    assert.equal(run.code, 3, describeRun(run));
    assert.equal(run.verdict?.outcome, "inconclusive");
    assertItem(run, "access-promotion/3.2.1/dev-error-rate-24h", "inconclusive");
    assert.deepEqual(
      run.verdict?.items.filter((i) => i.status === "failed").map((i) => i.id),
      [],
    );
  });

  test("plan refuses attestations that prove nothing, and DEV verdicts that do not gate", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    const stateOf = async (extra: Record<string, string> = allDay, dir = verdicts) =>
      (await plan(TENANT, "prod", extra, dir)).plan.lines;
    const line = (lines: PlanLine[], id: string) => lines.find((l) => l.id === id);
    const recordOf = (itemId: string) => {
      const dir = join(attestations, "prod", TENANT, itemId.replaceAll("/", "__"));
      const [file] = readdirSync(dir);
      assert.ok(file, itemId);
      const path = join(dir, file);
      return { path, original: readFileSync(path, "utf8"), record: JSON.parse(readFileSync(path, "utf8")) };
    };
    const unsigned = (record: Record<string, unknown>, change: Record<string, unknown> = {}) => {
      const { signature: _, ...rest } = { ...record, ...change };
      return rest as unknown as UnsignedAttestationRecord;
    };
    const keyOf = (principal: string) => signers.signer(principal).privateKey;
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    // One bad record per attested item, all judged by one plan run. Each is properly signed except where the
    // case is about the signature, so it is refused for the reason named, not for an edit under a signature.
    const cases: [string, string, (r: Record<string, unknown>) => Promise<unknown>, RegExp][] = [
      ["unsigned", "tenant-deploy/7.1/on-call-notified", async (r) => unsigned(r), /unsigned/],
      [
        "for other bits",
        "tenant-deploy/7.1/change-request-approved",
        (r) =>
          signAttestation(
            unsigned(r, { codeSha256: "A".repeat(43).concat("=") }),
            keyOf(String(r.principal)),
          ),
        /other bits/,
      ],
      [
        "expired",
        "tenant-deploy/7.1/rollback-plan-reviewed",
        (r) =>
          signAttestation(
            unsigned(r, { attestedAt: new Date(Date.now() - 7_200_000).toISOString(), expiresAt: hourAgo }),
            keyOf(String(r.principal)),
          ),
        /expired at/,
      ],
      [
        "signed by a key that is not the named person's",
        "tenant-deploy/7.1/maintenance-window-approved",
        (r) => signAttestation(unsigned(r), keyOf("erin@bbws.example")),
        /not signed by the key/,
      ],
      [
        "signed by a person the role is not allowed for",
        "tenant-deploy/3.3/env-vars-parameterized",
        (r) => signAttestation(unsigned(r, { principal: "erin@bbws.example" }), keyOf("erin@bbws.example")),
        /may not sign for role/,
      ],
      [
        "edited under its signature",
        "tenant-deploy/3.3/openapi-spec-valid",
        async (r) => ({ ...r, reference: "CHG-9999" }),
        /signature/,
      ],
    ];
    const touched = cases.map(([, itemId]) => recordOf(itemId));
    for (const [index, [, , make]] of cases.entries()) {
      const target = touched[index];
      if (target) writeFileSync(target.path, `${JSON.stringify(await make(target.record))}\n`);
    }
    const judged = await stateOf();
    for (const [what, itemId, , reason] of cases) {
      const found = line(judged, itemId);
      assert.equal(found?.state, "missing", what);
      assert.match(found?.detail ?? "", reason, what);
    }
    for (const target of touched) writeFileSync(target.path, target.original);

    // Signed by a key that is not the named person's: the attest command itself refuses to write it.
    const forged = await runScript(sb, "scripts/attest.ts", [
      "--env",
      "prod",
      "--service",
      TENANT,
      "--item",
      "tenant-deploy/7.1/on-call-notified",
      "--by",
      "bob@bbws.example",
      "--role",
      "on-call-engineer",
      "--reference",
      "CHG-1001",
      "--key",
      keyOf("erin@bbws.example"),
      "--sandbox",
      "--dir",
      attestations,
      "--allowed-signers",
      signers.allowedSigners,
    ]);
    assert.equal(forged.code, 1, forged.stdout + forged.stderr);

    // The same approver twice (a copied record), and the initiator approving, count once / not at all.
    const approvals = join(attestations, "prod", TENANT, "tenant-deploy__7.2__environment-approvals");
    const [kept] = readdirSync(approvals);
    assert.ok(kept);
    writeFileSync(join(approvals, "copy.json"), readFileSync(join(approvals, kept)));
    const twice = line(await stateOf(), "tenant-deploy/7.2/environment-approvals");
    assert.equal(twice?.state, "missing");
    assert.match(twice?.detail ?? "", /already attested/);
    rmSync(join(approvals, "copy.json"));
    const keptBy = JSON.parse(readFileSync(join(approvals, kept), "utf8")).principal as string;
    const asInitiator = await runScript(
      sb,
      "scripts/plan.ts",
      [
        "--service",
        TENANT,
        "--to",
        "prod",
        "--sandbox",
        "--json",
        ...gateFlags().filter((f) => f !== INITIATOR && f !== "--initiator"),
        "--initiator",
        keptBy,
      ],
      { env: allDay },
    );
    const initiatorLine = (JSON.parse(asInitiator.stdout) as Plan).lines.find(
      (l) => l.id === "tenant-deploy/7.2/environment-approvals",
    );
    assert.match(initiatorLine?.detail ?? "", /approver is the initiator/);

    // DEV verdicts: none, too old, for other bits; unsigned, edited after signing (the envelope, so its signature
    // fails; the verdict file, so it no longer matches its envelope), signed by a key the gate does not trust.
    const bits = (await plan(TENANT, "sit")).plan.codeSha256 ?? "";
    const editJson = (file: string, edit: (json: Record<string, unknown>) => void) => {
      const json = JSON.parse(readFileSync(file, "utf8"));
      edit(json);
      writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
    };
    const verdictCases: [string, (dir: string) => Promise<unknown>, RegExp][] = [
      ["missing", async () => undefined, /No smoke verdict of DEV/],
      [
        "too old",
        (dir) =>
          writeSourceVerdicts(
            TENANT,
            "dev",
            bits,
            { endedAt: new Date(Date.now() - 2 * 86_400_000).toISOString() },
            dir,
          ),
        /min old/,
      ],
      [
        "other bits",
        (dir) => writeSourceVerdicts(TENANT, "dev", "B".repeat(43).concat("="), {}, dir),
        /is for CodeSha256/,
      ],
      [
        "unsigned",
        (dir) => writeSourceVerdicts(TENANT, "dev", bits, {}, dir, false),
        /it is unsigned: there is no envelope .*verdict\.dsse\.json beside it/,
      ],
      [
        "envelope edited after signing",
        async (dir) => {
          for (const file of await writeSourceVerdicts(TENANT, "dev", bits, {}, dir)) {
            editJson(envelopeFileFor(file), (envelope) => {
              const statement = JSON.parse(Buffer.from(String(envelope.payload), "base64").toString("utf8"));
              statement.predicate.runId = "someone-else";
              envelope.payload = Buffer.from(JSON.stringify(statement)).toString("base64");
            });
          }
        },
        /verdict\.dsse\.json has a bad signature/,
      ],
      [
        "verdict edited after signing",
        async (dir) => {
          const failed = {
            outcome: "failed",
            exitCode: 1,
            reasons: ["tenant-deploy/5.2/api-health: failed"],
          };
          for (const file of await writeSourceVerdicts(
            TENANT,
            "dev",
            bits,
            failed as Partial<Verdict>,
            dir,
          )) {
            editJson(file, (verdict) =>
              Object.assign(verdict, { outcome: "passed", exitCode: 0, reasons: [] }),
            );
          }
        },
        /does not match the verdict file .*outcome: the envelope says "failed", the verdict "passed"/,
      ],
    ];
    for (const [what, setup, reason] of verdictCases) {
      const dir = mkdtempSync(join(work, "verdicts-case-"));
      await setup(dir);
      const found = line(
        (await plan(TENANT, "sit", allDay, dir)).plan.lines,
        "tenant-deploy/6.1/dev-smoke-passes",
      );
      assert.equal(found?.state, "missing", what);
      assert.match(found?.detail ?? "", reason, what);
    }
    // The same signed verdicts with no trusted keys (and no sandbox, whose key would be trusted): they gate, and
    // the plan says their signatures were not checked.
    const untrusted = mkdtempSync(join(work, "verdicts-case-"));
    await writeSourceVerdicts(TENANT, "dev", bits, {}, untrusted);
    const offline = await runScript(sb, "scripts/plan.ts", [
      ...["--service", TENANT, "--to", "sit", "--code-sha256", bits, "--json"],
      ...gateFlags("passing", untrusted),
    ]);
    const unchecked = line((JSON.parse(offline.stdout) as Plan).lines, "tenant-deploy/6.1/dev-smoke-passes");
    assert.equal(unchecked?.state, "ready", offline.stdout + offline.stderr);
    assert.match(
      unchecked?.detail ?? "",
      /signature was not checked: no trusted verdict keys are configured/,
    );
  });
});

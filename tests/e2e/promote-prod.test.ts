/**
 * `npm run promote -- --service access-management --to prod` end to end on one sandbox: the access runbook's
 * canary (4.3 step 4, 5.1). A build that fails half of its invocations is rolled back automatically long before
 * the canary's window ends (how early: `npm run bench -- --only canary`), and PROD serves its previous versions alone again; a
 * build whose p95 is 4x the previous version's baseline holds for a decision, keeping its 10%, and
 * `--resume --decision rollback` rolls it back; a healthy build passes its canary, shifts to 100%, is verified
 * (smoke, post-deploy) and recorded.
 *
 * The gate's verdicts are written here as signed, sealed verdict files for the bits SIT serves (the gate's own
 * runs are tested in pre-promotion.test.ts).
 */
import assert from "node:assert/strict";
import { createPrivateKey, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetAliasCommand } from "@aws-sdk/client-lambda";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { deployLockTable, type PromotionRecord, readLock } from "../../lib/promote/index.ts";
import { type FunctionUnderTest, generateVerdictKeyPair } from "../../lib/verdict/index.ts";
import type { ServiceId } from "../../runbooks/index.ts";
import { usePromoteKit } from "./promote-support.ts";
import { runScript, SHORT_WINDOW, useTestSandbox } from "./support.ts";

const ACCESS: ServiceId = "access-management";

/** The canary of these runs: 12 s at 10%, metrics every second, a health invoke of each new version every second. */
const CANARY = {
  HARNESS_PROD_CANARY_WINDOW_SECONDS: "12",
  HARNESS_PROD_CANARY_INTERVAL_SECONDS: "1",
  HARNESS_PROD_CANARY_HEALTH_INTERVAL_SECONDS: "1",
  // 10 read-only health invokes a second through the alias while quiet: the 10% share gets about one a second.
  HARNESS_PROD_CANARY_SYNTHETIC_PER_MINUTE: "600",
  HARNESS_PROD_MONITORING_WINDOW_SECONDS: SHORT_WINDOW.windowSeconds,
  HARNESS_PROD_MONITORING_INTERVAL_SECONDS: SHORT_WINDOW.intervalSeconds,
  HARNESS_PROD_HTTP_LATENCY_BUDGET_MS: "8000",
  // The rollback suite a rolled-back canary runs: a 5 s recovery window instead of the default minute.
  HARNESS_PROD_ROLLBACK_RECOVERY_WINDOW_SECONDS: "5",
  HARNESS_PROD_ROLLBACK_INTERVAL_SECONDS: "1",
  // The whole day is a window: the runs must not depend on the clock.
  HARNESS_PROD_POLICY_MAINTENANCE_WINDOWS: "00:00-24:00",
} as const;

describe("npm run promote into PROD: the canary", { timeout: 420_000 }, () => {
  const sb = useTestSandbox();
  const kit = usePromoteKit(sb);
  let key: KeyObject;
  let trustedKeys = "";
  before(() => {
    const pair = generateVerdictKeyPair(join(kit.work, "prod-keys"));
    key = createPrivateKey(readFileSync(pair.privateKeyFile));
    trustedKeys = pair.publicKeyFile;
  });

  /** Clients of PROD's account in the sandbox. */
  function prodClient<T>(make: (config: ConstructorParameters<typeof SSMClient>[0]) => T): T {
    const { endpoints } = sb.sandbox;
    const target = endpoints.environments.prod;
    return make({
      endpoint: endpoints.awsEndpoint,
      region: target.region,
      credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
    });
  }

  /** Signed passing verdicts for what SIT serves now: SIT's smoke and post-deploy, PROD's pre-promotion. */
  async function prodGate(): Promise<{ dir: string; sit: FunctionUnderTest[] }> {
    const dir = mkdtempSync(join(kit.work, "prod-"));
    const sit = await kit.servedAll("sit", ACCESS);
    for (const suite of ["smoke", "post-deploy"] as const)
      kit.writeVerdict(dir, { env: "sit", suite, functions: sit, service: ACCESS }, {}, key);
    kit.writeVerdict(dir, { env: "prod", suite: "pre-promotion", functions: sit, service: ACCESS }, {}, key);
    return { dir, sit };
  }

  function promoteArgs(dir: string, extra: string[] = []): string[] {
    return [
      "--service",
      ACCESS,
      "--to",
      "prod",
      "--sandbox",
      "--verdicts",
      dir,
      "--trusted-keys",
      trustedKeys,
      "--initiator",
      "alice@bbws.example",
      "--json",
      ...extra,
    ];
  }

  function promoteProd(dir: string, extra: string[] = []) {
    return runScript(sb, "scripts/promote.ts", promoteArgs(dir, extra), { env: CANARY });
  }

  /** The alias of every PROD access function: its version and any canary weights. */
  async function prodAliases() {
    const lambda = sb.lambda("prod");
    const names = (await kit.servedAll("prod", ACCESS)).map((f) => f.functionName);
    return Promise.all(
      names.map(async (name) => {
        const alias = await lambda.send(new GetAliasCommand({ FunctionName: name, Name: "latest-prod" }));
        return {
          name,
          version: alias.FunctionVersion ?? "",
          weights: alias.RoutingConfig?.AdditionalVersionWeights ?? {},
        };
      }),
    );
  }

  async function lockOf() {
    const doc = prodClient((config) => DynamoDBDocumentClient.from(new DynamoDBClient(config ?? {})));
    try {
      return await readLock(doc, deployLockTable("prod"), ACCESS);
    } finally {
      doc.destroy();
    }
  }

  function recordFrom(stdout: string): PromotionRecord {
    return JSON.parse(stdout) as PromotionRecord;
  }

  test("a build failing half its invocations is rolled back by the canary before its window ends", async () => {
    await sb.sandbox.deploy({ env: "sit", service: ACCESS, appVersion: "1.9.0", fault: { kind: "flaky" } });
    const { dir } = await prodGate();
    const before = await prodAliases();
    const run = await promoteProd(dir);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /ROLLED BACK: .*canary health check failed|ROLLED BACK: .*error rate/);
    const record = recordFrom(run.stdout);
    assert.equal(record.outcome, "rolled-back");
    const outcome = record.canary?.outcome;
    assert.ok(outcome, "the record keeps the canary");
    assert.equal(outcome.kind, "rollback");
    assert.equal(outcome.weightPercent, 10);
    // Caught before the canary's window ended (how early is `npm run bench -- --only canary`'s measure).
    assert.ok(
      outcome.decidedAfterMs < outcome.windowMs,
      `detected after ${outcome.decidedAfterMs} ms of a ${outcome.windowMs} ms canary`,
    );
    const after = await prodAliases();
    assert.deepEqual(
      after.map((a) => [a.name, a.version, Object.keys(a.weights).length]),
      before.map((b) => [b.name, b.version, 0]),
      "PROD serves its previous versions alone again",
    );
    assert.equal(await lockOf(), null, "no lock is left");
    assert.equal(record.verificationVerdict, null, "nothing was verified: no traffic shifted");
  });

  test("p95 4x the baseline holds the canary for a decision; --decision rollback rolls it back", async () => {
    // The previous versions' p95 is about 100 ms (the sandbox's seeded history): 450 ms more is over 4x.
    await sb.sandbox.deploy({
      env: "sit",
      service: ACCESS,
      appVersion: "1.9.1",
      fault: { kind: "slow-endpoint", route: "GET /health", delayMs: 450 },
    });
    const { dir } = await prodGate();
    const before = await prodAliases();
    const held = await promoteProd(dir);
    assert.equal(held.code, 4, held.stderr);
    assert.match(held.stderr, /HELD: .*p95.*--resume --decision/s);
    const lock = await lockOf();
    assert.equal(lock?.step, "canary-hold", "the lock says the promotion waits for a decision");
    const during = await prodAliases();
    for (const [index, alias] of during.entries()) {
      assert.equal(alias.version, before[index]?.version, "the previous version keeps serving");
      assert.deepEqual(Object.values(alias.weights), [0.1], "and the canary keeps its 10%");
    }
    const again = await promoteProd(dir);
    assert.equal(again.code, 1, "a second promote refuses while the canary is held");
    assert.match(again.stderr, /canary-hold/);

    const decided = await promoteProd(dir, ["--resume", "--decision", "rollback"]);
    assert.equal(decided.code, 1, decided.stderr);
    assert.match(decided.stderr, /ROLLED BACK: Rolled back on alice@bbws\.example's decision/);
    const record = recordFrom(decided.stdout);
    assert.equal(record.canary?.decision?.decision, "rollback");
    const after = await prodAliases();
    assert.deepEqual(
      after.map((a) => [a.version, Object.keys(a.weights).length]),
      before.map((b) => [b.version, 0]),
    );
    assert.equal(await lockOf(), null);
  });

  test("SIGKILLed during its canary: the split stays, the lock says so; the next promote undoes it and promotes", async () => {
    await sb.sandbox.deploy({ env: "sit", service: ACCESS, appVersion: "1.9.3" });
    const { dir, sit } = await prodGate();
    const before = await prodAliases();
    let pid = 0;
    let killed = false;
    const run = await runScript(sb, "scripts/promote.ts", promoteArgs(dir), {
      env: CANARY,
      onSpawn: (p) => {
        pid = p;
      },
      onStderr: (text) => {
        if (!killed && text.includes("  canary-start:")) {
          killed = true;
          process.kill(-pid, "SIGKILL");
        }
      },
    });
    assert.equal(run.signal, "SIGKILL", run.stderr);
    const lock = await lockOf();
    assert.match(lock?.step ?? "", /^canary-/, "the lock names the canary step it reached");
    const split = await prodAliases();
    for (const [index, alias] of split.entries()) {
      assert.equal(alias.version, before[index]?.version, "the previous version keeps serving");
      assert.deepEqual(Object.values(alias.weights), [0.1], "the 10% split is left");
    }
    const resumed = await promoteProd(dir, ["--break-lock", "--reason", "killed in its canary", "--force"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /a canary split left by a stopped run was undone/);
    assert.deepEqual(
      (await kit.servedAll("prod", ACCESS)).map((f) => f.codeSha256),
      sit.map((f) => f.codeSha256),
    );
    for (const alias of await prodAliases()) assert.deepEqual(alias.weights, {});
    assert.equal(await lockOf(), null);
  });

  test("a healthy build passes its canary, shifts to 100%, is verified and recorded", async () => {
    await sb.sandbox.deploy({ env: "sit", service: ACCESS, appVersion: "1.9.2" });
    const { dir, sit } = await prodGate();
    const run = await promoteProd(dir);
    assert.equal(run.code, 0, run.stderr);
    const record = recordFrom(run.stdout);
    assert.equal(record.outcome, "promoted");
    assert.equal(record.canary?.outcome.kind, "pass");
    assert.ok(record.canary.health.checks > 0, "the new versions' health was invoked");
    const prod = await kit.servedAll("prod", ACCESS);
    assert.deepEqual(
      prod.map((f) => f.codeSha256),
      sit.map((f) => f.codeSha256),
      "PROD serves SIT's bits",
    );
    for (const alias of await prodAliases()) assert.deepEqual(alias.weights, {}, "no canary is left");
    // Access management's smoke items are in its post-deploy suite (it has no smoke specs of its own).
    assert.equal(record.verificationVerdicts.length, 1, "the post-deploy verdict is tied to it");
    const ssm = prodClient((config) => new SSMClient(config ?? {}));
    const parameter = await ssm.send(new GetParameterCommand({ Name: "/bbws-access/prod/deployed-version" }));
    ssm.destroy();
    assert.equal(parameter.Parameter?.Value, "v1.9.2");
    assert.equal(await lockOf(), null);
    assert.ok(readFileSync(record.verificationVerdict ?? "", "utf8").includes('"post-deploy"'));
  });
});

/**
 * `npm run promote -- --to sit` end to end on one sandbox: it refuses, changing nothing, for every verdict that
 * does not gate (none, failed, inconclusive, stale, other bits, other environment, other service, edited,
 * report edited, unsigned, untrusted key); two promotions at once: one proceeds, the other names the holder;
 * the winner copies DEV's package, checks its CodeSha256, moves latest-sit, records it, verifies SIT and
 * writes the promotion record that ties SIT's bits to DEV's.
 *
 * The gate's verdicts are written here as signed, sealed verdict files for the bits DEV serves (the gate's
 * own runs are tested in pre-promotion.test.ts); the post-deploy verification after the move is a real run.
 */
import assert from "node:assert/strict";
import { createHash, createPrivateKey } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { GetAliasCommand, GetFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import {
  combinedCodeSha256,
  computeReportSha256,
  envelopeFileFor,
  type FunctionUnderTest,
  generateVerdictKeyPair,
  signVerdict,
  type Verdict,
} from "../../lib/verdict/index.ts";
import type { EnvironmentId, ServiceId } from "../../runbooks/index.ts";
import { verdictWith } from "../unit/verdict-fixture.ts";
import { healthAndTenants, steadyTraffic } from "./post-deploy-support.ts";
import { type CommandResult, runScript, SHORT_WINDOW, useTestSandbox } from "./support.ts";

const TENANT: ServiceId = "tenant-instance-management";
const FN = {
  dev: "bbws-tenant-instance-management-dev",
  sit: "bbws-tenant-instance-management-sit",
} as const;

describe("npm run promote on a sandbox", { timeout: 420_000 }, () => {
  const sb = useTestSandbox();
  const work = mkdtempSync(join(tmpdir(), "e2e-promote-"));
  const keys = join(work, "keys");
  const other = join(work, "other-keys");
  let key: ReturnType<typeof createPrivateKey>;
  let otherKey: ReturnType<typeof createPrivateKey>;

  before(() => {
    const mine = generateVerdictKeyPair(keys);
    const theirs = generateVerdictKeyPair(other);
    key = createPrivateKey(readFileSync(mine.privateKeyFile));
    otherKey = createPrivateKey(readFileSync(theirs.privateKeyFile));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  async function servedBy(env: "dev" | "sit"): Promise<FunctionUnderTest> {
    const lambda = sb.lambda(env);
    const alias = await lambda.send(new GetAliasCommand({ FunctionName: FN[env], Name: `latest-${env}` }));
    const config = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: FN[env], Qualifier: alias.FunctionVersion }),
    );
    return {
      functionName: FN[env],
      alias: `latest-${env}`,
      functionVersion: alias.FunctionVersion ?? "",
      appVersion: config.Description ?? "",
      codeSha256: config.CodeSha256 ?? "",
    };
  }

  /** A sealed verdict file (and, unless `sign` is false, its envelope) in a fresh run folder of `dir`. */
  function writeVerdict(
    dir: string,
    fields: {
      env: EnvironmentId;
      suite: Verdict["suite"];
      functions: FunctionUnderTest[];
      service?: ServiceId;
    },
    change: Partial<Verdict> = {},
    sign: false | ReturnType<typeof createPrivateKey> = key,
  ): string {
    const runDir = join(dir, `${fields.env}-${fields.suite}-${Math.random().toString(36).slice(2, 8)}`);
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, "junit.xml"), "<testsuites/>\n");
    const now = new Date().toISOString();
    const verdict = verdictWith({
      service: fields.service ?? TENANT,
      environment: fields.env,
      suite: fields.suite,
      functions: fields.functions,
      codeSha256: combinedCodeSha256(fields.functions),
      startedAt: now,
      endedAt: now,
      reportSha256: computeReportSha256(runDir),
      ...change,
    });
    const file = join(runDir, "verdict.json");
    writeFileSync(file, `${JSON.stringify(verdict, null, 2)}\n`);
    if (sign)
      writeFileSync(envelopeFileFor(file), `${JSON.stringify(signVerdict(verdict, sign), null, 2)}\n`);
    return file;
  }

  /** The three verdicts a promotion into SIT needs, for these bits. */
  function gateVerdicts(dir: string, functions: FunctionUnderTest[]) {
    return {
      smoke: writeVerdict(dir, { env: "dev", suite: "smoke", functions }),
      postDeploy: writeVerdict(dir, { env: "dev", suite: "post-deploy", functions }),
      prePromotion: writeVerdict(dir, { env: "sit", suite: "pre-promotion", functions }),
    };
  }

  const promoteRun = (
    dir: string,
    extra: string[] = [],
    watch: { onSpawn?: (pid: number) => void; onStderr?: (text: string) => void } = {},
  ): Promise<CommandResult> =>
    runScript(
      sb,
      "scripts/promote.ts",
      [
        "--service",
        TENANT,
        "--to",
        "sit",
        "--sandbox",
        "--verdicts",
        dir,
        "--trusted-keys",
        join(keys, "verdict-signing.pub"),
        "--initiator",
        "alice@bbws.example",
        ...extra,
      ],
      {
        env: {
          HARNESS_SIT_MONITORING_WINDOW_SECONDS: SHORT_WINDOW.windowSeconds,
          HARNESS_SIT_MONITORING_INTERVAL_SECONDS: SHORT_WINDOW.intervalSeconds,
          HARNESS_SIT_HTTP_LATENCY_BUDGET_MS: "8000",
        },
        ...watch,
      },
    );

  test("refuses every verdict that does not gate, and changes nothing in SIT", async () => {
    await sb.sandbox.deploy({ env: "dev", service: TENANT, appVersion: "1.6.0" });
    const dev = await servedBy("dev");
    const sitBefore = await servedBy("sit");
    const otherBits = { ...dev, codeSha256: createHash("sha256").update("other bits").digest("base64") };
    const cases: [string, (dir: string) => void, RegExp][] = [
      ["no verdict at all", () => undefined, /No smoke verdict of DEV/],
      [
        "a failed DEV smoke verdict",
        (dir) => {
          gateVerdicts(dir, [dev]);
          writeVerdict(
            dir,
            { env: "dev", suite: "smoke", functions: [dev] },
            {
              outcome: "failed",
              exitCode: 1,
              reasons: ["tenant-deploy/5.2/api-health: failed"],
              endedAt: new Date(Date.now() + 1000).toISOString(),
            },
          );
        },
        /outcome is failed/,
      ],
      [
        "an inconclusive pre-promotion verdict",
        (dir) => {
          writeVerdict(dir, { env: "dev", suite: "smoke", functions: [dev] });
          writeVerdict(dir, { env: "dev", suite: "post-deploy", functions: [dev] });
          writeVerdict(
            dir,
            { env: "sit", suite: "pre-promotion", functions: [dev] },
            {
              outcome: "inconclusive",
              exitCode: 3,
              reasons: ["no data"],
            },
          );
        },
        /outcome is inconclusive/,
      ],
      [
        "a stale DEV post-deploy verdict",
        (dir) => {
          writeVerdict(dir, { env: "dev", suite: "smoke", functions: [dev] });
          writeVerdict(
            dir,
            { env: "dev", suite: "post-deploy", functions: [dev] },
            {
              endedAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
            },
          );
          writeVerdict(dir, { env: "sit", suite: "pre-promotion", functions: [dev] });
        },
        /min old/,
      ],
      ["verdicts for other bits", (dir) => gateVerdicts(dir, [otherBits]), /is for CodeSha256/],
      [
        "a smoke verdict of another environment",
        (dir) => {
          writeVerdict(dir, { env: "sit", suite: "smoke", functions: [dev] });
          writeVerdict(dir, { env: "dev", suite: "post-deploy", functions: [dev] });
          writeVerdict(dir, { env: "sit", suite: "pre-promotion", functions: [dev] });
        },
        /No smoke verdict of DEV/,
      ],
      [
        "verdicts of another service",
        (dir) => {
          for (const suite of ["smoke", "post-deploy"] as const)
            writeVerdict(dir, { env: "dev", suite, functions: [dev], service: "access-management" });
          writeVerdict(dir, { env: "sit", suite: "pre-promotion", functions: [dev] });
        },
        /No smoke verdict of DEV for tenant-instance-management/,
      ],
      [
        "an edited verdict (its signature no longer matches)",
        (dir) => {
          const files = gateVerdicts(dir, [dev]);
          const edited = JSON.parse(readFileSync(files.smoke, "utf8")) as Verdict;
          writeFileSync(files.smoke, `${JSON.stringify({ ...edited, runId: "r-edited" }, null, 2)}\n`);
        },
        /envelope|signature|sign/i,
      ],
      [
        "an edited report file (the report hash no longer matches)",
        (dir) => {
          const files = gateVerdicts(dir, [dev]);
          writeFileSync(join(files.postDeploy, "..", "junit.xml"), "<testsuites><edited/></testsuites>\n");
        },
        /report was changed|reportSha256|hash/,
      ],
      [
        "an unsigned verdict",
        (dir) => {
          writeVerdict(dir, { env: "dev", suite: "smoke", functions: [dev] }, {}, false);
          writeVerdict(dir, { env: "dev", suite: "post-deploy", functions: [dev] });
          writeVerdict(dir, { env: "sit", suite: "pre-promotion", functions: [dev] });
        },
        /unsigned|no envelope|not signed/i,
      ],
      [
        "a verdict signed by an untrusted key",
        (dir) => {
          writeVerdict(dir, { env: "dev", suite: "smoke", functions: [dev] }, {}, otherKey);
          writeVerdict(dir, { env: "dev", suite: "post-deploy", functions: [dev] });
          writeVerdict(dir, { env: "sit", suite: "pre-promotion", functions: [dev] });
        },
        /untrusted|not trusted|trusted key/i,
      ],
    ];
    for (const [what, setup, reason] of cases) {
      const dir = mkdtempSync(join(work, "case-"));
      setup(dir);
      const run = await promoteRun(dir);
      assert.equal(run.code, 1, `${what}\n${run.stdout}\n${run.stderr}`);
      assert.match(run.stderr, /REFUSED: nothing was changed in SIT/, what);
      assert.match(run.stderr, reason, `${what}\n${run.stderr}`);
    }
    assert.deepEqual(await servedBy("sit"), sitBefore, "SIT still serves what it served");
  });

  test("two promotions at once: one proceeds and promotes DEV's bits into SIT, the other names the holder", async () => {
    const dev = await servedBy("dev");
    const sitBefore = await servedBy("sit");
    const dir = mkdtempSync(join(work, "gate-"));
    gateVerdicts(dir, [dev]);
    // SIT is otherwise quiet: the post-deploy window after the move judges this traffic.
    const traffic = steadyTraffic(healthAndTenants(sb, "sit"));
    const [first, second] = await Promise.all([
      promoteRun(dir, ["--initiator", "alice@bbws.example"]),
      promoteRun(dir, ["--initiator", "bob@bbws.example"]),
    ]).finally(() => traffic.stop());
    const runs = [first, second];
    const won = runs.filter((run) => run.code === 0);
    const lost = runs.filter((run) => run.code === 1);
    assert.equal(won.length, 1, runs.map((run) => `${run.code}: ${run.stderr}`).join("\n---\n"));
    assert.equal(lost.length, 1);
    assert.match(lost[0]?.stderr ?? "", /(alice|bob)@bbws\.example/);
    assert.match(lost[0]?.stderr ?? "", /lock/i);

    const sit = await servedBy("sit");
    assert.equal(sit.codeSha256, dev.codeSha256, "SIT serves DEV's bits");
    assert.equal(sit.appVersion, dev.appVersion);
    assert.notEqual(sit.functionVersion, sitBefore.functionVersion);
    const recordFile = /record (\S+\.json)/.exec(won[0]?.stderr ?? "")?.[1];
    assert.ok(recordFile, won[0]?.stderr);
    const record = JSON.parse(readFileSync(recordFile, "utf8")) as {
      codeSha256: string;
      gateVerdicts: string[];
      outcome: string;
      from: string;
      to: string;
      verificationVerdict: string | null;
    };
    rmSync(recordFile, { force: true });
    assert.deepEqual([record.from, record.to, record.outcome], ["dev", "sit", "promoted"]);
    assert.equal(record.codeSha256, dev.codeSha256);
    assert.equal(
      record.gateVerdicts.length,
      3,
      "smoke, post-deploy and pre-promotion verdicts are tied to it",
    );
    assert.ok(record.verificationVerdict, "the post-deploy verification's verdict is tied to it");
  });

  test("SIGKILL at a step, then promote again: SIT ends serving the verified bits, recorded, with no lock left", async () => {
    const { readLock, deployLockTable } = await import("../../lib/promote/index.ts");
    const { DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
    const { DynamoDBDocumentClient, QueryCommand } = await import("@aws-sdk/lib-dynamodb");
    const target = sb.sandbox.endpoints.environments.sit;
    const doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: sb.sandbox.endpoints.awsEndpoint,
        region: target.region,
        credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
      }),
    );
    const table = deployLockTable("sit");
    // Where the runs are killed: before anything moved (uploading the code) and right after the alias moved
    // (no record yet). A kill during the verification leaves the state of the second (the alias moved).
    for (const [index, marker] of ["  update-code:", "  move-alias:"].entries()) {
      await sb.sandbox.deploy({ env: "dev", service: TENANT, appVersion: `1.${7 + index}.0` });
      const dev = await servedBy("dev");
      const sitBefore = await servedBy("sit");
      const dir = mkdtempSync(join(work, "crash-"));
      gateVerdicts(dir, [dev]);
      let pid = 0;
      let killed = false;
      const traffic = steadyTraffic(healthAndTenants(sb, "sit"));
      const run = await promoteRun(dir, [], {
        onSpawn: (p) => {
          pid = p;
        },
        onStderr: (text) => {
          if (!killed && text.includes(marker)) {
            killed = true;
            process.kill(-pid, "SIGKILL");
          }
        },
      });
      assert.equal(run.signal, "SIGKILL", `${marker}: ${run.stderr}`);
      // Killed: the target serves either its old bits or DEV's verified ones, and the lock names the step.
      const sit = await servedBy("sit");
      assert.ok(
        sit.codeSha256 === sitBefore.codeSha256 || sit.codeSha256 === dev.codeSha256,
        `${marker}: SIT serves ${sit.codeSha256}`,
      );
      if (marker === "  update-code:") assert.equal(sit.functionVersion, sitBefore.functionVersion, marker);
      const lock = await readLock(doc, table, TENANT);
      assert.ok(lock, `${marker}: the lock stays`);
      const held = await promoteRun(dir);
      assert.equal(held.code, 1, marker);
      assert.match(held.stderr, /alice@bbws\.example/, `${marker}: the refusal names the holder`);
      assert.match(
        held.stderr,
        new RegExp(lock.step.split(" ")[0] ?? "step"),
        `${marker}: and the step it reached`,
      );

      const resumed = await promoteRun(dir, [
        "--break-lock",
        "--reason",
        "the promotion was killed",
        "--force",
      ]);
      await traffic.stop();
      assert.equal(resumed.code, 0, `${marker}: ${resumed.stderr}`);
      const after = await servedBy("sit");
      assert.equal(after.codeSha256, dev.codeSha256, `${marker}: SIT serves DEV's bits`);
      assert.equal(await readLock(doc, table, TENANT), null, `${marker}: no lock is left`);
      const records = await doc.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: "PK = :pk",
          ExpressionAttributeValues: { ":pk": `DEPLOYMENT#${FN.sit}` },
          ScanIndexForward: false,
          Limit: 1,
        }),
      );
      const newest = records.Items?.[0] as { functionVersion?: string; codeSha256?: string } | undefined;
      assert.deepEqual(
        [newest?.functionVersion, newest?.codeSha256],
        [after.functionVersion, dev.codeSha256],
        marker,
      );
      const recordFile = /record (\S+\.json)/.exec(resumed.stderr)?.[1];
      if (recordFile) rmSync(recordFile, { force: true });
    }
    doc.destroy();
  });
});

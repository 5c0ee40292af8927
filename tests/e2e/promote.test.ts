/**
 * `npm run promote -- --to sit` end to end on one sandbox: it refuses, changing nothing, for every verdict that
 * does not gate (none, failed, inconclusive, stale, other bits, other environment, other service, edited,
 * report edited, unsigned, untrusted key); two promotions at once: one proceeds, the other names the holder;
 * the winner copies DEV's package, checks its CodeSha256, moves latest-sit, records it, verifies SIT and
 * writes the promotion record that ties SIT's bits to DEV's. A promotion killed at each of its steps is
 * tested in promote-kill.test.ts.
 *
 * The gate's verdicts are written here as signed, sealed verdict files for the bits DEV serves (the gate's
 * own runs are tested in pre-promotion.test.ts); the post-deploy verification after the move is a real run.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { FunctionUnderTest, Verdict } from "../../lib/verdict/index.ts";
import { healthAndTenants, steadyTraffic } from "./post-deploy-support.ts";
import { TENANT, usePromoteKit } from "./promote-support.ts";
import { useTestSandbox } from "./support.ts";

const SIT_FN = "bbws-tenant-instance-management-sit";
const DEV_FN = "bbws-tenant-instance-management-dev";

describe("npm run promote on a sandbox", { timeout: 420_000 }, () => {
  const sb = useTestSandbox();
  const kit = usePromoteKit(sb);
  const { work, writeVerdict, gateVerdicts, promoteRun } = kit;
  const servedBy = (env: "dev" | "sit"): Promise<FunctionUnderTest> =>
    kit.servedBy(env, env === "dev" ? DEV_FN : SIT_FN);

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
          writeVerdict(dir, { env: "dev", suite: "smoke", functions: [dev] }, {}, kit.otherKey);
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
});

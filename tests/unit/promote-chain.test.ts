import assert from "node:assert/strict";
import { createPrivateKey, type KeyObject } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { describeChain, type PromotionRecord, verifyPromotionChain } from "../../lib/promote/index.ts";
import {
  computeReportSha256,
  envelopeFileFor,
  generateVerdictKeyPair,
  signVerdict,
  type Verdict,
} from "../../lib/verdict/index.ts";
import { verdictWith } from "./verdict-fixture.ts";

const SHA = "xDXWRCR+2QHepR1Uw4DjR1fRRSd94R7TAwbbfClVZOY=";
const work = mkdtempSync(join(tmpdir(), "chain-"));
after(() => rmSync(work, { recursive: true, force: true }));
const mine = generateVerdictKeyPair(join(work, "keys"));
const theirs = generateVerdictKeyPair(join(work, "other"));
const key = createPrivateKey(readFileSync(mine.privateKeyFile));
const otherKey = createPrivateKey(readFileSync(theirs.privateKeyFile));
let n = 0;

/** A sealed, signed verdict file of a run. */
function verdictFile(
  env: string,
  suite: Verdict["suite"],
  change: Partial<Verdict> = {},
  by: KeyObject = key,
) {
  n += 1;
  const dir = join(work, `run-${n}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "junit.xml"), "<testsuites/>\n");
  const verdict = verdictWith({
    environment: env as Verdict["environment"],
    suite,
    codeSha256: SHA,
    functions: [
      {
        functionName: `bbws-tenant-instance-management-${env}`,
        alias: `latest-${env}`,
        functionVersion: "4",
        appVersion: "1.5.0",
        codeSha256: SHA,
      },
    ],
    reportSha256: computeReportSha256(dir),
    ...change,
  });
  const file = join(dir, "verdict.json");
  writeFileSync(file, `${JSON.stringify(verdict, null, 2)}\n`);
  writeFileSync(envelopeFileFor(file), JSON.stringify(signVerdict(verdict, by)));
  return file;
}

function step(from: string, to: string, change: Partial<PromotionRecord> = {}): PromotionRecord {
  return {
    schemaVersion: 1,
    runId: `r-${from}-${to}`,
    service: "tenant-instance-management",
    from,
    to,
    codeSha256: SHA,
    functions: [],
    gateVerdicts: [
      verdictFile(from, "smoke"),
      verdictFile(from, "post-deploy"),
      verdictFile(to, "pre-promotion"),
    ],
    verificationVerdict: null,
    verificationVerdicts: [verdictFile(to, "smoke"), verdictFile(to, "post-deploy")],
    outcome: "promoted",
    reason: "promoted",
    canary: null,
    rollbackVerification: null,
    initiator: "alice@bbws.example",
    changeRequest: "CHG-1001",
    startedAt: "2026-12-01T00:00:00.000Z",
    endedAt: "2026-12-01T00:05:00.000Z",
    ...change,
  };
}
const check = (records: PromotionRecord[]) =>
  verifyPromotionChain({ records, trustedKeys: mine.publicKeyFile });

describe("verifyPromotionChain", () => {
  test("DEV -> SIT -> PROD of the same bits, each step on signed passing verdicts, is a chain", () => {
    const result = check([step("sit", "prod"), step("dev", "sit")]);
    assert.deepEqual(result.problems, []);
    assert.equal(result.ok, true);
    assert.deepEqual(
      result.links.map((l) => [l.from, l.to, l.gate.length, l.verification.length]),
      [
        ["dev", "sit", 3, 2],
        ["sit", "prod", 3, 2],
      ],
    );
    assert.match(describeChain(result)[0] ?? "", /Same bits DEV -> SIT -> PROD: CodeSha256 xDX/);
  });

  test("other bits in PROD, a missing step or a step that rolled back break it", () => {
    const other = check([step("dev", "sit"), step("sit", "prod", { codeSha256: "b3RoZXI=" })]);
    assert.equal(other.ok, false);
    assert.ok(
      other.problems.some((p) => /not the same bits/.test(p)),
      other.problems.join("\n"),
    );
    assert.match(check([step("dev", "sit")]).problems.join("\n"), /no promotion record into PROD/);
    const rolled = check([step("dev", "sit"), step("sit", "prod", { outcome: "rolled-back" })]);
    assert.match(rolled.problems.join("\n"), /ended rolled-back/);
    assert.match(
      check([step("sit", "prod")]).problems.join("\n"),
      /does not start in DEV|no promotion record into SIT/,
    );
  });

  test("an edited gate verdict, one signed by another key, or a failed verification is no evidence", () => {
    const edited = step("dev", "sit");
    const smoke = edited.gateVerdicts[0] ?? "";
    const text = JSON.parse(readFileSync(smoke, "utf8")) as Verdict;
    writeFileSync(smoke, JSON.stringify({ ...text, runId: "r-edited" }));
    assert.match(check([edited, step("sit", "prod")]).problems.join("\n"), /dev smoke|smoke verdict/i);

    const foreign = step("dev", "sit", {
      gateVerdicts: [
        verdictFile("dev", "smoke", {}, otherKey),
        verdictFile("dev", "post-deploy"),
        verdictFile("sit", "pre-promotion"),
      ],
    });
    assert.match(check([foreign, step("sit", "prod")]).problems.join("\n"), /trusted key/);

    const failing = step("sit", "prod", {
      verificationVerdicts: [verdictFile("prod", "post-deploy", { outcome: "failed", exitCode: 1 })],
    });
    assert.match(
      check([step("dev", "sit"), failing]).problems.join("\n"),
      /verification verdict .* is failed/,
    );
  });
});

import assert from "node:assert/strict";
import { createHash, createPrivateKey, generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { sourceVerdictFindings } from "../../lib/checks/gate.ts";
import {
  type EnvelopeFile,
  judgeSourceVerdicts,
  readVerdictFiles,
  type SourceVerdictsInput,
  type VerdictFile,
} from "../../lib/checks/verdicts.ts";
import {
  type DsseEnvelope,
  type FunctionUnderTest,
  generateVerdictKeyPair,
  signVerdict,
  type Verdict,
  verdictKeyId,
  writeVerdictEnvelope,
} from "../../lib/verdict/index.ts";
import { computeReportSha256 } from "../../lib/verdict/report-hash.ts";
import { environments } from "../../runbooks/index.ts";
import { verdictWith } from "./verdict-fixture.ts";

const dir = "/reports/runs";
const FUNCTION: FunctionUnderTest = {
  functionName: "bbws-tenant-instance-management-dev",
  alias: "latest-dev",
  functionVersion: "7",
  appVersion: "1.4.0",
  codeSha256: createHash("sha256").update("dev zip").digest("base64"),
};
// The bits DEV serves: one function's CodeSha256, so that a verdict for them can be signed.
const bits = FUNCTION.codeSha256;
const now = new Date("2026-12-01T06:00:00.000Z");
const DAY_MS = 24 * 3_600_000;

/** A sealed, complete, passing DEV verdict of `suite` for the bits DEV serves, ended at `endedAt`. */
function sealed(suite: Verdict["suite"], overrides: Partial<Verdict> = {}): Verdict {
  return verdictWith({
    suite,
    functions: [FUNCTION],
    codeSha256: bits,
    reportSha256: "f".repeat(64),
    runId: `r-${suite}`,
    ...overrides,
  });
}

function file(
  run: string,
  verdict: Verdict,
  reportIntact: boolean | null = true,
  envelope: EnvelopeFile | null = null,
): VerdictFile {
  return { file: `${dir}/${run}/verdict.json`, verdict, problem: null, reportIntact, envelope };
}

/** The envelope file of `run`, holding `json`. */
const envelopeOf = (run: string, json: unknown): EnvelopeFile => ({
  file: `${dir}/${run}/verdict.dsse.json`,
  json,
  problem: null,
});

function input(files: readonly VerdictFile[], over: Partial<SourceVerdictsInput> = {}): SourceVerdictsInput {
  return {
    service: "tenant-instance-management",
    environment: "dev",
    environmentName: "DEV",
    codeSha256: bits,
    suites: ["smoke", "post-deploy"],
    maxAgeMs: DAY_MS,
    now,
    dir,
    files,
    trustedKeys: null,
    ...over,
  };
}

const unchecked =
  " Its signature was not checked: no trusted verdict keys are configured (HARNESS_VERDICT_TRUSTED_KEYS); set them, since a promotion will require signed verdicts.";

const rerun = (suite: string, service = "") =>
  `Run \`npm run verify -- --env dev --suite ${suite}${service}\` against the bits DEV serves, then the gate again.`;

/** The one finding of a smoke-only judgement. */
function smoke(files: readonly VerdictFile[], over: Partial<SourceVerdictsInput> = {}) {
  const findings = judgeSourceVerdicts(input(files, { suites: ["smoke"], ...over }));
  assert.equal(findings.length, 1);
  const [finding] = findings;
  assert.ok(finding);
  return finding;
}

describe("judgeSourceVerdicts", () => {
  test("a fresh, complete, sealed passing verdict for the same bits passes, one finding per suite", () => {
    const findings = judgeSourceVerdicts(
      input([file("r-smoke", sealed("smoke")), file("r-post", sealed("post-deploy", { runId: "r-post" }))]),
    );
    assert.deepEqual(
      findings.map((f) => [f.status, f.reason]),
      [
        [
          "passed",
          `DEV's smoke verdict ${dir}/r-smoke/verdict.json passed for these bits at 2026-12-01T00:01:00.000Z (run r-smoke).${unchecked}`,
        ],
        [
          "passed",
          `DEV's post-deploy verdict ${dir}/r-post/verdict.json passed for these bits at 2026-12-01T00:01:00.000Z (run r-post).${unchecked}`,
        ],
      ],
    );
    assert.equal(findings[0]?.evidence.used, `${dir}/r-smoke/verdict.json`);
  });

  test("a missing verdict fails naming the folder and the command that produces it", () => {
    const findings = judgeSourceVerdicts(input([file("r-smoke", sealed("smoke"))]));
    assert.equal(findings[0]?.status, "passed");
    assert.equal(findings[1]?.status, "failed");
    assert.equal(
      findings[1]?.reason,
      `No post-deploy verdict of DEV for tenant-instance-management in ${dir}. ${rerun("post-deploy")}`,
    );
  });

  test("for the access service the command names --service access-management", () => {
    const finding = smoke([], { service: "access-management" });
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `No smoke verdict of DEV for access-management in ${dir}. ${rerun("smoke", " --service access-management")}`,
    );
  });

  test("unreadable verdict files are counted in the reason", () => {
    const broken: VerdictFile = {
      file: `${dir}/r-9/verdict.json`,
      verdict: null,
      problem: "it is missing or not valid JSON",
      reportIntact: null,
      envelope: null,
    };
    const finding = smoke([broken]);
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /^No smoke verdict of DEV for .* in \/reports\/runs \(1 verdict file\(s\) there could not be read\)\. Run /,
    );
    assert.deepEqual(finding.evidence.unreadable, [
      { file: `${dir}/r-9/verdict.json`, problem: "it is missing or not valid JSON" },
    ]);
  });

  test("a failed verdict does not gate, with its outcome and reasons", () => {
    const finding = smoke([
      file(
        "r-smoke",
        sealed("smoke", {
          outcome: "failed",
          exitCode: 1,
          reasons: ["tenant-deploy/8: failed (GET /health -> 503)"],
        }),
      ),
    ]);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `The newest smoke verdict of DEV for these bits, ${dir}/r-smoke/verdict.json, does not gate: the verdict's outcome is failed (exit 1): tenant-deploy/8: failed (GET /health -> 503). ${rerun("smoke")}`,
    );
  });

  test("a verdict older than maxAgeMs does not gate", () => {
    const finding = smoke([file("r-smoke", sealed("smoke", { endedAt: "2026-11-29T06:00:00.000Z" }))]);
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /for these bits, .*, does not gate: the verdict is 2880 min old, older than the allowed 1440 min\. Run `npm run verify/,
    );
  });

  test("a verdict exactly maxAgeMs old still gates", () => {
    const finding = smoke([file("r-smoke", sealed("smoke", { endedAt: "2026-11-30T06:00:00.000Z" }))]);
    assert.equal(finding.status, "passed");
  });

  test("a verdict for other bits does not gate, naming both CodeSha256", () => {
    const finding = smoke([file("r-smoke", sealed("smoke", { codeSha256: "sha-dev-before" }))]);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `The newest smoke verdict of DEV, ${dir}/r-smoke/verdict.json, does not gate: the verdict is for CodeSha256 sha-dev-before, the bits to promote are ${bits}. ${rerun("smoke")}`,
    );
  });

  test("a refused verdict for these bits is reported before a newer one for other bits", () => {
    const finding = smoke([
      file("r-1", sealed("smoke", { outcome: "failed", exitCode: 1, reasons: ["x: failed"] })),
      file("r-2", sealed("smoke", { codeSha256: "sha-next", endedAt: "2026-12-01T05:00:00.000Z" })),
    ]);
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /^The newest smoke verdict of DEV for these bits, \/reports\/runs\/r-1\/verdict\.json, does not gate: the verdict's outcome is failed/,
    );
  });

  test("a partial verdict does not gate, saying how it was narrowed", () => {
    const finding = smoke([
      file(
        "r-smoke",
        sealed("smoke", {
          scope: { complete: false, narrowedBy: ["--grep @probe"], shard: null },
          notCovered: ["tenant-deploy/8", "tenant-deploy/9"],
        }),
      ),
    ]);
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /does not gate: the verdict is partial \(--grep @probe\): 2 item\(s\) of the suite were not checked\. Run /,
    );
  });

  test("a verdict whose report was changed after it (reportIntact false) does not gate", () => {
    const finding = smoke([file("r-smoke", sealed("smoke"), false)]);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `The newest smoke verdict of DEV for these bits, ${dir}/r-smoke/verdict.json, does not gate: its run folder no longer hashes to the verdict's reportSha256: the report was changed after the verdict. ${rerun("smoke")}`,
    );
  });

  test("an unsealed verdict (no reportSha256) does not gate", () => {
    const finding = smoke([file("r-smoke", sealed("smoke", { reportSha256: null }), null)]);
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /does not gate: the verdict has no report hash, so its evidence is not sealed\./,
    );
  });

  test("another service's or environment's verdict is ignored", () => {
    const finding = smoke([
      file("r-access", sealed("smoke", { service: "access-management" })),
      file("r-sit", sealed("smoke", { environment: "sit" })),
    ]);
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /^No smoke verdict of DEV for tenant-instance-management in \/reports\/runs\. Run /,
    );
    assert.deepEqual(finding.evidence.candidates, []);
  });

  test("a verdict of another suite does not stand in for this one", () => {
    const finding = smoke([file("r-pre", sealed("pre-promotion"))]);
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /^No smoke verdict of DEV/);
  });

  test("the newest usable verdict among several wins", () => {
    const finding = smoke([
      file("r-1", sealed("smoke", { runId: "r-1", endedAt: "2026-12-01T01:00:00.000Z" })),
      file("r-3", sealed("smoke", { runId: "r-3", endedAt: "2026-12-01T05:00:00.000Z" }), false),
      file("r-2", sealed("smoke", { runId: "r-2", endedAt: "2026-12-01T03:00:00.000Z" })),
      file(
        "r-4",
        sealed("smoke", { runId: "r-4", endedAt: "2026-12-01T05:30:00.000Z", codeSha256: "other" }),
      ),
    ]);
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `DEV's smoke verdict ${dir}/r-2/verdict.json passed for these bits at 2026-12-01T03:00:00.000Z (run r-2).${unchecked}`,
    );
    const candidates = finding.evidence.candidates;
    assert.ok(Array.isArray(candidates));
    assert.deepEqual(
      candidates.map((c: { file: string }) => c.file),
      ["r-4", "r-3", "r-2", "r-1"].map((run) => `${dir}/${run}/verdict.json`),
    );
  });

  test("the newest complete run for these bits decides: a newer failure is not outweighed by an older pass", () => {
    const finding = smoke([
      file("r-1", sealed("smoke", { runId: "r-1", endedAt: "2026-12-01T01:00:00.000Z" })),
      file(
        "r-2",
        sealed("smoke", {
          runId: "r-2",
          endedAt: "2026-12-01T05:00:00.000Z",
          outcome: "failed",
          exitCode: 1,
          reasons: ["tenant-deploy/5.2/api-health: failed"],
        }),
      ),
    ]);
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /r-2\/verdict\.json, does not gate: the verdict's outcome is failed/);
  });

  test("unknown bits (null) match no verdict and fail saying so", () => {
    const finding = smoke([file("r-smoke", sealed("smoke"))], { codeSha256: null });
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `The bits DEV serves are unknown, so no smoke verdict can be matched to them. ${rerun("smoke")}`,
    );
  });

  test("unknown bits fail even against a verdict that recorded an empty CodeSha256", () => {
    // "" is what bitsOf gives for a single function that reports no CodeSha256: unknown bits as well.
    for (const codeSha256 of [null, ""]) {
      const finding = smoke([file("r-smoke", sealed("smoke", { codeSha256: "" }))], { codeSha256 });
      assert.equal(finding.status, "failed", `bits ${JSON.stringify(codeSha256)}`);
      assert.match(
        finding.reason,
        /^The bits DEV serves are unknown, so no smoke verdict can be matched to them\./,
      );
    }
  });
});

describe("judgeSourceVerdicts with trusted verdict keys", () => {
  const signer = generateKeyPairSync("ed25519");
  const stranger = generateKeyPairSync("ed25519");
  const trustedKeys = {
    source: "/keys/trusted.pub",
    keys: [{ keyid: verdictKeyId(signer.publicKey), key: signer.publicKey }],
  };
  const signed = (verdict: Verdict, key = signer.privateKey) =>
    file("r-smoke", verdict, true, envelopeOf("r-smoke", signVerdict(verdict, key)));
  const judge = (f: VerdictFile) => smoke([f], { trustedKeys });
  const refusedBecause = (f: VerdictFile) => {
    const finding = judge(f);
    assert.equal(finding.status, "failed");
    const prefix = `The newest smoke verdict of DEV for these bits, ${dir}/r-smoke/verdict.json, does not gate: `;
    assert.ok(finding.reason.startsWith(prefix), finding.reason);
    assert.ok(finding.reason.endsWith(` ${rerun("smoke")}`), finding.reason);
    return finding.reason.slice(prefix.length, -rerun("smoke").length - 1);
  };

  test("a verdict whose envelope a trusted key signed, and which matches it, passes saying so", () => {
    const finding = judge(signed(sealed("smoke")));
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `DEV's smoke verdict ${dir}/r-smoke/verdict.json passed for these bits at 2026-12-01T00:01:00.000Z (run r-smoke). Its envelope ${dir}/r-smoke/verdict.dsse.json is signed by a trusted key (/keys/trusted.pub).`,
    );
    assert.equal(finding.evidence.signatureChecked, true);
  });

  test("without trusted keys an unsigned verdict passes, and the reason says signatures were not checked", () => {
    const finding = smoke([file("r-smoke", sealed("smoke"))]);
    assert.equal(finding.status, "passed");
    assert.ok(finding.reason.endsWith(unchecked), finding.reason);
    assert.equal(finding.evidence.signatureChecked, false);
  });

  test("an unsigned verdict (no envelope) is refused, naming the envelope it lacks", () => {
    assert.equal(
      refusedBecause(file("r-smoke", sealed("smoke"))),
      `it is unsigned: there is no envelope ${dir}/r-smoke/verdict.dsse.json beside it, and the gate requires verdicts signed by a trusted key (/keys/trusted.pub).`,
    );
  });

  test("an envelope signed by a key that is not trusted is refused", () => {
    const reason = refusedBecause(signed(sealed("smoke"), stranger.privateKey));
    assert.match(
      reason,
      new RegExp(
        `^its envelope ${dir}/r-smoke/verdict\\.dsse\\.json is not signed by a trusted key: .*${verdictKeyId(stranger.publicKey)}.* \\(trusted keys: /keys/trusted\\.pub\\)\\.$`,
      ),
    );
  });

  test("an envelope edited after signing (bad signature) is refused", () => {
    const envelope = signVerdict(sealed("smoke", { outcome: "failed", exitCode: 1 }), signer.privateKey);
    const statement = JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8"));
    statement.predicate.outcome = "passed";
    statement.predicate.exitCode = 0;
    const edited: DsseEnvelope = {
      ...envelope,
      payload: Buffer.from(JSON.stringify(statement)).toString("base64"),
    };
    const reason = refusedBecause(file("r-smoke", sealed("smoke"), true, envelopeOf("r-smoke", edited)));
    assert.match(
      reason,
      /^its envelope \/reports\/runs\/r-smoke\/verdict\.dsse\.json has a bad signature \(the envelope was changed after it was signed\): /,
    );
  });

  test("a verdict file edited after it was signed does not match its envelope and is refused", () => {
    // Signed as failed; the file now says passed.
    const envelope = signVerdict(
      sealed("smoke", { outcome: "failed", exitCode: 1, reasons: ["x: failed"] }),
      signer.privateKey,
    );
    const reason = refusedBecause(file("r-smoke", sealed("smoke"), true, envelopeOf("r-smoke", envelope)));
    assert.equal(
      reason,
      `its envelope ${dir}/r-smoke/verdict.dsse.json does not match the verdict file (was the verdict edited after it was signed?): outcome: the envelope says "failed", the verdict "passed"; exitCode: the envelope says 1, the verdict 0.`,
    );
  });

  test("an envelope that is not a DSSE envelope, or not JSON, is refused with why", () => {
    assert.match(
      refusedBecause(file("r-smoke", sealed("smoke"), true, envelopeOf("r-smoke", { hello: 1 }))),
      /^its envelope .*verdict\.dsse\.json is refused: the envelope is not a DSSE envelope \(/,
    );
    const broken: EnvelopeFile = {
      file: `${dir}/r-smoke/verdict.dsse.json`,
      json: null,
      problem: `its envelope ${dir}/r-smoke/verdict.dsse.json cannot be read: it is not valid JSON`,
    };
    assert.equal(
      refusedBecause(file("r-smoke", sealed("smoke"), true, broken)),
      `its envelope ${dir}/r-smoke/verdict.dsse.json cannot be read: it is not valid JSON.`,
    );
  });

  test("a refused signature does not hide an older verdict that is properly signed", () => {
    const older = sealed("smoke", { runId: "r-1", endedAt: "2026-12-01T01:00:00.000Z" });
    const finding = smoke(
      [
        file("r-1", older, true, envelopeOf("r-1", signVerdict(older, signer.privateKey))),
        file("r-2", sealed("smoke", { runId: "r-2", endedAt: "2026-12-01T05:00:00.000Z" })),
      ],
      { trustedKeys },
    );
    assert.equal(finding.status, "passed");
    assert.equal(finding.evidence.used, `${dir}/r-1/verdict.json`);
  });
});

describe("sourceVerdictFindings and the trusted keys setting", () => {
  const root = mkdtempSync(join(tmpdir(), "checks-verdicts-keys-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  const findings = (trustedVerdictKeys: string | null, files: readonly VerdictFile[]) =>
    sourceVerdictFindings({
      serviceId: "tenant-instance-management",
      source: environments.dev,
      codeSha256: bits,
      verdictsDir: dir,
      trustedVerdictKeys,
      now,
      files,
    });

  test("keys that cannot be read fail both suites, naming the path", () => {
    const missing = join(root, "nope.pub");
    const result = findings(missing, [file("r-smoke", sealed("smoke"))]);
    assert.deepEqual(
      result.map((f) => f.status),
      ["failed", "failed"],
    );
    assert.match(
      result[0]?.reason ?? "",
      new RegExp(
        `^The smoke verdicts' signatures cannot be checked: The verdict key from ${missing.replaceAll(".", "\\.")} cannot be used: it does not exist`,
      ),
    );
  });

  test("a key file's public key is trusted", () => {
    const pair = generateVerdictKeyPair(join(root, "pair"));
    const pem = readFileSync(pair.privateKeyFile, "utf8");
    const verdict = sealed("smoke");
    const envelope = signVerdict(verdict, createPrivateKey(pem));
    const [smokeFinding] = findings(pair.publicKeyFile, [
      file("r-smoke", verdict, true, envelopeOf("r-smoke", envelope)),
    ]);
    assert.equal(smokeFinding?.status, "passed", smokeFinding?.reason);
  });
});

describe("readVerdictFiles", () => {
  const root = mkdtempSync(join(tmpdir(), "checks-verdicts-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  /** A fresh runs folder. */
  const runsDir = () => {
    const runs = join(root, `runs-${++n}`);
    mkdirSync(runs, { recursive: true });
    return runs;
  };

  /** A run folder with report files and a verdict sealed over them, as the reporter writes it. */
  function writeRun(runs: string, run: string, name = "verdict.json", over: Partial<Verdict> = {}): string {
    const runDir = join(runs, run);
    mkdirSync(join(runDir, "data"), { recursive: true });
    writeFileSync(join(runDir, "index.html"), "<html>report</html>");
    writeFileSync(join(runDir, "data", "results.json"), '{"tests":3}');
    const verdict = sealed("smoke", { runId: run, reportSha256: computeReportSha256(runDir), ...over });
    writeFileSync(join(runDir, name), JSON.stringify(verdict, null, 2));
    return runDir;
  }

  test("a sealed run folder reads intact", () => {
    const runs = runsDir();
    writeRun(runs, "r-1");
    const files = readVerdictFiles(runs);
    assert.equal(files.length, 1);
    const [read] = files;
    assert.equal(read?.file, join(runs, "r-1", "verdict.json"));
    assert.equal(read?.problem, null);
    assert.equal(read?.reportIntact, true);
    assert.equal(read?.verdict?.runId, "r-1");
    assert.equal(read?.verdict?.codeSha256, bits);
    assert.equal(judgeSourceVerdicts(input(files, { suites: ["smoke"], dir: runs }))[0]?.status, "passed");
  });

  test("a report file changed after the verdict makes reportIntact false", () => {
    const runs = runsDir();
    const runDir = writeRun(runs, "r-1");
    writeFileSync(join(runDir, "data", "results.json"), '{"tests":4}');
    const [read] = readVerdictFiles(runs);
    assert.equal(read?.reportIntact, false);
    assert.equal(read?.problem, null);
    const finding = judgeSourceVerdicts(input(readVerdictFiles(runs), { suites: ["smoke"], dir: runs }))[0];
    assert.equal(finding?.status, "failed");
    assert.match(finding?.reason ?? "", /the report was changed after the verdict/);
  });

  test("a report file added after the verdict makes reportIntact false", () => {
    const runs = runsDir();
    const runDir = writeRun(runs, "r-1");
    writeFileSync(join(runDir, "extra.txt"), "added later");
    assert.equal(readVerdictFiles(runs)[0]?.reportIntact, false);
  });

  test("a verdict without reportSha256 reads with reportIntact null", () => {
    const runs = runsDir();
    writeRun(runs, "r-1", "verdict.json", { reportSha256: null });
    const [read] = readVerdictFiles(runs);
    assert.equal(read?.reportIntact, null);
    assert.equal(read?.verdict?.reportSha256, null);
  });

  test("a broken JSON file gives a problem, and the others are still read", () => {
    const runs = runsDir();
    writeRun(runs, "r-1");
    mkdirSync(join(runs, "r-2"));
    writeFileSync(join(runs, "r-2", "verdict.json"), '{"schemaVersion": 2,');
    const files = readVerdictFiles(runs);
    assert.deepEqual(
      files.map((f) => [f.file, f.verdict === null, f.reportIntact]),
      [
        [join(runs, "r-1", "verdict.json"), false, true],
        [join(runs, "r-2", "verdict.json"), true, null],
      ],
    );
    assert.match(
      files[1]?.problem ?? "",
      /^The verdict .*r-2\/verdict\.json cannot be used: it is missing or not valid JSON\. Re-run the gate \(npm run verify\)/,
    );
  });

  test("a JSON file that is not a verdict gives a schema problem", () => {
    const runs = runsDir();
    mkdirSync(join(runs, "r-1"));
    writeFileSync(join(runs, "r-1", "verdict.json"), '{"schemaVersion": 2}');
    const [read] = readVerdictFiles(runs);
    assert.equal(read?.verdict, null);
    assert.match(read?.problem ?? "", /cannot be used: it does not match the verdict schema \(/);
  });

  test("shard verdicts are not read; a project's verdict is", () => {
    const runs = runsDir();
    const runDir = writeRun(runs, "r-1", "verdict-tenant.json");
    writeFileSync(join(runDir, "verdict.shard-1-of-2.json"), JSON.stringify(sealed("smoke")));
    writeFileSync(join(runDir, "verdict.shard-2-of-2.json"), "not json");
    const files = readVerdictFiles(runs);
    assert.deepEqual(
      files.map((f) => f.file),
      [join(runDir, "verdict-tenant.json")],
    );
    assert.equal(files[0]?.reportIntact, true);
  });

  test("files at the top of the runs folder and other files of a run are not verdicts", () => {
    const runs = runsDir();
    writeFileSync(join(runs, "verdict.json"), "{}");
    writeRun(runs, "r-1");
    assert.deepEqual(
      readVerdictFiles(runs).map((f) => f.file),
      [join(runs, "r-1", "verdict.json")],
    );
  });

  test("the envelope beside a verdict is read, is not a verdict itself, and leaves the report hash unchanged", () => {
    const runs = runsDir();
    const pair = generateKeyPairSync("ed25519");
    const runDir = writeRun(runs, "r-1");
    const projectDir = writeRun(runs, "r-2", "verdict-tenant.json");
    const before = computeReportSha256(runDir);
    for (const path of [join(runDir, "verdict.json"), join(projectDir, "verdict-tenant.json")]) {
      writeVerdictEnvelope(path, JSON.parse(readFileSync(path, "utf8")), pair.privateKey);
    }
    assert.equal(computeReportSha256(runDir), before);
    const files = readVerdictFiles(runs);
    assert.deepEqual(
      files.map((f) => [f.file, f.envelope?.file, f.reportIntact]),
      [
        [join(runDir, "verdict.json"), join(runDir, "verdict.dsse.json"), true],
        [join(projectDir, "verdict-tenant.json"), join(projectDir, "verdict-tenant.dsse.json"), true],
      ],
    );
    const trustedKeys = {
      source: "test",
      keys: [{ keyid: verdictKeyId(pair.publicKey), key: pair.publicKey }],
    };
    const finding = judgeSourceVerdicts(input(files, { suites: ["smoke"], dir: runs, trustedKeys }))[0];
    assert.equal(finding?.status, "passed", finding?.reason);
  });

  test("an envelope that is not JSON is read as a problem", () => {
    const runs = runsDir();
    const runDir = writeRun(runs, "r-1");
    writeFileSync(join(runDir, "verdict.dsse.json"), "{not json");
    const [read] = readVerdictFiles(runs);
    assert.equal(
      read?.envelope?.problem,
      `its envelope ${join(runDir, "verdict.dsse.json")} cannot be read: it is not valid JSON`,
    );
  });

  test("an absent folder is no verdict", () => {
    assert.deepEqual(readVerdictFiles(join(root, "does-not-exist")), []);
  });
});

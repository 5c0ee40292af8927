/** Attestation records (schema v2) on disk, their canonical payload, and the allowed-signers parser. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import {
  type AttestationFile,
  type AttestationRecord,
  AttestationRecordSchema,
  allowedSignersFile,
  attestationRecordPath,
  attestationsDir,
  canonicalPayload,
  DEFAULT_ALLOWED_SIGNERS,
  parseAllowedSigners,
  principalsForRole,
  readAllowedSigners,
  readAttestations,
  referencePatternFrom,
  rolesByPrincipal,
  SANDBOX_TEST_PEOPLE,
  whoMaySign,
  writeAttestationRecord,
} from "../../lib/attest/index.ts";
import { attesterRoles } from "../../runbooks/schema.ts";

const record: AttestationRecord = {
  schemaVersion: 2,
  itemId: "tenant-deploy/7.1/rollback-plan-reviewed",
  service: "tenant-instance-management",
  environment: "prod",
  codeSha256: `${"A".repeat(43)}=`,
  principal: "alice+ops@bbws.example",
  role: "release-manager",
  reference: "CHG-12345",
  attestedAt: "2026-11-22T09:00:00.000Z",
  signature: "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n",
};

const dir = mkdtempSync(join(tmpdir(), "attest-record-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("AttestationRecordSchema", () => {
  test("accepts a complete record, and one without signature (the judge refuses it as unsigned)", () => {
    assert.equal(AttestationRecordSchema.safeParse(record).success, true);
    const { signature: _signature, ...unsigned } = record;
    assert.equal(AttestationRecordSchema.safeParse(unsigned).success, true);
  });

  test("refuses unknown fields, a bad reference, bad bits and an expiry before attestedAt", () => {
    const issues = (value: unknown) =>
      AttestationRecordSchema.safeParse(value).error?.issues.map(
        (i) => `${i.path.join(".")}: ${i.message}`,
      ) ?? [];
    assert.ok(issues({ ...record, extra: 1 }).some((m) => /extra|Unrecognized/.test(m)));
    assert.deepEqual(issues({ ...record, reference: "JIRA-1" }), [
      "reference: must be a change-request reference such as CHG-12345 (CHG- and digits)",
    ]);
    assert.deepEqual(issues({ ...record, codeSha256: "abc=" }), [
      'codeSha256: must be a Lambda CodeSha256 (44 base64 characters) or "combined:<base64>"',
    ]);
    assert.deepEqual(issues({ ...record, expiresAt: record.attestedAt }), [
      "expiresAt: must be after attestedAt",
    ]);
  });

  test("the reference pattern comes from HARNESS_REFERENCE_PATTERN", () => {
    assert.equal(referencePatternFrom({}).source, "^CHG-\\d+$");
    assert.equal(referencePatternFrom({ HARNESS_REFERENCE_PATTERN: "^INC-\\d+$" }).test("INC-4"), true);
    assert.throws(
      () => referencePatternFrom({ HARNESS_REFERENCE_PATTERN: "(" }),
      /HARNESS_REFERENCE_PATTERN/,
    );
  });
});

describe("canonicalPayload", () => {
  test("is every field but the signature, keys sorted, no whitespace", () => {
    assert.equal(
      canonicalPayload(record),
      '{"attestedAt":"2026-11-22T09:00:00.000Z","codeSha256":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","environment":"prod","itemId":"tenant-deploy/7.1/rollback-plan-reviewed","principal":"alice+ops@bbws.example","reference":"CHG-12345","role":"release-manager","schemaVersion":2,"service":"tenant-instance-management"}',
    );
  });
});

function problemOf(file: AttestationFile | undefined): string {
  return file !== undefined && "problem" in file ? file.problem : "";
}

describe("files", () => {
  test("one file per person under <dir>/<env>/<service>/<item>/, written atomically", () => {
    const root = join(dir, "write");
    const file = writeAttestationRecord(root, record);
    assert.equal(
      file,
      join(
        root,
        "prod",
        "tenant-instance-management",
        "tenant-deploy__7.1__rollback-plan-reviewed",
        "alice_ops@bbws.example.json",
      ),
    );
    assert.equal(attestationRecordPath(root, record), file);
    assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), record);
    writeAttestationRecord(root, { ...record, reference: "CHG-2" });
    assert.deepEqual(
      readdirSync(dirname(file)),
      ["alice_ops@bbws.example.json"],
      "no temporary file is left",
    );
  });

  test("readAttestations gives each file's record or problem, and names the unsigned v1 file", () => {
    const root = join(dir, "read");
    const good = writeAttestationRecord(root, record);
    const folder = dirname(good);
    writeFileSync(join(folder, "broken.json"), "{ nope");
    writeFileSync(join(folder, "wrong.json"), JSON.stringify({ ...record, role: "boss" }));
    writeFileSync(join(folder, "notes.txt"), "ignored");
    mkdirSync(join(root, "prod"), { recursive: true });
    const v1 = join(root, "prod", "tenant-deploy__7.1__rollback-plan-reviewed.json");
    writeFileSync(v1, JSON.stringify({ schemaVersion: 1 }));
    const files = readAttestations(root, "prod", "tenant-instance-management", record.itemId);
    assert.deepEqual(
      files.map((f) => f.file),
      [good, join(folder, "broken.json"), join(folder, "wrong.json"), v1],
    );
    assert.deepEqual(files[0], { file: good, record });
    assert.match(problemOf(files[1]), /^not valid JSON/);
    assert.match(problemOf(files[2]), /^does not match the attestation schema: role: /);
    assert.match(problemOf(files[3]), /schema version 1 attestation: unsigned/);
    assert.deepEqual(readAttestations(root, "sit", "tenant-instance-management", record.itemId), []);
  });

  test("the folder and the allowed-signers file come from flags and variables", () => {
    assert.equal(attestationsDir({ HARNESS_ATTESTATIONS_DIR: "/x" }), "/x");
    assert.match(attestationsDir({}), /attestations$/);
    assert.equal(allowedSignersFile("/flag", { HARNESS_ALLOWED_SIGNERS: "/env" }), "/flag");
    assert.equal(allowedSignersFile(undefined, { HARNESS_ALLOWED_SIGNERS: "/env" }), "/env");
    assert.equal(allowedSignersFile(undefined, {}), DEFAULT_ALLOWED_SIGNERS);
  });
});

describe("parseAllowedSigners", () => {
  const KEY = "AAAAC3NzaC1lZDI1NTE5AAAAIKh4u2iM7qrVev0S4Ug0IY8QJDI2mzklzHop5otko4G0";
  const text = [
    "# a comment",
    "",
    `alice@bbws.example namespaces="bbws-attest-release-manager,bbws-attest-prod-approver,git" ssh-ed25519 ${KEY} laptop`,
    `bob@bbws.example,robert@bbws.example valid-after="20260101",namespaces="bbws-attest-qa-lead" ssh-ed25519 ${KEY}`,
    `carol@bbws.example ssh-ed25519 ${KEY}`,
    `dave@bbws.example namespaces="bbws-attest-boss" ssh-ed25519 ${KEY}`,
    "nonsense",
  ].join("\n");
  const parsed = parseAllowedSigners(text);

  test("reads principals and roles; a line without namespaces may sign for any role", () => {
    assert.deepEqual(
      parsed.signers.map((s) => [s.line, s.principals, s.roles]),
      [
        [3, ["alice@bbws.example"], ["release-manager", "prod-approver"]],
        [4, ["bob@bbws.example", "robert@bbws.example"], ["qa-lead"]],
        [5, ["carol@bbws.example"], "any"],
        [6, ["dave@bbws.example"], []],
      ],
    );
    assert.deepEqual(parsed.problems, [
      { line: 6, problem: "names the namespace bbws-attest-boss, but boss is not a role" },
      { line: 7, problem: "is not `principal [options] key-type base64-key`" },
    ]);
  });

  test("answers who may sign for a role", () => {
    assert.deepEqual(principalsForRole(parsed, "prod-approver"), [
      "alice@bbws.example",
      "carol@bbws.example",
    ]);
    assert.deepEqual([...(rolesByPrincipal(parsed).get("robert@bbws.example") ?? [])], ["qa-lead"]);
    assert.equal(
      whoMaySign(parsed, "prod-approver", "f"),
      "alice@bbws.example, carol@bbws.example may sign for role prod-approver in f",
    );
    assert.match(
      whoMaySign(parseAllowedSigners(""), "qa-lead", "f"),
      /^nobody in f may sign for role qa-lead/,
    );
  });

  test("the repository's file has a header and no keys", () => {
    const repo = readAllowedSigners(DEFAULT_ALLOWED_SIGNERS);
    assert.deepEqual(repo, { signers: [], problems: [] });
    assert.match(
      readFileSync(DEFAULT_ALLOWED_SIGNERS, "utf8"),
      /ssh-keygen -Y verify -f runbooks\/allowed_signers/,
    );
  });
});

describe("SANDBOX_TEST_PEOPLE", () => {
  test("covers every attester role, with at least three distinct prod-approvers", () => {
    const roles = new Set(SANDBOX_TEST_PEOPLE.flatMap((p) => p.roles));
    for (const role of attesterRoles) assert.ok(roles.has(role), role);
    const approvers = SANDBOX_TEST_PEOPLE.filter((p) => p.roles.includes("prod-approver"));
    assert.ok(new Set(approvers.map((p) => p.principal)).size >= 3);
  });
});

/** Signing and verifying attestations with the real ssh-keygen, against test signers' allowed_signers file. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  type AttestationRecord,
  createTestSigners,
  judgeAttestedItem,
  readAllowedSigners,
  readVerifiedAttestations,
  SigningError,
  signAttestation,
  type TestSigners,
  type UnsignedAttestationRecord,
  verifyAttestation,
  verifyAttestations,
  writeAttestationRecord,
} from "../../lib/attest/index.ts";

const ITEM = "tenant-deploy/7.2/environment-approvals";
const unsigned: UnsignedAttestationRecord = {
  schemaVersion: 2,
  itemId: ITEM,
  service: "tenant-instance-management",
  environment: "prod",
  codeSha256: `combined:${"C".repeat(43)}=`,
  principal: "alice@bbws.example",
  role: "prod-approver",
  reference: "CHG-12345",
  attestedAt: "2026-11-22T09:00:00.000Z",
  notes: 'Reviewed the "diff" – ünïcode survives',
};

let dir = "";
let signers: TestSigners;
const key = (principal: string) => signers.signer(principal).privateKey;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "attest-sign-"));
  signers = await createTestSigners(join(dir, "signers"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("signAttestation and verifyAttestation", () => {
  test("a record signed with the principal's key in the role's namespace verifies", async () => {
    const signed = await signAttestation(unsigned, key("alice@bbws.example"));
    assert.match(signed.signature ?? "", /^-----BEGIN SSH SIGNATURE-----\n/);
    assert.deepEqual(await verifyAttestation(signed, signers.allowedSigners), {
      ok: true,
      principal: "alice@bbws.example",
      role: "prod-approver",
    });
  });

  test("a tampered payload is an invalid signature", async () => {
    const signed = await signAttestation(unsigned, key("alice@bbws.example"));
    for (const tampered of [
      { ...signed, reference: "CHG-99999" },
      { ...signed, codeSha256: `${"D".repeat(43)}=` },
      { ...signed, expiresAt: "2027-01-01T00:00:00.000Z" },
    ]) {
      const verification = await verifyAttestation(tampered, signers.allowedSigners);
      assert.equal(verification.ok, false);
      if (verification.ok) continue;
      assert.equal(verification.kind, "invalid-signature", verification.problem);
      assert.match(verification.problem, /changed after it was signed/);
    }
  });

  test("a record whose role was changed after signing is an invalid signature (another namespace)", async () => {
    const signed = await signAttestation({ ...unsigned, role: "release-manager" }, key("alice@bbws.example"));
    const verification = await verifyAttestation(
      { ...signed, role: "prod-approver" },
      signers.allowedSigners,
    );
    assert.equal(verification.ok, false);
    if (!verification.ok) assert.equal(verification.kind, "invalid-signature");
  });

  test("a record naming alice but signed with bob's key is not alice's", async () => {
    const signed = await signAttestation(unsigned, key("bob@bbws.example"));
    const verification = await verifyAttestation(signed, signers.allowedSigners);
    assert.equal(verification.ok, false);
    if (verification.ok) return;
    assert.equal(verification.kind, "wrong-key");
    assert.equal(
      verification.problem,
      "it is not signed by the key of alice@bbws.example (the key belongs to bob@bbws.example)",
    );
  });

  test("a person signing for a role their line does not list is refused for that role", async () => {
    const signed = await signAttestation(
      { ...unsigned, principal: "dave@bbws.example" },
      key("dave@bbws.example"),
    );
    const verification = await verifyAttestation(signed, signers.allowedSigners);
    assert.equal(verification.ok, false);
    if (verification.ok) return;
    assert.equal(verification.kind, "role-not-allowed");
    assert.match(
      verification.problem,
      /^dave@bbws\.example may not sign for role prod-approver \(.* lets them sign for qa-lead, security-reviewer\)$/,
    );
  });

  test("an unsigned record is unsigned, and a missing allowed-signers file is named", async () => {
    const verification = await verifyAttestation(unsigned, signers.allowedSigners);
    assert.equal(verification.ok, false);
    if (!verification.ok) assert.equal(verification.kind, "unsigned");
    const signed = await signAttestation(unsigned, key("alice@bbws.example"));
    const missing = await verifyAttestation(signed, join(dir, "nope"));
    assert.equal(missing.ok, false);
    if (!missing.ok) {
      assert.equal(missing.kind, "no-allowed-signers");
      assert.ok(missing.problem.includes(join(dir, "nope")));
    }
  });

  test("signing with something that is not a key is a SigningError naming the file", async () => {
    await assert.rejects(signAttestation(unsigned, signers.allowedSigners), (error: unknown) => {
      assert.ok(error instanceof SigningError);
      assert.ok(error.message.includes(signers.allowedSigners));
      assert.match(error.message, /--key/);
      return true;
    });
  });

  test("verifications run in parallel and come back in order", async () => {
    const records: AttestationRecord[] = await Promise.all(
      ["alice@bbws.example", "bob@bbws.example", "carol@bbws.example"].map((principal) =>
        signAttestation({ ...unsigned, principal }, key(principal)),
      ),
    );
    const tampered = { ...(records[1] as AttestationRecord), notes: "edited" };
    const results = await verifyAttestations(
      [records[0] as AttestationRecord, tampered, records[2] as AttestationRecord],
      signers.allowedSigners,
    );
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, false, true],
    );
  });
});

describe("readVerifiedAttestations and the judge, end to end", () => {
  test("two prod-approvers' signed files attest the approval item; a forged third is refused", async () => {
    const attestations = join(dir, "attestations");
    for (const principal of ["alice@bbws.example", "bob@bbws.example"])
      writeAttestationRecord(attestations, await signAttestation({ ...unsigned, principal }, key(principal)));
    // Carol's name, Dave's key: the file is refused, the other two still count.
    writeAttestationRecord(
      attestations,
      await signAttestation({ ...unsigned, principal: "carol@bbws.example" }, key("dave@bbws.example")),
    );
    const records = await readVerifiedAttestations({
      dir: attestations,
      env: "prod",
      service: "tenant-instance-management",
      itemId: ITEM,
      allowedSignersFile: signers.allowedSigners,
    });
    assert.equal(records.length, 3);
    const judgement = judgeAttestedItem({
      item: { id: ITEM, title: "Environment approvals", attestedBy: "prod-approver" },
      service: "tenant-instance-management",
      environment: "prod",
      codeSha256: unsigned.codeSha256,
      now: new Date("2026-11-22T10:00:00.000Z"),
      initiator: "erin@bbws.example",
      requiredApprovals: 2,
      records,
    });
    assert.equal(judgement.status, "attested", JSON.stringify(judgement));
    if (judgement.status === "attested")
      assert.deepEqual(
        judgement.attestations.map((a) => a.by),
        ["alice@bbws.example", "bob@bbws.example"],
      );
  });
});

describe("test signers", () => {
  test("the allowed_signers file binds each person to their roles", () => {
    const parsed = readAllowedSigners(signers.allowedSigners);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(
      parsed.signers.map((s) => [s.principals, s.roles]),
      signers.signers.map((s) => [[s.principal], [...s.roles]]),
    );
  });
});

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  type AttestationContext,
  AttestationSchema,
  attestationFileName,
  attestationPath,
  evaluateAttestation,
  readAttestation,
} from "../../lib/verdict/index.ts";

const ITEM = "access-promotion/4.1/change-request-approved";
const valid = {
  schemaVersion: 1,
  itemId: ITEM,
  environment: "prod",
  attestedBy: { name: "Dana Release", role: "release-manager" },
  attestedAt: "2026-11-20T09:00:00.000Z",
  reference: "CHG-12345",
};
const context: AttestationContext = {
  itemId: ITEM,
  environment: "prod",
  requiredRole: "release-manager",
  appVersion: "1.3.0",
  codeSha256: "abc=",
  now: new Date("2026-11-22T00:00:00.000Z"),
};

describe("AttestationSchema", () => {
  test("accepts a complete record", () => {
    assert.equal(AttestationSchema.safeParse(valid).success, true);
  });

  test("rejects a record without who, when or reference, or with unknown fields", () => {
    for (const key of ["attestedBy", "attestedAt", "reference"] as const) {
      const { [key]: _dropped, ...rest } = valid;
      assert.equal(AttestationSchema.safeParse(rest).success, false, `missing ${key} accepted`);
    }
    assert.equal(AttestationSchema.safeParse({ ...valid, approved: true }).success, false);
    assert.equal(AttestationSchema.safeParse({ ...valid, attestedAt: "yesterday" }).success, false);
    assert.equal(AttestationSchema.safeParse({ ...valid, itemId: "not an id" }).success, false);
  });
});

describe("attestation files", () => {
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "attest-"));
    mkdirSync(join(dir, "prod"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("file name replaces slashes with __", () => {
    assert.equal(attestationFileName(ITEM), "access-promotion__4.1__change-request-approved.json");
    assert.equal(
      attestationPath("/a", "prod", ITEM),
      "/a/prod/access-promotion__4.1__change-request-approved.json",
    );
  });

  test("absent, invalid JSON, schema-invalid and valid files are told apart", () => {
    assert.equal(readAttestation(dir, "prod", ITEM).kind, "absent");
    writeFileSync(attestationPath(dir, "prod", ITEM), "{not json");
    assert.equal(readAttestation(dir, "prod", ITEM).kind, "invalid");
    writeFileSync(attestationPath(dir, "prod", ITEM), JSON.stringify({ ...valid, reference: "" }));
    const invalid = readAttestation(dir, "prod", ITEM);
    assert.equal(invalid.kind, "invalid");
    assert.match(invalid.kind === "invalid" ? invalid.problem : "", /reference/);
    writeFileSync(attestationPath(dir, "prod", ITEM), JSON.stringify(valid));
    assert.equal(readAttestation(dir, "prod", ITEM).kind, "found");
  });
});

describe("evaluateAttestation", () => {
  const found = (overrides: object) => ({
    kind: "found" as const,
    file: "f.json",
    attestation: AttestationSchema.parse({ ...valid, ...overrides }),
  });

  test("a matching record attests the item", () => {
    assert.equal(evaluateAttestation(found({}), context).status, "attested");
    assert.equal(
      evaluateAttestation(found({ appVersion: "1.3.0", codeSha256: "abc=" }), context).status,
      "attested",
    );
  });

  test("absence, wrong env, wrong role, expiry and other bits each make it missing, with the reason", () => {
    const reason = (lookup: Parameters<typeof evaluateAttestation>[0]) => {
      const decision = evaluateAttestation(lookup, context);
      return decision.status === "missing-attestation" ? decision.reason : "attested";
    };
    assert.match(reason({ kind: "absent", file: "x.json" }), /no attestation file x.json/);
    assert.match(reason(found({ environment: "sit" })), /for sit, not prod/);
    assert.match(reason(found({ attestedBy: { name: "A", role: "qa-lead" } })), /role qa-lead/);
    assert.match(reason(found({ expiresAt: "2026-11-21T00:00:00.000Z" })), /expired/);
    assert.match(reason(found({ codeSha256: "zzz=" })), /CodeSha256 zzz=/);
    assert.match(reason(found({ appVersion: "1.2.0" })), /app version 1.2.0/);
    assert.match(reason(found({ attestedAt: "2026-12-01T00:00:00.000Z" })), /future/);
  });
});

/** The judge of attested items, on plain data: every refusal, expiry's boundary, approvals and separation of duties. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type AttestationRecord,
  attestCommand,
  CLOCK_SKEW_TOLERANCE_MS,
  type JudgeAttestedItemInput,
  judgeAttestedItem,
  requiredApprovalsFor,
  type Verification,
} from "../../lib/attest/index.ts";

const BITS = `${"A".repeat(43)}=`;
const OTHER_BITS = `${"B".repeat(43)}=`;
const NOW = new Date("2026-11-22T12:00:00.000Z");
const SIGNATURE = "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n";
const OK: Verification = { ok: true, principal: "alice@bbws.example", role: "release-manager" };

const releaseItem = {
  id: "tenant-deploy/7.1/rollback-plan-reviewed",
  title: "Rollback plan reviewed",
  attestedBy: "release-manager",
};
const approvalItem = {
  id: "tenant-deploy/7.2/environment-approvals",
  title: "Environment approvals",
  attestedBy: "prod-approver",
};

function record(overrides: Partial<AttestationRecord> = {}): AttestationRecord {
  return {
    schemaVersion: 2,
    itemId: releaseItem.id,
    service: "tenant-instance-management",
    environment: "prod",
    codeSha256: BITS,
    principal: "alice@bbws.example",
    role: "release-manager",
    reference: "CHG-12345",
    attestedAt: "2026-11-22T09:00:00.000Z",
    signature: SIGNATURE,
    ...overrides,
  };
}

function input(
  records: JudgeAttestedItemInput["records"],
  overrides: Partial<JudgeAttestedItemInput> = {},
): JudgeAttestedItemInput {
  return {
    item: releaseItem,
    service: "tenant-instance-management",
    environment: "prod",
    codeSha256: BITS,
    now: NOW,
    initiator: null,
    requiredApprovals: 1,
    records,
    ...overrides,
  };
}

const FILE =
  "attestations/prod/tenant-instance-management/tenant-deploy__7.1__rollback-plan-reviewed/alice@bbws.example.json";

/** The judgement for one record in FILE, verified ok unless told. */
function judgeOne(rec: AttestationRecord, verification: Verification | "not verified" = OK) {
  return judgeAttestedItem(
    input([
      verification === "not verified"
        ? { file: FILE, record: rec }
        : { file: FILE, record: rec, verification },
    ]),
  );
}

/** Asserts a refusal whose reason and only problem name FILE and match `pattern`. */
function assertRefused(judgement: ReturnType<typeof judgeAttestedItem>, pattern: RegExp): void {
  assert.equal(judgement.status, "missing-attestation");
  if (judgement.status !== "missing-attestation") return;
  assert.equal(judgement.problems.length, 1, JSON.stringify(judgement.problems));
  const [problem] = judgement.problems;
  assert.equal(problem?.file, FILE);
  assert.match(problem?.problem ?? "", pattern);
  assert.match(problem?.problem ?? "", /npm run attest -- /, "the problem says what to do");
  assert.ok(judgement.reason.includes(FILE), judgement.reason);
  assert.match(judgement.reason, pattern);
}

describe("judgeAttestedItem: one attestation", () => {
  test("a valid, verified record for the item, bits and role attests it", () => {
    assert.deepEqual(judgeOne(record()), {
      status: "attested",
      attestations: [
        {
          file: FILE,
          by: "alice@bbws.example",
          role: "release-manager",
          at: "2026-11-22T09:00:00.000Z",
          reference: "CHG-12345",
        },
      ],
    });
  });

  test("no file: missing, with the command that supplies it", () => {
    const judgement = judgeAttestedItem(input([]));
    assert.equal(judgement.status, "missing-attestation");
    if (judgement.status !== "missing-attestation") return;
    assert.deepEqual(judgement.problems, []);
    assert.match(judgement.reason, /No attestation file was found/);
    assert.ok(
      judgement.reason.includes(
        "npm run attest -- --env prod --service tenant-instance-management --item tenant-deploy/7.1/rollback-plan-reviewed --by <you@bbws.example> --role release-manager --reference CHG-<number> --key ~/.ssh/id_ed25519",
      ),
      judgement.reason,
    );
  });

  test("a malformed file is refused with its problem", () => {
    assertRefused(
      judgeAttestedItem(input([{ file: FILE, problem: "not valid JSON (Unexpected token)" }])),
      /not valid JSON.*remove it and sign a new one/,
    );
  });

  test("a record for other bits is refused, naming both", () => {
    assertRefused(
      judgeOne(record({ codeSha256: OTHER_BITS })),
      new RegExp(`other bits.*${OTHER_BITS}.*${BITS}`),
    );
  });

  test("when the run's bits are unknown, no record can match them", () => {
    const judgement = judgeAttestedItem(
      input([{ file: FILE, record: record(), verification: OK }], { codeSha256: null }),
    );
    assertRefused(judgement, /bits under test are unknown/);
  });

  test("a record for another service, environment or item is refused", () => {
    assertRefused(
      judgeOne(record({ service: "access-management" })),
      /for service access-management, not tenant/,
    );
    assertRefused(judgeOne(record({ environment: "sit" })), /promotion to sit, not to prod/);
    assertRefused(
      judgeOne(record({ itemId: "tenant-deploy/7.1/on-call-notified" })),
      /attests tenant-deploy\/7\.1\/on-call-notified, not tenant-deploy\/7\.1\/rollback-plan-reviewed/,
    );
  });

  test("expiry: refused at expiresAt, accepted a millisecond before", () => {
    assertRefused(judgeOne(record({ expiresAt: NOW.toISOString() })), /expired at 2026-11-22T12:00:00\.000Z/);
    const justBefore = new Date(NOW.getTime() + 1).toISOString();
    assert.equal(judgeOne(record({ expiresAt: justBefore })).status, "attested");
  });

  test("attestedAt in the future (beyond the clock-skew tolerance) is refused", () => {
    const beyond = new Date(NOW.getTime() + CLOCK_SKEW_TOLERANCE_MS + 1).toISOString();
    assertRefused(judgeOne(record({ attestedAt: beyond })), /attestedAt .* is in the future/);
    const within = new Date(NOW.getTime() + CLOCK_SKEW_TOLERANCE_MS).toISOString();
    assert.equal(judgeOne(record({ attestedAt: within })).status, "attested");
  });

  test("a record by a role other than the item's attestedBy is refused", () => {
    assertRefused(
      judgeOne(record({ role: "qa-lead" })),
      /signed for role qa-lead; tenant-deploy\/7\.1\/rollback-plan-reviewed needs release-manager/,
    );
  });

  test("an unsigned record is refused, verified or not", () => {
    const { signature: _signature, ...unsigned } = record();
    assertRefused(judgeOne(unsigned, "not verified"), /unsigned/);
    assertRefused(
      judgeOne(unsigned, { ok: false, kind: "unsigned", problem: "it is unsigned (no signature)" }),
      /unsigned/,
    );
  });

  test("a record whose signature was not verified is refused", () => {
    assertRefused(judgeOne(record(), "not verified"), /signature was not verified/);
  });

  test("a failed verification is refused with its reason: invalid, not that person's key, role not allowed", () => {
    const failures: Verification[] = [
      {
        ok: false,
        kind: "invalid-signature",
        problem: "its signature is invalid: the signature does not match the record's content",
      },
      {
        ok: false,
        kind: "wrong-key",
        problem: "it is not signed by the key of alice@bbws.example (the key belongs to bob@bbws.example)",
      },
      {
        ok: false,
        kind: "role-not-allowed",
        problem: "alice@bbws.example may not sign for role release-manager",
      },
    ];
    for (const failure of failures) {
      if (failure.ok) continue;
      assertRefused(judgeOne(record(), failure), new RegExp(failure.problem.replace(/[()]/g, "\\$&")));
    }
  });

  test("several problems of one record are all named", () => {
    const judgement = judgeOne(record({ codeSha256: OTHER_BITS, environment: "sit", role: "qa-lead" }));
    assertRefused(judgement, /promotion to sit.*role qa-lead.*other bits/);
  });

  test("one valid record among refused ones attests the item", () => {
    const judgement = judgeAttestedItem(
      input([
        { file: "a.json", problem: "not valid JSON" },
        { file: "b.json", record: record({ principal: "bob@bbws.example" }), verification: OK },
      ]),
    );
    assert.equal(judgement.status, "attested");
  });
});

describe("judgeAttestedItem: PROD approvals (separation of duties)", () => {
  const approval = (principal: string, file = `${principal}.json`) => ({
    file,
    record: record({ itemId: approvalItem.id, role: "prod-approver", principal }),
    verification: { ok: true, principal, role: "prod-approver" } satisfies Verification,
  });
  const approvals = (
    records: JudgeAttestedItemInput["records"],
    initiator: string | null = "carol@bbws.example",
  ) => judgeAttestedItem(input(records, { item: approvalItem, requiredApprovals: 2, initiator }));

  test("two valid approvals by distinct principals, neither the initiator, pass", () => {
    const judgement = approvals([approval("alice@bbws.example"), approval("bob@bbws.example")]);
    assert.equal(judgement.status, "attested");
    if (judgement.status !== "attested") return;
    assert.deepEqual(
      judgement.attestations.map((a) => a.by),
      ["alice@bbws.example", "bob@bbws.example"],
    );
  });

  test("one approval is not enough", () => {
    const judgement = approvals([approval("alice@bbws.example")]);
    assert.equal(judgement.status, "missing-attestation");
    if (judgement.status !== "missing-attestation") return;
    assert.match(
      judgement.reason,
      /needs 2 signed attestations by distinct prod-approvers other than the initiator \(carol@bbws\.example\); only 1 is valid \(alice@bbws\.example\)/,
    );
    assert.match(judgement.reason, /npm run attest -- --env prod .* --role prod-approver/);
  });

  test("the same person twice counts once", () => {
    const judgement = approvals([
      approval("alice@bbws.example", "alice@bbws.example.json"),
      approval("alice@bbws.example", "copy.json"),
    ]);
    assert.equal(judgement.status, "missing-attestation");
    if (judgement.status !== "missing-attestation") return;
    assert.deepEqual(
      judgement.problems.map((p) => p.file),
      ["copy.json"],
    );
    assert.match(
      judgement.problems[0]?.problem ?? "",
      /alice@bbws\.example already attested in alice@bbws\.example\.json; one person counts once/,
    );
  });

  test("an approval by the initiator is refused: the approver is the initiator", () => {
    const judgement = approvals([approval("alice@bbws.example"), approval("carol@bbws.example")]);
    assert.equal(judgement.status, "missing-attestation");
    if (judgement.status !== "missing-attestation") return;
    assert.equal(judgement.problems.length, 1);
    assert.equal(judgement.problems[0]?.file, "carol@bbws.example.json");
    assert.match(judgement.problems[0]?.problem ?? "", /the approver is the initiator: carol@bbws\.example/);
    assert.match(judgement.reason, /carol@bbws\.example\.json: the approver is the initiator/);
  });

  test("the initiator's approval does not spoil two others", () => {
    const judgement = approvals([
      approval("alice@bbws.example"),
      approval("bob@bbws.example"),
      approval("carol@bbws.example"),
    ]);
    assert.equal(judgement.status, "attested");
  });

  test("an unknown initiator is refused when approvals are required", () => {
    const judgement = approvals([approval("alice@bbws.example"), approval("bob@bbws.example")], null);
    assert.equal(judgement.status, "missing-attestation");
    if (judgement.status !== "missing-attestation") return;
    assert.match(
      judgement.reason,
      /the initiator is unknown: name who starts the promotion with --initiator or HARNESS_INITIATOR/,
    );
  });

  test("an unknown initiator does not matter for an item that is not an approval", () => {
    assert.equal(judgeOne(record()).status, "attested");
  });
});

describe("attestCommand and requiredApprovalsFor", () => {
  test("the exact command line, with the reference and bits when given", () => {
    assert.equal(
      attestCommand({
        env: "dev",
        service: "tenant-instance-management",
        itemId: "tenant-deploy/4.2/skip-tests-emergency-only",
        role: "release-manager",
        reference: "CHG-7",
        principal: "alice@bbws.example",
        codeSha256: BITS,
      }),
      `npm run attest -- --env dev --service tenant-instance-management --item tenant-deploy/4.2/skip-tests-emergency-only --by alice@bbws.example --role release-manager --reference CHG-7 --key ~/.ssh/id_ed25519 --code-sha256 ${BITS}`,
    );
  });

  test("a DEV item's command names the run's bits (DEV has no source to read them from)", () => {
    const judgement = judgeAttestedItem(input([], { environment: "dev" }));
    assert.equal(judgement.status, "missing-attestation");
    if (judgement.status !== "missing-attestation") return;
    assert.ok(judgement.reason.includes(`--code-sha256 ${BITS}`), judgement.reason);
  });

  test("prod-approver items need approvalsRequired, every other item one", () => {
    assert.equal(requiredApprovalsFor({ attestedBy: "prod-approver" }, 2), 2);
    assert.equal(requiredApprovalsFor({ attestedBy: "prod-approver" }, 0), 1);
    assert.equal(requiredApprovalsFor({ attestedBy: "release-manager" }, 2), 1);
  });
});

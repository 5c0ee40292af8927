import assert from "node:assert/strict";
import { createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  codeSha256Hex,
  combinedCodeSha256,
  type DsseEnvelope,
  envelopeMatchesVerdict,
  type FunctionUnderTest,
  generateVerdictKeyPair,
  IN_TOTO_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_TYPE,
  loadSigningKey,
  loadTrustedKeys,
  preAuthEncoding,
  signVerdict,
  VERDICT_PREDICATE_TYPE,
  type Verdict,
  VerdictKeyError,
  VerdictKeyExistsError,
  VerdictKeyMissingError,
  VerdictNotSignableError,
  type VerdictStatement,
  verdictKeyId,
  verdictStatement,
  verifyEnvelope,
} from "../../lib/verdict/index.ts";
import { verdictWith } from "./verdict-fixture.ts";

const b64sha = (text: string) => createHash("sha256").update(text).digest("base64");
const hexsha = (text: string) => createHash("sha256").update(text).digest("hex");

const FUNCTIONS: FunctionUnderTest[] = [
  {
    functionName: "tim-api",
    alias: "latest-dev",
    functionVersion: "7",
    appVersion: "1.4.0",
    codeSha256: b64sha("api zip"),
  },
  {
    functionName: "tim-worker",
    alias: "latest-dev",
    functionVersion: "3",
    appVersion: "1.4.0",
    codeSha256: b64sha("worker zip"),
  },
];

function signable(overrides: Partial<Verdict> = {}): Verdict {
  const functions = overrides.functions ?? FUNCTIONS;
  return verdictWith({
    functions,
    codeSha256: combinedCodeSha256(functions),
    reportSha256: hexsha("reports"),
    ...overrides,
  });
}

const { privateKey, publicKey } = generateKeyPairSync("ed25519");
const other = generateKeyPairSync("ed25519");

/** An envelope over any payload, signed properly: for what the signer itself would never write. */
function envelopeOver(payload: unknown, payloadType = IN_TOTO_PAYLOAD_TYPE, key: KeyObject = privateKey) {
  const bytes = Buffer.from(JSON.stringify(payload), "utf8");
  return {
    payloadType,
    payload: bytes.toString("base64"),
    signatures: [
      {
        keyid: verdictKeyId(key),
        sig: sign(null, preAuthEncoding(payloadType, bytes), key).toString("base64"),
      },
    ],
  };
}

function refusal(envelope: unknown, keys: readonly KeyObject[] = [publicKey]) {
  const result = verifyEnvelope(envelope, keys);
  assert.equal(result.verified, false, "the envelope should have been refused");
  if (result.verified) throw new Error("unreachable");
  return result;
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "verdict-envelope-"));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("digests and PAE", () => {
  test("the subject's hex digest is the base64 CodeSha256 decoded", () => {
    assert.equal(
      codeSha256Hex("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    assert.equal(b64sha("abc"), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
  });

  test("anything but base64 of 32 bytes is not a CodeSha256", () => {
    for (const bad of [
      "",
      "abc=",
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      "combined:x",
    ]) {
      assert.throws(() => codeSha256Hex(bad), /is not a Lambda CodeSha256/);
    }
  });

  test("PAE of the DSSE spec's example, and lengths counted in UTF-8 bytes", () => {
    assert.equal(
      preAuthEncoding("http://example.com/HelloWorld", Buffer.from("hello world")).toString("utf8"),
      "DSSEv1 29 http://example.com/HelloWorld 11 hello world",
    );
    assert.deepEqual(
      preAuthEncoding("t/é", Buffer.from("ü")),
      Buffer.concat([
        Buffer.from("DSSEv1 4 t/"),
        Buffer.from([0xc3, 0xa9]),
        Buffer.from(" 2 "),
        Buffer.from([0xc3, 0xbc]),
      ]),
    );
    assert.equal(preAuthEncoding("", Buffer.alloc(0)).toString(), "DSSEv1 0  0 ");
  });

  test("the keyid is the SHA-256 hex of the public key's SPKI DER, the same from either half", () => {
    const expected = createHash("sha256")
      .update(publicKey.export({ type: "spki", format: "der" }))
      .digest("hex");
    assert.equal(verdictKeyId(publicKey), expected);
    assert.equal(verdictKeyId(privateKey), expected);
  });
});

describe("verdictStatement", () => {
  test("one subject per function with its hex digest, and the verdict's fields as predicate", () => {
    const verdict = signable({ functions: [...FUNCTIONS].reverse() });
    const statement = verdictStatement(verdict);
    assert.deepEqual(statement, {
      _type: IN_TOTO_STATEMENT_TYPE,
      subject: [
        {
          name: "tim-api",
          digest: { sha256: hexsha("api zip") },
          annotations: { alias: "latest-dev", functionVersion: "7", appVersion: "1.4.0" },
        },
        {
          name: "tim-worker",
          digest: { sha256: hexsha("worker zip") },
          annotations: { alias: "latest-dev", functionVersion: "3", appVersion: "1.4.0" },
        },
      ],
      predicateType: VERDICT_PREDICATE_TYPE,
      predicate: {
        outcome: "passed",
        exitCode: 0,
        suite: "smoke",
        service: "tenant-instance-management",
        environment: "dev",
        runId: "r-1",
        reportSha256: hexsha("reports"),
        endedAt: "2026-12-01T00:01:00.000Z",
        codeSha256: `combined:${b64sha(FUNCTIONS.map((fn) => `${fn.functionName}:${fn.codeSha256}`).join("\n"))}`,
        harnessCommit: "abc",
      },
    } satisfies VerdictStatement);
  });

  test("a verdict without reportSha256 refuses to sign", () => {
    assert.throws(
      () => signVerdict(signable({ reportSha256: null }), privateKey),
      (error: unknown) =>
        error instanceof VerdictNotSignableError &&
        error.message ===
          "The verdict of run r-1 cannot be signed: it has no reportSha256, so its evidence is not sealed. " +
            "Sign only a finished verdict (after the reporters wrote reportSha256) whose guard resolved the functions under test; re-run the gate if it has neither.",
    );
  });

  test("a verdict without functions refuses, and every problem is listed at once", () => {
    assert.throws(
      () => verdictStatement(verdictWith({ runId: "r-9" })),
      (error: unknown) => {
        assert.ok(error instanceof VerdictNotSignableError);
        assert.equal(error.runId, "r-9");
        assert.deepEqual(error.problems, [
          "it names no function under test, so it binds no bits (the account guard did not resolve them)",
          "it has no reportSha256, so its evidence is not sealed",
        ]);
        return true;
      },
    );
  });

  test("a CodeSha256 that is not base64 of a digest, or a codeSha256 that disagrees with the functions, refuses", () => {
    const [api] = FUNCTIONS;
    assert.ok(api);
    assert.throws(
      () => verdictStatement(signable({ functions: [{ ...api, codeSha256: "deadbeef" }] })),
      /the CodeSha256 of tim-api \("deadbeef"\) is not base64 of a SHA-256/,
    );
    // 44 characters ending in "=", but not canonical base64 (the last character carries stray bits).
    const stray = "B".repeat(43).concat("=");
    assert.throws(
      () => verdictStatement(signable({ functions: [{ ...api, codeSha256: stray }] })),
      (error: unknown) =>
        error instanceof VerdictNotSignableError && /is not base64 of a SHA-256/.test(error.message),
    );
    assert.throws(
      () => verdictStatement(signable({ codeSha256: b64sha("other") })),
      /its codeSha256 \(.+\) is not the combined digest of its functions \(combined:.+\)/,
    );
  });
});

describe("signVerdict and verifyEnvelope", () => {
  test("round trip: the verified Statement is the verdict's, signed by the trusted key", () => {
    const verdict = signable();
    const envelope = signVerdict(verdict, privateKey);
    assert.equal(envelope.payloadType, "application/vnd.in-toto+json");
    assert.deepEqual(
      envelope.signatures.map((s) => s.keyid),
      [verdictKeyId(publicKey)],
    );
    assert.deepEqual(
      JSON.parse(Buffer.from(envelope.payload, "base64").toString()),
      verdictStatement(verdict),
    );

    const viaJson: unknown = JSON.parse(JSON.stringify(envelope));
    for (const keys of [[publicKey], [other.publicKey, publicKey], [{ keyid: "release", key: publicKey }]]) {
      const result = verifyEnvelope(viaJson, keys);
      assert.ok(result.verified, JSON.stringify(result));
      assert.deepEqual(result.statement, verdictStatement(verdict));
      assert.deepEqual(envelopeMatchesVerdict(result.statement, verdict), { matches: true });
    }
  });

  test("the keyid is only a hint: the trusted key that verified is named, whatever keyid the signature gave", () => {
    const envelope = signVerdict(signable(), privateKey);
    const named = verifyEnvelope(envelope, [{ keyid: "release-2026", key: publicKey }]);
    assert.ok(named.verified);
    assert.equal(named.keyid, "release-2026");
    const anonymous = { ...envelope, signatures: envelope.signatures.map((s) => ({ ...s, keyid: "" })) };
    const result = verifyEnvelope(anonymous, [other.publicKey, publicKey]);
    assert.ok(result.verified);
    assert.equal(result.keyid, verdictKeyId(publicKey));
  });

  test("a tampered payload fails its signature", () => {
    const envelope = signVerdict(signable(), privateKey);
    const statement = JSON.parse(Buffer.from(envelope.payload, "base64").toString());
    statement.predicate.outcome = "failed";
    statement.predicate.exitCode = 1;
    const tampered: DsseEnvelope = {
      ...envelope,
      payload: Buffer.from(JSON.stringify(statement)).toString("base64"),
    };
    const result = refusal(tampered);
    assert.equal(result.kind, "bad-signature");
    assert.match(result.reason, /does not verify: the envelope was changed after it was signed/);
  });

  test("a signature by another key is untrusted", () => {
    const envelope = signVerdict(signable(), other.privateKey);
    const result = refusal(envelope);
    assert.equal(result.kind, "untrusted-key");
    assert.equal(
      result.reason,
      `the envelope is signed by ${verdictKeyId(other.publicKey)}, and none of these is among the 1 trusted key(s)`,
    );
    assert.equal(refusal(envelope, []).kind, "untrusted-key");
  });

  test("another key's signature under a trusted keyid is a bad signature, not a pass", () => {
    const envelope = signVerdict(signable(), other.privateKey);
    const relabelled = {
      ...envelope,
      signatures: envelope.signatures.map((s) => ({ ...s, keyid: verdictKeyId(publicKey) })),
    };
    assert.equal(refusal(relabelled).kind, "bad-signature");
  });

  test("a wrong payloadType is refused, even when the signature covers it", () => {
    const envelope = signVerdict(signable(), privateKey);
    const relabelled = { ...envelope, payloadType: "application/json" };
    const result = refusal(relabelled);
    assert.equal(result.kind, "wrong-payload-type");
    assert.equal(
      result.reason,
      'the envelope\'s payloadType is "application/json", not "application/vnd.in-toto+json"',
    );
    const signedOther = envelopeOver(verdictStatement(signable()), "application/json");
    assert.equal(refusal(signedOther).kind, "wrong-payload-type");
  });

  test("malformed envelopes are refused with the schema's issues", () => {
    for (const bad of [
      null,
      "{}",
      {},
      { payloadType: IN_TOTO_PAYLOAD_TYPE, payload: "e30=", signatures: [] },
      { payloadType: IN_TOTO_PAYLOAD_TYPE, payload: "not base64!", signatures: [{ keyid: "", sig: "AA==" }] },
    ]) {
      assert.equal(refusal(bad).kind, "malformed", JSON.stringify(bad));
    }
    assert.match(
      refusal({ payloadType: IN_TOTO_PAYLOAD_TYPE, payload: "e30=", signatures: [] }).reason,
      /^the envelope is not a DSSE envelope \(signatures: must hold at least one signature\)$/,
    );
  });

  test("a validly signed payload that is not a verdict Statement is refused", () => {
    const statement = verdictStatement(signable());
    const wrongPredicate = envelopeOver({ ...statement, predicateType: "https://slsa.dev/provenance/v1" });
    const result = refusal(wrongPredicate);
    assert.equal(result.kind, "statement-invalid");
    assert.match(result.reason, /predicateType/);

    const noSubjects = refusal(envelopeOver({ ...statement, subject: [] }));
    assert.equal(noSubjects.kind, "statement-invalid");
    assert.match(noSubjects.reason, /subject: must name at least one function/);

    const hexless = { ...statement, subject: [{ name: "tim-api", digest: { sha256: b64sha("x") } }] };
    assert.equal(refusal(envelopeOver(hexless)).kind, "statement-invalid");

    const bytes = Buffer.from("not json");
    const notJson = {
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      payload: bytes.toString("base64"),
      signatures: [
        {
          keyid: "",
          sig: sign(null, preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, bytes), privateKey).toString("base64"),
        },
      ],
    };
    assert.deepEqual(refusal(notJson), {
      verified: false,
      kind: "statement-invalid",
      reason: "the signed payload is not JSON",
    });
  });
});

describe("envelopeMatchesVerdict", () => {
  const statement = verdictStatement(signable());
  const mismatch = (verdict: Verdict) => {
    const result = envelopeMatchesVerdict(statement, verdict);
    assert.equal(result.matches, false);
    return result.matches ? [] : result.reasons;
  };

  test("another run, outcome or report hash is a mismatch, each named", () => {
    assert.deepEqual(mismatch(signable({ runId: "r-2" })), [
      'runId: the envelope says "r-1", the verdict "r-2"',
    ]);
    assert.deepEqual(mismatch(signable({ outcome: "failed", exitCode: 1 })), [
      'outcome: the envelope says "passed", the verdict "failed"',
      "exitCode: the envelope says 0, the verdict 1",
    ]);
    assert.deepEqual(mismatch(signable({ reportSha256: hexsha("other reports") })), [
      `reportSha256: the envelope says "${hexsha("reports")}", the verdict "${hexsha("other reports")}"`,
    ]);
    assert.deepEqual(mismatch(signable({ reportSha256: null })), [
      `reportSha256: the envelope says "${hexsha("reports")}", the verdict null`,
    ]);
  });

  test("other bits, a missing or an extra function is a mismatch", () => {
    const [api, worker] = FUNCTIONS;
    assert.ok(api && worker);
    const rebuilt = { ...worker, codeSha256: b64sha("worker zip v2") };
    const reasons = mismatch(signable({ functions: [api, rebuilt] }));
    assert.ok(
      reasons.includes(
        `tim-worker: the envelope's sha256 is ${hexsha("worker zip")}, the verdict's CodeSha256 ${rebuilt.codeSha256} is ${hexsha("worker zip v2")}`,
      ),
      reasons.join("\n"),
    );
    assert.ok(reasons.some((reason) => reason.startsWith("codeSha256: ")));

    const onlyApi = mismatch(signable({ functions: [api] }));
    assert.ok(onlyApi.includes("the envelope names a subject tim-worker that the verdict did not test"));

    const extra = { ...api, functionName: "tim-extra" };
    const more = mismatch(signable({ functions: [...FUNCTIONS, extra] }));
    assert.ok(more.includes("the envelope names no subject tim-extra, which the verdict tested"));
  });

  test("another alias resolution of the same bits is a mismatch", () => {
    const [api, worker] = FUNCTIONS;
    assert.ok(api && worker);
    assert.deepEqual(mismatch(signable({ functions: [{ ...api, functionVersion: "8" }, worker] })), [
      "tim-api: the envelope has latest-dev -> version 7, the verdict latest-dev -> version 8",
    ]);
  });
});

describe("keys", () => {
  test("generateVerdictKeyPair writes a 0600 private key and its public key, and never overwrites by default", () => {
    const dir = join(tempDir(), "keys");
    const pair = generateVerdictKeyPair(dir);
    assert.equal(pair.privateKeyFile, join(dir, "verdict-signing.key"));
    assert.equal(pair.publicKeyFile, join(dir, "verdict-signing.pub"));
    assert.equal(statSync(pair.privateKeyFile).mode & 0o777, 0o600);

    const loaded = loadSigningKey({ file: pair.privateKeyFile, env: {} });
    assert.equal(loaded.keyid, pair.keyid);
    assert.equal(loaded.source, pair.privateKeyFile);
    const trusted = loadTrustedKeys(pair.publicKeyFile);
    assert.deepEqual(
      trusted.map((t) => [t.keyid, t.file]),
      [[pair.keyid, pair.publicKeyFile]],
    );
    assert.ok(verifyEnvelope(signVerdict(signable(), loaded.key), trusted).verified);

    assert.throws(() => generateVerdictKeyPair(dir), VerdictKeyExistsError);
    const again = generateVerdictKeyPair(dir, { overwrite: true });
    assert.notEqual(again.keyid, pair.keyid);
    assert.equal(statSync(again.privateKeyFile).mode & 0o777, 0o600);
  });

  test("precedence: the flag's file, then HARNESS_VERDICT_KEY_FILE, then HARNESS_VERDICT_KEY", () => {
    const a = generateVerdictKeyPair(join(tempDir(), "a"));
    const b = generateVerdictKeyPair(join(tempDir(), "b"));
    const pemC = other.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const env = { HARNESS_VERDICT_KEY_FILE: b.privateKeyFile, HARNESS_VERDICT_KEY: pemC };

    assert.equal(loadSigningKey({ file: a.privateKeyFile, env }).keyid, a.keyid);
    const fromFileVar = loadSigningKey({ env });
    assert.equal(fromFileVar.keyid, b.keyid);
    assert.equal(fromFileVar.source, `HARNESS_VERDICT_KEY_FILE (${b.privateKeyFile})`);
    const fromPem = loadSigningKey({ env: { HARNESS_VERDICT_KEY: pemC } });
    assert.equal(fromPem.keyid, verdictKeyId(other.publicKey));
    assert.equal(fromPem.source, "HARNESS_VERDICT_KEY");
  });

  test("no key configured names the flag, both variables and how to make a key", () => {
    assert.throws(
      () => loadSigningKey({ env: { HARNESS_VERDICT_KEY: "" } }),
      (error: unknown) =>
        error instanceof VerdictKeyMissingError &&
        /HARNESS_VERDICT_KEY_FILE/.test(error.message) &&
        /HARNESS_VERDICT_KEY to the PEM itself/.test(error.message) &&
        /generateVerdictKeyPair/.test(error.message),
    );
  });

  test("a missing file, a non-PEM, an RSA, an OpenSSH or an encrypted key each says what is wrong and where", () => {
    const dir = tempDir();
    const missing = join(dir, "nope.key");
    const keyError = (fn: () => unknown, source: string, detail: RegExp) =>
      assert.throws(fn, (error: unknown) => {
        assert.ok(error instanceof VerdictKeyError, String(error));
        assert.equal(error.source, source);
        assert.match(error.message, detail);
        return true;
      });

    keyError(
      () => loadSigningKey({ env: { HARNESS_VERDICT_KEY_FILE: missing } }),
      `HARNESS_VERDICT_KEY_FILE (${missing})`,
      /^The verdict key from HARNESS_VERDICT_KEY_FILE \(.+nope\.key\) cannot be used: the file does not exist\. Check the path/,
    );
    keyError(
      () => loadSigningKey({ env: { HARNESS_VERDICT_KEY: "abc" } }),
      "HARNESS_VERDICT_KEY",
      /it is not PEM \(no -----BEGIN line\)/,
    );

    const rsa = join(dir, "rsa.key");
    const rsaKey = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
    writeFileSync(rsa, rsaKey.export({ type: "pkcs8", format: "pem" }));
    keyError(
      () => loadSigningKey({ file: rsa, env: {} }),
      rsa,
      /it is a rsa key, and verdicts are signed with Ed25519/,
    );

    keyError(
      () =>
        loadSigningKey({
          env: {
            HARNESS_VERDICT_KEY:
              "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----\n",
          },
        }),
      "HARNESS_VERDICT_KEY",
      /an OpenSSH private key, not PEM PKCS#8/,
    );

    const encrypted = privateKey
      .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "secret" })
      .toString();
    keyError(
      () => loadSigningKey({ env: { HARNESS_VERDICT_KEY: encrypted } }),
      "HARNESS_VERDICT_KEY",
      /it is encrypted with a passphrase/,
    );

    const publicAsPrivate = publicKey.export({ type: "spki", format: "pem" }).toString();
    keyError(
      () => loadSigningKey({ env: { HARNESS_VERDICT_KEY: publicAsPrivate } }),
      "HARNESS_VERDICT_KEY",
      /^The verdict key from HARNESS_VERDICT_KEY cannot be used: it is a public key, not the private one\. Sign with the PEM \(PKCS#8\) private key \(verdict-signing\.key\); the public key is for the verifiers\.$/,
    );
  });

  test("trusted keys: every .pub/.pem of a directory, several per file, and every bad file listed", () => {
    const dir = tempDir();
    const pem = (key: KeyObject) => key.export({ type: "spki", format: "pem" }).toString();
    writeFileSync(join(dir, "release.pem"), `${pem(publicKey)}${pem(other.publicKey)}`);
    writeFileSync(join(dir, "README.md"), "not a key");
    const trusted = loadTrustedKeys(dir);
    assert.deepEqual(
      trusted.map((t) => t.keyid),
      [verdictKeyId(publicKey), verdictKeyId(other.publicKey)],
    );

    writeFileSync(join(dir, "oops.pem"), privateKey.export({ type: "pkcs8", format: "pem" }));
    writeFileSync(join(dir, "ssh.pub"), "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA me@host\n");
    assert.throws(
      () => loadTrustedKeys(dir),
      (error: unknown) => {
        assert.ok(error instanceof VerdictKeyError);
        assert.match(error.message, /oops\.pem: holds a private key; trust only its public key/);
        assert.match(
          error.message,
          /ssh\.pub: no PEM block \(an OpenSSH public key: convert it with ssh-keygen/,
        );
        return true;
      },
    );

    const empty = join(dir, "empty");
    mkdirSync(empty);
    assert.throws(() => loadTrustedKeys(empty), /the directory holds no \.pub or \.pem file/);
    assert.throws(() => loadTrustedKeys(join(dir, "absent")), /it does not exist or cannot be read/);
  });
});

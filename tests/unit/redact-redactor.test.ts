import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  createLineRedactor,
  REDACTED,
  Redactor,
  registerEnvironmentSecrets,
  secretsInCredentialsFile,
} from "../../lib/redact/index.ts";

const JWT =
  "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzbW9rZSIsInRva2VuX3VzZSI6ImlkIn0.c2lnbmF0dXJlLWJ5dGVzLWhlcmU";

describe("Redactor", () => {
  test("replaces a registered secret everywhere, including its JSON-escaped and URL-encoded forms", () => {
    const redactor = new Redactor();
    const password = 'p@ss"word/with\\odd chars';
    redactor.register(password);
    assert.equal(
      redactor.redact(`login with ${password} twice ${password}`),
      `login with ${REDACTED} twice ${REDACTED}`,
    );
    const json = JSON.stringify({ note: password });
    assert.ok(!redactor.redact(json).includes("word/with"), redactor.redact(json));
    assert.ok(!redactor.redact(`?q=${encodeURIComponent(password)}`).includes("odd"));
  });

  test("replaces the longer of two overlapping secrets whole", () => {
    const redactor = new Redactor();
    redactor.register("abcd");
    redactor.register("abcdefgh");
    assert.equal(redactor.redact("x abcdefgh y"), `x ${REDACTED} y`);
  });

  test("ignores values too short to be secrets, so ordinary text survives", () => {
    const redactor = new Redactor();
    assert.equal(redactor.register("ab"), false);
    assert.equal(redactor.register(undefined), false);
    assert.equal(redactor.redact("ab cd"), "ab cd");
  });

  test("redacts JWTs without any registration", () => {
    const redactor = new Redactor();
    assert.equal(redactor.redact(`token=${JWT}.`), `token=${REDACTED}.`);
  });

  test("redacts Authorization headers in header, JSON and log forms", () => {
    const redactor = new Redactor();
    assert.equal(redactor.redact("Authorization: Bearer abc.def"), `Authorization: ${REDACTED}`);
    assert.equal(
      redactor.redact('{"authorization":"Basic Zm9vOmJhcg=="}'),
      `{"authorization":"${REDACTED}"}`,
    );
    assert.equal(
      redactor.redact("authorization=AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/x, Signature=00ff"),
      `authorization=${REDACTED}`,
    );
  });

  test("redacts AWS secret keys and session tokens but keeps access key ids", () => {
    const redactor = new Redactor();
    const out = redactor.redact(
      [
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "aws_session_token=IQoJb3JpZ2luX2VjEXAMPLE",
        '{"SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","AccessKeyId":"ASIAEXAMPLE"}',
      ].join("\n"),
    );
    assert.ok(!out.includes("wJalrXUtnFEMI"), out);
    assert.ok(!out.includes("IQoJb3JpZ2luX2VjEXAMPLE"), out);
    assert.ok(out.includes("AKIAIOSFODNN7EXAMPLE"));
    assert.ok(out.includes("ASIAEXAMPLE"));
  });

  test("redacts passwords in env dumps and Cognito AuthParameters", () => {
    const redactor = new Redactor();
    assert.equal(redactor.redact("BBWS_DEV_SMOKE_PASSWORD=Hunter2!x"), `BBWS_DEV_SMOKE_PASSWORD=${REDACTED}`);
    assert.equal(
      redactor.redact('{"AuthParameters":{"USERNAME":"smoke","PASSWORD":"Hunter2!x"}}'),
      `{"AuthParameters":{"USERNAME":"smoke","PASSWORD":"${REDACTED}"}}`,
    );
    assert.equal(redactor.redact("password must be 8 chars"), "password must be 8 chars");
  });

  test("redactValue replaces values under secret keys and keeps pagination tokens", () => {
    const redactor = new Redactor();
    const value = redactor.redactValue({
      items: [{ id: "ten_1", password: "x" }],
      nextToken: "opaque-cursor",
      IdToken: "not-a-jwt-but-secret-by-key",
      nested: { Authorization: "Bearer z", note: `see ${JWT}` },
    });
    assert.deepEqual(value, {
      items: [{ id: "ten_1", password: REDACTED }],
      nextToken: "opaque-cursor",
      IdToken: REDACTED,
      nested: { Authorization: REDACTED, note: `see ${REDACTED}` },
    });
  });

  test("redactHeaders lower-cases names and blanks secret headers", () => {
    const redactor = new Redactor();
    assert.deepEqual(
      redactor.redactHeaders({
        Authorization: "Bearer x",
        "X-Request-Id": "req-1",
        "set-cookie": ["a=b", "c=d"],
      }),
      { authorization: REDACTED, "x-request-id": "req-1", "set-cookie": REDACTED },
    );
  });
});

describe("registerEnvironmentSecrets", () => {
  test("registers AWS secrets, *_PASSWORD variables, named extras and the credentials file's secrets", () => {
    const dir = mkdtempSync(join(tmpdir(), "redact-"));
    try {
      const credentials = join(dir, "credentials");
      writeFileSync(
        credentials,
        "[bbws-dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = devSecretKey123\n[bbws-sit]\naws_secret_access_key=sitSecretKey456\n",
      );
      const redactor = new Redactor();
      registerEnvironmentSecrets(
        {
          AWS_SECRET_ACCESS_KEY: "envSecretKey789",
          BBWS_DEV_SMOKE_PASSWORD: "smokePass!1",
          CUSTOM_SOURCE: "customSecret",
          PATH: "/usr/bin",
          AWS_SHARED_CREDENTIALS_FILE: credentials,
        },
        ["CUSTOM_SOURCE"],
        redactor,
      );
      const out = redactor.redact(
        "devSecretKey123 sitSecretKey456 envSecretKey789 smokePass!1 customSecret /usr/bin AKIADEV",
      );
      assert.equal(out, `${REDACTED} ${REDACTED} ${REDACTED} ${REDACTED} ${REDACTED} /usr/bin AKIADEV`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("secretsInCredentialsFile reads only secret lines", () => {
    assert.deepEqual(secretsInCredentialsFile("[a]\naws_access_key_id=AKIA\naws_session_token = tok\n"), [
      "tok",
    ]);
  });
});

describe("createLineRedactor", () => {
  test("catches a secret split across two chunks", () => {
    const redactor = new Redactor();
    redactor.register("splitSecretValue");
    let written = "";
    const stream = createLineRedactor((text) => {
      written += text;
    }, redactor);
    stream.push("line one splitSec");
    stream.push("retValue end\nlast ");
    stream.push("line");
    stream.end();
    assert.equal(written, `line one ${REDACTED} end\nlast line`);
  });
});

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { sandboxVerdictKeyEnv, sandboxVerdictKeys } from "../../lib/run/index.ts";
import { loadSigningKey, loadTrustedKeys } from "../../lib/verdict/index.ts";

describe("the sandbox's throw-away verdict key pair", () => {
  const root = mkdtempSync(join(tmpdir(), "sandbox-keys-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const stateDir = () => join(root, `state-${++n}`);

  test("is made in <state>/verdict-keys/ on first use and reused after", () => {
    const dir = stateDir();
    const first = sandboxVerdictKeys(dir);
    assert.equal(first.created, true);
    assert.equal(first.privateKeyFile, join(dir, "verdict-keys", "verdict-signing.key"));
    assert.equal(first.publicKeyFile, join(dir, "verdict-keys", "verdict-signing.pub"));
    assert.equal(statSync(first.privateKeyFile).mode & 0o777, 0o600);
    const pem = readFileSync(first.privateKeyFile, "utf8");
    const again = sandboxVerdictKeys(dir);
    assert.equal(again.created, false);
    assert.equal(readFileSync(again.privateKeyFile, "utf8"), pem);
  });

  test("half a pair is replaced by a new one", () => {
    const dir = stateDir();
    const first = sandboxVerdictKeys(dir);
    rmSync(first.publicKeyFile);
    assert.equal(sandboxVerdictKeys(dir).created, true);
    const [trusted] = loadTrustedKeys(first.publicKeyFile);
    assert.equal(trusted?.keyid, loadSigningKey({ file: first.privateKeyFile }).keyid);
  });

  test("signs and is trusted by default; the caller's own variables win", () => {
    const dir = stateDir();
    const { env } = sandboxVerdictKeyEnv(dir, {});
    const signing = loadSigningKey({ env });
    const trusted = loadTrustedKeys(env.HARNESS_VERDICT_TRUSTED_KEYS ?? "");
    assert.deepEqual(
      trusted.map((key) => key.keyid),
      [signing.keyid],
    );
    // Their own trusted keys: the sandbox still signs, and their keys are what the gate trusts.
    assert.deepEqual(Object.keys(sandboxVerdictKeyEnv(dir, { HARNESS_VERDICT_TRUSTED_KEYS: "/k" }).env), [
      "HARNESS_VERDICT_KEY_FILE",
    ]);
    // Their own signing key: nothing of the sandbox's, and no pair is made for it.
    const own = stateDir();
    for (const base of [{ HARNESS_VERDICT_KEY_FILE: "/mine.key" }, { HARNESS_VERDICT_KEY: "-----BEGIN" }]) {
      assert.deepEqual(sandboxVerdictKeyEnv(own, base), { env: {}, created: null });
    }
    assert.throws(() => statSync(join(own, "verdict-keys")), { code: "ENOENT" });
  });
});

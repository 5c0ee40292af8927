import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { strToU8, zipSync } from "fflate";
import { findSecretsInTree } from "../../lib/redact/index.ts";

const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzbW9rZS11c2VyIn0.c2lnbmF0dXJlLWJ5dGVz";

describe("findSecretsInTree", () => {
  let root = "";
  before(() => {
    root = mkdtempSync(join(tmpdir(), "scan-"));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test("finds nothing in a clean tree", () => {
    const dir = join(root, "clean");
    mkdirSync(join(dir, "nested"), { recursive: true });
    writeFileSync(join(dir, "a.txt"), "Authorization: [REDACTED]");
    writeFileSync(join(dir, "nested", "b.zip"), zipSync({ "x.json": strToU8('{"ok":true}') }));
    assert.deepEqual(findSecretsInTree(dir, ["s3cretValue"]), []);
  });

  test("finds a secret in a plain file, inside a nested zip, and inside an HTML report's embedded zip", () => {
    const dir = join(root, "dirty");
    mkdirSync(join(dir, "allure-results"), { recursive: true });
    writeFileSync(join(dir, "allure-results", "r.json"), "pw s3cretValue");
    const inner = zipSync({ "trace.network": strToU8(`auth ${JWT}`) });
    writeFileSync(join(dir, "trace.zip"), zipSync({ "inner.zip": inner }));
    const embedded = Buffer.from(zipSync({ "report.json": strToU8("s3cretValue") })).toString("base64");
    writeFileSync(
      join(dir, "index.html"),
      `<script>window.playwrightReportBase64 = "data:application/zip;base64,${embedded}";</script>`,
    );
    const findings = findSecretsInTree(dir, ["s3cretValue"]).map((f) => `${f.file} ${f.match}`);
    assert.deepEqual(findings.sort(), [
      "allure-results/r.json secret #0",
      "index.html#embedded-zip!report.json secret #0",
      "trace.zip!inner.zip!trace.network JWT-shaped string",
    ]);
  });
});

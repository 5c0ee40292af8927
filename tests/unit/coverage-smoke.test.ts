import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  type DeclaredTest,
  declaredTestsFromPlaywrightJson,
  operationIds,
} from "../../lib/contract/index.ts";

const root = join(import.meta.dirname, "../..");
const scratch = mkdtempSync(join(tmpdir(), "coverage-smoke-"));

/** The smoke suite's own tests as Playwright lists them for a project, with annotations and tags. */
function listSmoke(project: string): DeclaredTest[] {
  const listed = spawnSync(
    process.execPath,
    [
      join(root, "node_modules/@playwright/test/cli.js"),
      "test",
      "--list",
      "--reporter=json",
      "--project",
      project,
    ],
    {
      cwd: root,
      encoding: "utf8",
      // A run folder of its own, so listing leaves nothing under reports/runs.
      env: { ...process.env, HARNESS_RUN_ID: "coverage-list", HARNESS_RUN_DIR: join(scratch, project) },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  assert.equal(listed.status, 0, `playwright --list failed:\n${listed.stderr}`);
  // Every suite project also holds the account guard's test (suites/account-guard.spec.ts); it is not a smoke test.
  return declaredTestsFromPlaywrightJson(JSON.parse(listed.stdout)).filter(
    (item) => item.project === project && item.test.startsWith("suites/smoke/"),
  );
}

describe("smoke suite endpoint coverage (declared)", () => {
  let dev: DeclaredTest[] = [];
  before(() => {
    dev = listSmoke("smoke-dev");
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test("every one of the 27 contract operations is declared by at least one smoke test", () => {
    const declared = new Set(dev.flatMap((item) => item.operations));
    const missing = operationIds.filter((id) => !declared.has(id));
    assert.deepEqual(missing, [], `operations with no smoke test: ${missing.join(", ")}`);
  });

  test("operation annotations name only contract operations", () => {
    const known = new Set<string>(operationIds);
    const unknown = dev.flatMap((item) =>
      item.operations.filter((id) => !known.has(id)).map((id) => `${item.test}: ${id}`),
    );
    assert.deepEqual(unknown, []);
  });

  test("every smoke test is tagged @smoke, names a runbook item, and is either @readonly or @mutating", () => {
    for (const item of dev) {
      const tags = item.tags.map((tag) => tag.replace(/^@/, ""));
      assert.ok(tags.includes("smoke"), `${item.test} lacks @smoke`);
      assert.ok(
        item.annotations.some((annotation) => annotation.type === "runbook-item"),
        `${item.test} verifies no runbook item`,
      );
      assert.ok(
        tags.includes("readonly") !== tags.includes("mutating"),
        `${item.test} must be exactly one of @readonly / @mutating`,
      );
    }
  });

  test("the read-only subset still reaches every read operation, and the probe subset is small", () => {
    const readOnly = dev.filter((item) => item.tags.some((tag) => tag.replace(/^@/, "") === "readonly"));
    const reached = new Set(readOnly.flatMap((item) => item.operations));
    for (const id of [
      "health",
      "list-tenants",
      "get-tenant",
      "list-instances",
      "get-instance",
      "invitation-list",
    ]) {
      assert.ok(reached.has(id), `no read-only test reaches ${id}`);
    }
    const probe = dev.filter((item) => item.tags.some((tag) => tag.replace(/^@/, "") === "probe"));
    assert.ok(probe.length >= 2 && probe.length <= 6, `${probe.length} probe tests`);
  });
});

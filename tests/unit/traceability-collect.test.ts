import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { collectTestedItems, TestListingError } from "../../lib/traceability/index.ts";

const dir = join(import.meta.dirname, "../fixtures-data/traceability");

// Each listing starts Playwright (~2 s), so the two run side by side.
describe("collectTestedItems", { concurrency: true }, () => {
  test("lists a Playwright project and maps item ids to test titles", async () => {
    const tested = await collectTestedItems({ cwd: dir, config: "playwright.config.ts" });
    assert.deepEqual(Object.fromEntries(tested), {
      "mini/1/health": ["mini.spec.ts › declares an id no runbook has", "mini.spec.ts › health answers"],
      "mini/1/auth": ["mini.spec.ts › auth › 200 with a token", "mini.spec.ts › auth › 401 without a token"],
      "mini/9/typo": ["mini.spec.ts › declares an id no runbook has"],
    });
  });

  test("a spec that fails to load is an error, not an empty list", async () => {
    await assert.rejects(collectTestedItems({ cwd: dir, config: "broken.config.ts" }), (error: unknown) => {
      assert.ok(error instanceof TestListingError);
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /this spec fails while loading, on purpose/);
      return true;
    });
  });
});

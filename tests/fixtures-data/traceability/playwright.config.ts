// Test data: a tiny Playwright project whose specs declare runbook items, listed by collectTestedItems.
import { defineConfig } from "@playwright/test";

if (process.env.HARNESS_LIST_ONLY !== "1") throw new Error("this config is only ever listed, never run");

export default defineConfig({
  testDir: "specs",
  projects: [{ name: "dev" }, { name: "sit" }],
});

// Test data: a tiny Playwright project run by tests/e2e/verdict-reporter.test.ts with the harness's own
// verdict reporter, to see how the verdict and the process's exit code treat flaky, skipped and
// interrupted tests without a sandbox. HARNESS_RUN_DIR names the run folder.
import { join, resolve } from "node:path";
import { defineConfig } from "@playwright/test";

const runDir = process.env.HARNESS_RUN_DIR;
if (!runDir) throw new Error("set HARNESS_RUN_DIR: this config is run by tests/e2e/verdict-reporter.test.ts");

export default defineConfig({
  testDir: "specs",
  outputDir: join(runDir, "test-results"),
  retries: Number(process.env.FIXTURE_RETRIES ?? "0"),
  workers: 1,
  reporter: [["line"], [resolve(import.meta.dirname, "../../../reports/verdict-reporter.ts"), { runDir }]],
  projects: [
    { name: "smoke-dev", metadata: { suite: "smoke", env: "dev", service: "tenant-instance-management" } },
    { name: "smoke-prod", metadata: { suite: "smoke", env: "prod", service: "tenant-instance-management" } },
  ],
});

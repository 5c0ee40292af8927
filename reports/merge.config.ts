/**
 * Configuration for merging a sharded run: `HARNESS_RUN_DIR=reports/runs/<run-id> npx playwright
 * merge-reports --config reports/merge.config.ts reports/runs/<run-id>/blob`. Produces the same HTML
 * report, JUnit file and verdict as an unsharded run (Allure results were already written by the shards).
 */
import { join, resolve } from "node:path";
import { defineConfig } from "@playwright/test";
import { RUN_ENV, RUN_LAYOUT } from "../lib/run/index.ts";

// Relative to where merge-reports was started, not to this file's folder.
const runDirSetting = process.env[RUN_ENV.runDir];
const runDir = runDirSetting ? resolve(runDirSetting) : undefined;
if (!runDir) {
  throw new Error(
    "Merging needs the run folder: set HARNESS_RUN_DIR=reports/runs/<run-id> (the folder whose blob/ you merge), then run again.",
  );
}
const target = process.env[RUN_ENV.target] ?? "see the shards' verdicts";

export default defineConfig({
  // The shards' file paths are relative to the repository root (playwright.config.ts's folder), not to reports/.
  testDir: "..",
  reporter: [
    [process.env.CI ? "line" : "list"],
    [
      "html",
      {
        outputFolder: join(runDir, RUN_LAYOUT.html),
        open: "never",
        title: `TARGET: ${target.toUpperCase()} | merged`,
      },
    ],
    ["junit", { outputFile: join(runDir, RUN_LAYOUT.junit) }],
    ["./verdict-reporter.ts", { runDir }],
  ],
});

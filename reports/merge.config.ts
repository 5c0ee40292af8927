/**
 * Configuration for merging a sharded run: `HARNESS_RUN_DIR=reports/runs/<run-id> npx playwright
 * merge-reports --config reports/merge.config.ts reports/runs/<run-id>/blob`. Produces the same HTML
 * report, JUnit file and verdict as an unsharded run (Allure results were already written by the shards).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { defineConfig } from "@playwright/test";
import { RUN_ENV, RUN_LAYOUT } from "../lib/run/index.ts";
import { VerdictFieldsSchema } from "../lib/verdict/index.ts";

// Relative to where merge-reports was started, not to this file's folder.
const runDirSetting = process.env[RUN_ENV.runDir];
const runDir = runDirSetting ? resolve(runDirSetting) : undefined;
if (!runDir) {
  throw new Error(
    "Merging needs the run folder: set HARNESS_RUN_DIR=reports/runs/<run-id> (the folder whose blob/ you merge), then run again.",
  );
}

/** The target a shard recorded in its partial verdict, when the shards ran into this folder. */
function shardTarget(dir: string): string | undefined {
  const file = existsSync(dir)
    ? readdirSync(dir).find((name) => /^verdict\.shard-.+\.json$/.test(name))
    : undefined;
  if (!file) return undefined;
  const parsed = VerdictFieldsSchema.pick({ target: true }).safeParse(
    JSON.parse(readFileSync(join(dir, file), "utf8")),
  );
  return parsed.success ? parsed.data.target : undefined;
}
const target =
  process.env[RUN_ENV.target] || shardTarget(runDir) || "as recorded by the shards (see verdict.json)";

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

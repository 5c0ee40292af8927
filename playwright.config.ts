/**
 * Playwright configuration: one project per suite folder x environment (x service). Each project's workers
 * run the account guard of its environment before their first test (fixtures/guard.ts).
 *
 * `npm run verify` sets everything below. To run Playwright directly (`npx playwright test --project smoke-dev`):
 *   HARNESS_RUN_ID   optional; a run id is made up (and the run folder reports/runs/<id>/ created) if unset
 *   HARNESS_RUN_DIR  optional; defaults to reports/runs/<run id>
 *   HARNESS_TARGET   optional; the line the reports show as the target (else the AWS account and profile)
 *   HARNESS_CONFIG   optional; override file for lib/config
 *   HARNESS_<ENV>_AWS_PROFILE, HARNESS_<ENV>_API_URL, HARNESS_<ENV>_COGNITO_USER_POOL_ID/_CLIENT_ID,
 *   BBWS_<ENV>_SMOKE_USERNAME/_PASSWORD, and the standard AWS_* variables (AWS_ENDPOINT_URL, AWS_CONFIG_FILE,
 *   AWS_SHARED_CREDENTIALS_FILE) as for any AWS SDK program.
 */
import { join, resolve } from "node:path";
import { defineConfig, type Project, type ReporterDescription } from "@playwright/test";
import type { HarnessOptions } from "./fixtures/core.ts";
import { loadHarnessConfig } from "./lib/config/index.ts";
import {
  ACCESS_TAG,
  argValue,
  createRunId,
  describeAwsTarget,
  harnessCommit,
  markTimeline,
  parseProjectName,
  parseShard,
  projectName,
  RUN_ENV,
  RUN_LAYOUT,
  runDirFor,
  suiteLayout,
} from "./lib/run/index.ts";
import { environmentIds, type ServiceId } from "./runbooks/schema.ts";

// The SDK warns in every worker that its 2027 releases need Node 22; the project pins Node 20 knowingly.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

markTimeline(
  process.env.TEST_WORKER_INDEX === undefined ? "runner: config loading" : "worker: config loading",
);
const requested = parseProjectName(argValue(process.argv, "--project") ?? "");
// Workers load this file without the CLI arguments, so the runner process hands the shard down by variable.
process.env.HARNESS_SHARD ||= argValue(process.argv, "--shard") ?? "none";
const shard = parseShard(process.env.HARNESS_SHARD);

// Set once in the runner process; workers load this file again and inherit the values.
process.env[RUN_ENV.runId] ||= createRunId(requested?.env ?? "all", requested?.suite ?? "adhoc");
const runId = process.env[RUN_ENV.runId] ?? "";
process.env[RUN_ENV.runDir] = resolve(process.env[RUN_ENV.runDir] || runDirFor(runId));
const runDir = process.env[RUN_ENV.runDir] ?? "";
process.env[RUN_ENV.harnessCommit] ||= harnessCommit();
const commit = process.env[RUN_ENV.harnessCommit] ?? "unknown";

function defaultTarget(): string {
  if (!requested) return "AWS (per environment: see the project's account guard)";
  try {
    return describeAwsTarget(loadHarnessConfig({}).environments[requested.env]);
  } catch {
    // A broken config is reported by the fixtures with the full ConfigError; the header just stays vague.
    return `AWS (${requested.env})`;
  }
}
const target = process.env[RUN_ENV.target] || defaultTarget();
const shardTag = shard ? `-shard-${shard.current}-of-${shard.total}` : "";

const reporter: ReporterDescription[] = [
  [process.env.CI ? "line" : "list"],
  ...(shard
    ? // Each shard writes its own blob folder (the blob reporter empties its folder first); the runner
      // collects them into <run>/blob for `playwright merge-reports --config reports/merge.config.ts`.
      ([
        ["blob", { outputDir: join(runDir, `${RUN_LAYOUT.blob}${shardTag}`) }],
      ] satisfies ReporterDescription[])
    : ([
        [
          "html",
          {
            outputFolder: join(runDir, RUN_LAYOUT.html),
            open: "never",
            title: `TARGET: ${target.toUpperCase()} | run ${runId}`,
          },
        ],
        ["junit", { outputFile: join(runDir, RUN_LAYOUT.junit) }],
      ] satisfies ReporterDescription[])),
  [
    "allure-playwright",
    {
      resultsDir: join(runDir, RUN_LAYOUT.allure),
      detail: true,
      suiteTitle: true,
      environmentInfo: { target, runId, harnessCommit: commit },
    },
  ],
  ["./reports/verdict-reporter.ts", { runDir }],
];

const services: { id: ServiceId; grep?: RegExp; grepInvert?: RegExp }[] = [
  { id: "tenant-instance-management", grepInvert: new RegExp(ACCESS_TAG) },
  { id: "access-management", grep: new RegExp(ACCESS_TAG) },
];

const layout = suiteLayout();
const projects: Project<object, HarnessOptions>[] = [];
for (const env of environmentIds) {
  for (const service of services) {
    const suites = layout.filter((suite) =>
      service.id === "access-management" ? suite.hasAccessSpecs : suite.hasTenantSpecs,
    );
    for (const { suite } of suites) {
      projects.push({
        name: projectName(suite, env, service.id),
        // The suite's folder plus the account guard's own test; every worker runs the guard before its
        // first test (fixtures/guard.ts), so no setup project and no extra worker start is needed.
        testDir: "./suites",
        testMatch: [new RegExp(`/suites/${suite}/.*\\.spec\\.ts$`), /\/suites\/account-guard\.spec\.ts$/],
        use: { envId: env, serviceId: service.id, suiteId: suite },
        metadata: { suite, env, service: service.id },
        ...(service.grep ? { grep: service.grep } : {}),
        ...(service.grepInvert ? { grepInvert: service.grepInvert } : {}),
      });
    }
  }
}

export default defineConfig<object, HarnessOptions>({
  outputDir: join(runDir, `${RUN_LAYOUT.testResults}${shardTag}`),
  fullyParallel: true,
  workers: Number(process.env.HARNESS_WORKERS) || 2,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 60_000,
  reporter,
  metadata: {
    target,
    runId,
    harnessCommit: commit,
    ...(requested ? { environment: requested.env, service: requested.service } : {}),
  },
  projects,
});

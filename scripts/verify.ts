/**
 * `npm run verify -- --env <dev|sit|prod> --suite <suite> [options]` (see USAGE)
 *
 * Runs one suite against one environment with Playwright, writes the run folder (reports/runs/<run-id>/:
 * HTML, JUnit, Allure results, requests.jsonl, evidence, verdict.json) and exits with the verdict's code:
 * 0 passed, 1 a check failed, 2 usage or configuration error (including the account guard), 3 unreachable
 * or inconclusive, 130 interrupted.
 */
import { spawn } from "node:child_process";
import type { KeyObject } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { runWhenMain } from "../lib/cli/index.ts";
import {
  ConfigError,
  envVarName,
  type HarnessConfig,
  loadHarnessConfig,
  requireUsableAll,
} from "../lib/config/index.ts";
import { COVERAGE_FILE, coverageSummaryLine } from "../lib/contract/coverage.ts";
import {
  createLineRedactor,
  findSecretsInTree,
  registerEnvironmentSecrets,
  secretsInCredentialsFile,
} from "../lib/redact/index.ts";
import {
  chooseWorkers,
  createRunId,
  describeAwsTarget,
  harnessCommit,
  isLoopbackUrl,
  isUserRunId,
  markTimeline,
  parseShard,
  projectName,
  RUN_ENV,
  RUN_LAYOUT,
  repoRoot,
  runDirFor,
  SANDBOX_TARGET,
  type SandboxEndpoints,
  type SandboxEnvNotes,
  SecretLeakError,
  sandboxChildEnv,
  sandboxVerdictKeyEnv,
  suiteLayout,
  UsageError,
  withApiOverride,
} from "../lib/run/index.ts";
import { itemMatches, listTests, testLocationsForItems } from "../lib/traceability/index.ts";
import {
  computeReportSha256,
  envelopeFileFor,
  formatVerdictSummary,
  loadSigningKey,
  readVerdict,
  type Verdict,
  VerdictKeyMissingError,
  VerdictNotSignableError,
  VerdictSchema,
  verdictSuites,
  writeVerdictEnvelope,
} from "../lib/verdict/index.ts";
import { allRunbookItems } from "../runbooks/index.ts";
import { type EnvironmentId, environmentIds, type ServiceId, serviceIds } from "../runbooks/schema.ts";
import type { SandboxHandle } from "../sandbox/index.ts";

const USAGE = `Usage: npm run verify -- --env <dev|sit|prod> --suite <smoke|post-deploy|pre-promotion|rollback> [options]

Runs one runbook suite against one environment and writes reports/runs/<run-id>/ (HTML, JUnit, Allure
results, requests.jsonl, verdict.json).

Options:
  --env <dev|sit|prod>       environment to verify (required)
  --suite <name>             suite to run (required): smoke, post-deploy, pre-promotion, rollback
  --service <id>             tenant-instance-management (default) or access-management
  --sandbox                  run against the embedded sandbox (reuses one running from .sandbox/ or
                             $HARNESS_SANDBOX_DIR, else starts one for this run)
  --api-url <url>            call this API instead of the environment's (a local build, a proxy); the
                             target line of every report says so. Same as HARNESS_<ENV>_API_URL.
  --config <file>            override file for environments and thresholds (same as HARNESS_CONFIG)
  --item <id>                run only the tests that verify this runbook item, or every item of a section
                             (--item tenant-deploy/8); repeatable. The verdict is then PARTIAL.
  --grep <pattern>           run only tests whose title matches (Playwright's --grep); the verdict is PARTIAL
  --automated-only           run every automated check and leave the suite's attested items out (they are
                             made later, e.g. after a promotion); the verdict is PARTIAL
  --shard <i/n>              run shard i of n; give every shard the same --run-id, then merge with
                             npm run merge -- --run-id <id>
  --run-id <id>              use this run id (and run folder) instead of a new one
  --workers <n>              Playwright worker processes (1 to 16; default: see below; HARNESS_WORKERS)
  --retries <n>              retry a failed test up to n times (default 0); a pass on retry is FLAKY, which
                             the PROD gate does not accept
  --json                     print the verdict as JSON on stdout (everything else goes to stderr)

Gate inputs (--suite pre-promotion reads all of them, every suite its attestations; the source
environment is the target's promotedFrom in runbooks/environments.ts):
  --verdicts <dir>           folder of run folders with the source's verdicts (default reports/runs/;
                             HARNESS_VERDICTS_DIR)
  --ci-evidence <dir>        the service CI's report files (default reports/ci-evidence/<service>/;
                             HARNESS_CI_EVIDENCE_DIR)
  --attestations <dir>       signed attestations (default attestations/; HARNESS_ATTESTATIONS_DIR)
  --allowed-signers <file>   who may sign for which role (default runbooks/allowed_signers;
                             HARNESS_ALLOWED_SIGNERS)
  --initiator <principal>    who starts the promotion: their own approval does not count (HARNESS_INITIATOR)
  --maintenance-window-confirmed
                             the workflow's maintenance_window=true (HARNESS_MAINTENANCE_WINDOW_CONFIRMED)
  -h, --help                 print this help

Signed verdicts (variables): with HARNESS_VERDICT_KEY_FILE (a PEM PKCS#8 Ed25519 private key) or
HARNESS_VERDICT_KEY (the PEM itself), the run also writes verdict.dsse.json, the verdict as an in-toto
Statement in a DSSE envelope; a key that cannot be read stops the run (exit 2). The gate accepts only
verdicts signed by a key of HARNESS_VERDICT_TRUSTED_KEYS (a PEM public key file or a folder of them); unset,
it does not check signatures. --sandbox signs with, and trusts, the sandbox's throw-away pair unless set.

Workers: a run against a remote API gets 4 worker processes (its tests wait on the network, not on a core);
one against an API on this machine (the sandbox, a local build) gets one per core but one, at least 1 (the
API needs a core), or 4 when the sandbox adds 20 ms or more to each request. --workers or HARNESS_WORKERS choose.

Exit codes: 0 passed; 1 a check failed; 2 usage or configuration error (bad flag, bad override file,
credentials of the wrong account); 3 the target could not be reached or gave no data (inconclusive);
130 interrupted (Ctrl-C). The exit code, verdict.json's exitCode and the printed word always agree.`;

const SEE_HELP = "Run `npm run verify -- --help` for every option.";

type Args = {
  env: EnvironmentId;
  suite: (typeof verdictSuites)[number];
  service: ServiceId;
  sandbox: boolean;
  config: string | undefined;
  shard: { current: number; total: number } | null;
  grep: string | undefined;
  /** Leave the suite's attested items out (the verdict is partial). */
  automatedOnly: boolean;
  items: string[];
  runId: string | undefined;
  apiUrl: string | undefined;
  retries: number;
  /** Worker processes asked for (--workers), or null for the default. */
  workers: number | null;
  json: boolean;
  /** Variables for the pre-promotion gate's inputs, from its flags. */
  gate: Record<string, string>;
};

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[]): T | undefined {
  return allowed.find((candidate) => candidate === value);
}

/** Parses and validates the command line, collecting every problem before failing. */
export function parseVerifyArgs(argv: string[]): Args {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        env: { type: "string" },
        suite: { type: "string" },
        service: { type: "string" },
        sandbox: { type: "boolean" },
        config: { type: "string" },
        shard: { type: "string" },
        grep: { type: "string" },
        "automated-only": { type: "boolean" },
        item: { type: "string", multiple: true },
        "run-id": { type: "string" },
        "api-url": { type: "string" },
        retries: { type: "string" },
        workers: { type: "string" },
        json: { type: "boolean" },
        verdicts: { type: "string" },
        "ci-evidence": { type: "string" },
        attestations: { type: "string" },
        "allowed-signers": { type: "string" },
        initiator: { type: "string" },
        "maintenance-window-confirmed": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError([error instanceof Error ? error.message : String(error)], SEE_HELP);
  }
  const text = (name: string) => (typeof values[name] === "string" ? values[name] : undefined);
  const problems: string[] = [];
  const env = oneOf(text("env"), environmentIds);
  if (!env)
    problems.push(`--env ${text("env") ?? "is missing"}: expected one of ${environmentIds.join(", ")}`);
  const suite = oneOf(text("suite"), verdictSuites);
  if (!suite)
    problems.push(`--suite ${text("suite") ?? "is missing"}: expected one of ${verdictSuites.join(", ")}`);
  const service = oneOf(text("service") ?? "tenant-instance-management", serviceIds);
  if (!service) problems.push(`--service ${text("service")}: expected one of ${serviceIds.join(", ")}`);
  const shardText = text("shard");
  const shard = parseShard(shardText);
  if (shardText && !shard && shardText !== "1/1") {
    problems.push(`--shard ${shardText}: expected i/n with 1 <= i <= n, e.g. 1/2`);
  }
  if (suite && service) {
    const layout = suiteLayout().find((entry) => entry.suite === suite);
    const has = service === "access-management" ? layout?.hasAccessSpecs : layout?.hasTenantSpecs;
    if (!has) {
      const available = suiteLayout()
        .filter((entry) => (service === "access-management" ? entry.hasAccessSpecs : entry.hasTenantSpecs))
        .map((entry) => entry.suite);
      problems.push(
        `--suite ${suite}: has no specs for ${service} yet (suites with specs: ${available.join(", ") || "none"})`,
      );
    }
  }
  const items = Array.isArray(values.item) ? values.item : [];
  for (const item of items) {
    if (!allRunbookItems().some((known) => itemMatches(known.id, item))) {
      const [runbook] = item.split("/");
      const near = allRunbookItems().find((known) => known.id.startsWith(`${runbook}/`));
      problems.push(
        `--item ${item}: no runbook item or section has this id${near ? ` (ids look like ${near.id}; npm run runbook -- list shows them all)` : "; npm run runbook -- list shows every id"}`,
      );
    }
  }
  const runId = text("run-id");
  if (runId !== undefined && !isUserRunId(runId)) {
    problems.push(
      `--run-id ${runId}: expected 3 to 100 letters, digits, dots, dashes or underscores, e.g. 8123456789-smoke`,
    );
  }
  const apiUrl = text("api-url");
  if (apiUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(apiUrl)) {
    problems.push(`--api-url ${apiUrl}: expected an http(s) URL such as http://127.0.0.1:3000`);
  }
  const retriesText = text("retries");
  const retries = retriesText === undefined ? 0 : Number(retriesText);
  if (!Number.isInteger(retries) || retries < 0 || retries > 5) {
    problems.push(`--retries ${retriesText}: expected a whole number from 0 to 5`);
  }
  const workersText = text("workers");
  const workers = workersText === undefined ? null : Number(workersText);
  if (workers !== null && (!Number.isInteger(workers) || workers < 1 || workers > 16)) {
    problems.push(`--workers ${workersText}: expected a whole number from 1 to 16`);
  }
  const gate: Record<string, string> = {};
  for (const [flag, variable, kind] of [
    ["verdicts", RUN_ENV.verdictsDir, "dir"],
    ["ci-evidence", RUN_ENV.ciEvidenceDir, "dir"],
    ["attestations", RUN_ENV.attestationsDir, "dir"],
    ["allowed-signers", RUN_ENV.allowedSigners, "file"],
    ["initiator", RUN_ENV.initiator, "text"],
  ] as const) {
    const value = text(flag);
    if (value === undefined) continue;
    if (kind !== "text" && !existsSync(value)) {
      problems.push(`--${flag} ${value}: no such ${kind === "dir" ? "folder" : "file"}`);
    }
    gate[variable] = kind === "text" ? value : resolve(value);
  }
  if (values["maintenance-window-confirmed"] === true) gate[RUN_ENV.maintenanceWindowConfirmed] = "true";
  const gateOnly = [RUN_ENV.verdictsDir, RUN_ENV.ciEvidenceDir, RUN_ENV.maintenanceWindowConfirmed].filter(
    (variable) => variable in gate,
  );
  if (gateOnly.length > 0 && suite !== undefined && suite !== "pre-promotion") {
    problems.push(
      `--verdicts, --ci-evidence and --maintenance-window-confirmed are the pre-promotion gate's; --suite ${suite} reads none of them`,
    );
  }
  if (problems.length > 0 || !env || !suite || !service) throw new UsageError(problems, SEE_HELP);
  const config = text("config");
  return {
    env,
    suite,
    service,
    sandbox: values.sandbox === true,
    config: config === undefined ? undefined : resolve(config),
    shard,
    grep: text("grep"),
    automatedOnly: values["automated-only"] === true,
    items,
    runId,
    apiUrl,
    retries,
    workers,
    json: values.json === true,
    gate,
  };
}

/** A sandbox already running from this state directory (endpoints file, live pid, its control API answers as itself). */
async function runningSandbox(
  stateDir: string,
): Promise<{ endpoints: SandboxEndpoints & { controlUrl: string }; apiLatencyMs: number } | null> {
  if (!existsSync(join(stateDir, "endpoints.json"))) return null;
  const { inspectStateDir } = await import("../sandbox/state.ts");
  const state = await inspectStateDir(stateDir);
  // Stale state (a killed sandbox) is replaced by the sandbox this run starts; an unconfirmed one refuses there.
  return state.kind === "running" ? { endpoints: state.endpoints, apiLatencyMs: state.apiLatencyMs } : null;
}

function secretValues(env: Record<string, string | undefined>, config: HarnessConfig): string[] {
  const values = Object.values(config.environments).map((e) => env[e.cognito.password.fromEnv]);
  values.push(env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN);
  const credentials = env.AWS_SHARED_CREDENTIALS_FILE;
  if (credentials && existsSync(credentials))
    values.push(...secretsInCredentialsFile(readFileSync(credentials, "utf8")));
  return values.filter((value): value is string => typeof value === "string" && value.length >= 4);
}

/** Where the human-readable lines go: stdout, or stderr when --json keeps stdout for the verdict. */
let humanOut: NodeJS.WriteStream = process.stdout;

function print(line = ""): void {
  humanOut.write(`${line}\n`);
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
function useColor(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR && process.env.FORCE_COLOR !== "0";
}

/** With --json, a run that ends before any verdict still prints one parseable line for scripts. */
let jsonMode = false;

function printJsonError(exitCode: 2 | 3 | 130, outcome: string, reasons: string[]): void {
  if (jsonMode) process.stdout.write(`${JSON.stringify({ outcome, exitCode, reasons, verdict: null })}\n`);
}

function fail(error: unknown): number {
  if (error instanceof UsageError || error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    printJsonError(2, "error", [error.message.split("\n")[0] ?? error.name]);
    return 2;
  }
  throw error;
}

function summary(verdict: Verdict, runDir: string, sharded: boolean): void {
  const rel = (path: string) => relative(process.cwd(), join(runDir, path)) || ".";
  print();
  const width = Math.max(60, Math.min(humanOut.columns ?? 100, 140));
  for (const line of formatVerdictSummary(verdict, { width, color: useColor(humanOut) })) print(line);
  print("Reports:");
  if (!sharded) {
    print(`  HTML     ${rel(join(RUN_LAYOUT.html, "index.html"))}`);
    print(`  JUnit    ${rel(RUN_LAYOUT.junit)}`);
  }
  print(`  Verdict  ${rel(sharded ? "" : RUN_LAYOUT.verdict)}${sharded ? " (verdict.shard-*.json)" : ""}`);
  const envelope = envelopeFileFor(RUN_LAYOUT.verdict);
  if (!sharded && existsSync(join(runDir, envelope))) print(`  Signed   ${rel(envelope)}`);
  print(`  Allure   ${rel(RUN_LAYOUT.allure)}`);
  print(`  Requests ${rel(RUN_LAYOUT.requests)}`);
}

const CoverageSummarySchema = z.object({
  covered: z.number().int(),
  total: z.number().int(),
  uncovered: z.array(z.string()),
});

/** The smoke suite's endpoint coverage line, read (never rewritten: it is sealed by the report hash) from coverage.json. */
function readCoverageSummary(runDir: string): string | null {
  const path = join(runDir, COVERAGE_FILE);
  if (!existsSync(path)) return null;
  const parsed = CoverageSummarySchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!parsed.success) return `Endpoint coverage: ${relative(process.cwd(), path)} is not a coverage report`;
  return `${coverageSummaryLine(parsed.data)}  (${relative(process.cwd(), path)})`;
}

/** Copies this shard's blob zip into <run>/blob, where merge-reports expects all shards. */
function collectBlob(runDir: string, shard: { current: number; total: number }): void {
  const from = join(runDir, `${RUN_LAYOUT.blob}-shard-${shard.current}-of-${shard.total}`);
  const to = join(runDir, RUN_LAYOUT.blob);
  if (!existsSync(from)) return;
  mkdirSync(to, { recursive: true });
  for (const file of readdirSync(from)) {
    if (file.endsWith(".zip"))
      copyFileSync(join(from, file), join(to, `${shard.current}-of-${shard.total}-${file}`));
  }
}

/**
 * A check the runner makes after Playwright (report hash, secret scan) failed: the verdict file is rewritten
 * to say so, so that its outcome, its exit code and the printed word still agree. The reporter's envelope
 * signed the verdict before the rewrite: it is signed again, or removed when there is no key.
 */
function failVerdictAfterRun(
  verdictFile: string,
  verdict: Verdict,
  reason: string,
  signingKey: KeyObject | null,
): Verdict {
  const failed: Verdict = {
    ...verdict,
    outcome: "failed",
    exitCode: 1,
    reasons: [reason, ...(verdict.outcome === "passed" ? [] : verdict.reasons)],
  };
  writeFileSync(verdictFile, `${JSON.stringify(VerdictSchema.parse(failed), null, 2)}\n`);
  rmSync(envelopeFileFor(verdictFile), { force: true });
  if (signingKey) {
    try {
      writeVerdictEnvelope(verdictFile, failed, signingKey);
    } catch (error) {
      if (!(error instanceof VerdictNotSignableError)) throw error;
    }
  }
  return failed;
}

/** The `file:line` locations of the tests that verify the selected items, by listing the project's tests. */
async function locationsForItems(
  project: string,
  items: readonly string[],
  env: Record<string, string | undefined>,
): Promise<string[]> {
  const report = await listTests({ projects: [project], cwd: repoRoot, env });
  const { locations, matchedItems } = testLocationsForItems(report, items);
  if (locations.length === 0) {
    const owners = allRunbookItems()
      .filter((item) => items.some((selector) => itemMatches(item.id, selector)))
      .map(
        (item) => `${item.id} (${item.kind === "attested" ? "attested, no test" : `suite ${item.suite}`})`,
      );
    throw new UsageError(
      [
        `--item ${items.join(" --item ")}: no test of project ${project} verifies ${items.length === 1 ? "it" : "them"}` +
          (owners.length > 0
            ? `; the selected items are: ${owners.slice(0, 6).join(", ")}${owners.length > 6 ? ", ..." : ""}`
            : ""),
      ],
      "Pick an item of this suite (npm run runbook -- render <runbook> shows which tests verify each item).",
    );
  }
  print(`verify: --item selects ${locations.length} test(s) verifying ${matchedItems.length} item(s)`);
  return locations;
}

// The AWS SDK's notice that future releases need Node 22 is printed once per process; Node 20 is this
// project's runtime, so it would only add noise to every run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

async function main(argv: string[]): Promise<number> {
  let args: Args;
  let config: HarnessConfig;
  markTimeline("verify: main");
  jsonMode = argv.includes("--json");
  if (jsonMode) humanOut = process.stderr;
  try {
    if (argv.includes("--help") || argv.includes("-h")) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    args = parseVerifyArgs(argv);
    config = loadHarnessConfig(args.config ? { configFile: args.config } : {});
  } catch (error) {
    return fail(error);
  }

  const presetRunId = args.runId ?? process.env[RUN_ENV.runId];
  const runId = presetRunId && isUserRunId(presetRunId) ? presetRunId : createRunId(args.env, args.suite);
  const runDir = runDirFor(runId);
  const project = projectName(args.suite, args.env, args.service);

  let sandbox: SandboxHandle | null = null;
  /** The latency a running sandbox adds per API request (it picks the workers); 0 for one this run starts. */
  let sandboxLatencyMs = 0;
  let childEnv: Record<string, string | undefined> = { ...process.env };
  if (args.apiUrl) childEnv[envVarName(args.env, { path: ["apiUrl"] })] = args.apiUrl;
  let target = describeAwsTarget(config.environments[args.env], childEnv);
  let interrupted = false;
  let child: ReturnType<typeof spawn> | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    process.stderr.write(`\nverify: ${signal} received, stopping the run...\n`);
    child?.kill(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  try {
    if (args.sandbox) {
      const { defaultStateDir } = await import("../sandbox/endpoints.ts");
      const stateDir = process.env.HARNESS_SANDBOX_DIR
        ? resolve(process.env.HARNESS_SANDBOX_DIR)
        : defaultStateDir;
      const running = await runningSandbox(stateDir);
      let endpoints: SandboxEndpoints;
      if (running) {
        print(`verify: reusing the sandbox running from ${stateDir}`);
        endpoints = running.endpoints;
        sandboxLatencyMs = running.apiLatencyMs;
      } else {
        print("verify: starting the embedded sandbox (DEV, SIT and PROD on 127.0.0.1)...");
        // Loaded only to start one: the sandbox pulls in DynamoDB and Cognito stand-ins a real run never needs.
        const { startSandbox } = await import("../sandbox/index.ts");
        try {
          sandbox = await startSandbox({ stateDir, quiet: true });
        } catch (error) {
          // Another sandbox in the folder, a port in use: say so and what to do, without a stack trace.
          if (error instanceof Error && error.name === "SandboxStartError") {
            process.stderr.write(`verify: the sandbox did not start. ${error.message}\n`);
            printJsonError(2, "error", [error.message]);
            return 2;
          }
          throw error;
        }
        endpoints = sandbox.endpoints;
        print(`verify: sandbox ready in ${Math.round(sandbox.startupMs / 100) / 10} s`);
      }
      if (interrupted) {
        printJsonError(130, "interrupted", ["interrupted before the run started"]);
        return 130;
      }
      const apiUrls = args.apiUrl ? { [args.env]: args.apiUrl } : {};
      // Overrides a sandbox run cannot honour are refused here, before any test runs.
      const final: SandboxEnvNotes = { apiOverrides: {}, dropped: [], refused: [] };
      childEnv = sandboxChildEnv(endpoints, config.environments, process.env, apiUrls, final);
      // The sandbox's throw-away verdict key pair signs the verdict, and is what its gate trusts.
      const keys = sandboxVerdictKeyEnv(stateDir, process.env);
      Object.assign(childEnv, keys.env);
      if (keys.created) print(`verify: made the sandbox's throw-away verdict key pair in ${keys.created}`);
      if (final.refused.length > 0) return fail(new UsageError(final.refused, SEE_HELP));
      if (final.dropped.length > 0)
        print(
          `verify: not used by a sandbox run (it has its own credentials): ${[...new Set(final.dropped)].join(", ")}`,
        );
      const override = final.apiOverrides[args.env];
      target = withApiOverride(SANDBOX_TARGET, override?.url ?? null, override?.source ?? "");
      if (override)
        print(
          `verify: calling the API at ${override.url} (${override.source}) instead of the sandbox's front`,
        );
    } else {
      const apiVar = envVarName(args.env, { path: ["apiUrl"] });
      const source = args.apiUrl ? "--api-url" : process.env[apiVar] ? apiVar : null;
      target = withApiOverride(target, source ? (childEnv[apiVar] ?? null) : null, source ?? "");
    }
    try {
      // The run needs these whatever the suite; a "TBD" or unset value stops it here with the variable to set.
      config = loadHarnessConfig({ ...(args.config ? { configFile: args.config } : {}), env: childEnv });
      requireUsableAll(config.environments[args.env], ["apiUrl", "cognito.userPoolId", "cognito.clientId"]);
    } catch (error) {
      return fail(error);
    }

    // A configured key that cannot be read is a configuration error, found before any test runs: a run that
    // was meant to be signed must not end with a verdict a gate would then refuse as unsigned.
    let signingKey: KeyObject | null = null;
    try {
      signingKey = loadSigningKey({ env: childEnv }).key;
    } catch (error) {
      if (!(error instanceof VerdictKeyMissingError)) {
        const message = error instanceof Error ? error.message : String(error);
        process.stderr.write(`verify: ${message}\n`);
        printJsonError(2, "error", [message]);
        return 2;
      }
    }

    const narrowedBy = [
      ...(args.grep ? [`--grep ${args.grep}`] : []),
      ...args.items.map((item) => `--item ${item}`),
      ...(args.automatedOnly ? ["--automated-only"] : []),
    ];
    let locations: string[] = [];
    if (args.items.length > 0) {
      try {
        locations = await locationsForItems(project, args.items, childEnv);
      } catch (error) {
        return fail(error);
      }
    }

    const workers = chooseWorkers({
      requested: args.workers,
      fromEnv: childEnv.HARNESS_WORKERS,
      loopback: isLoopbackUrl(config.environments[args.env].apiUrl),
      apiLatencyMs: sandboxLatencyMs,
      cores: availableParallelism(),
    });

    mkdirSync(runDir, { recursive: true });
    const passwordVars = Object.values(config.environments).map((env) => env.cognito.password.fromEnv);
    registerEnvironmentSecrets(childEnv, passwordVars);
    const secrets = secretValues(childEnv, config);

    const env: Record<string, string | undefined> = {
      ...childEnv,
      [RUN_ENV.runId]: runId,
      [RUN_ENV.runDir]: runDir,
      [RUN_ENV.target]: target,
      [RUN_ENV.harnessCommit]: harnessCommit(),
      [RUN_ENV.narrowedBy]: JSON.stringify(narrowedBy),
      [RUN_ENV.verifyRunner]: "1",
      HARNESS_PROJECT: project,
      HARNESS_WORKERS: String(workers.workers),
      // playwright.config.ts reads the shard from here in its workers; never inherit a stale one.
      HARNESS_SHARD: args.shard ? `${args.shard.current}/${args.shard.total}` : "none",
      ...(args.config ? { [RUN_ENV.config]: args.config } : {}),
      ...args.gate,
      // Playwright's own colours follow this terminal: its output is piped through here.
      ...(useColor(humanOut) ? { FORCE_COLOR: "1" } : { FORCE_COLOR: "0" }),
    };
    const cli = join(repoRoot, "node_modules", "@playwright", "test", "cli.js");
    // Locations first: --project takes every value that follows it.
    const playwrightArgs = [cli, "test", ...locations, "--project", project];
    if (args.shard) playwrightArgs.push("--shard", `${args.shard.current}/${args.shard.total}`);
    if (args.grep) playwrightArgs.push("--grep", args.grep);
    if (args.retries > 0) playwrightArgs.push("--retries", String(args.retries));
    print(`verify: run ${runId}: ${args.suite} on ${args.env} (${args.service}), target ${target}`);
    print(`verify: ${workers.workers} worker${workers.workers === 1 ? "" : "s"} (${workers.why})`);

    const code = await new Promise<number>((resolveExit) => {
      const spawned = spawn(process.execPath, playwrightArgs, {
        cwd: repoRoot,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      child = spawned;
      markTimeline("verify: Playwright spawned");
      const out = createLineRedactor((text) => humanOut.write(text));
      const err = createLineRedactor((text) => process.stderr.write(text));
      spawned.stdout.on("data", (chunk: Buffer) => out.push(chunk));
      spawned.stderr.on("data", (chunk: Buffer) => err.push(chunk));
      spawned.on("close", (exitCode, signal) => {
        out.end();
        err.end();
        resolveExit(exitCode ?? (signal ? 130 : 1));
      });
    });

    if (args.shard) collectBlob(runDir, args.shard);
    const verdictFile = join(
      runDir,
      args.shard ? `verdict.shard-${args.shard.current}-of-${args.shard.total}.json` : RUN_LAYOUT.verdict,
    );
    let verdict: Verdict;
    try {
      verdict = readVerdict(verdictFile);
    } catch (error) {
      if (interrupted) {
        print("verify: interrupted before Playwright wrote a verdict (exit 130).");
        printJsonError(130, "interrupted", ["interrupted before a verdict was written"]);
        return 130;
      }
      process.stderr.write(
        `verify: Playwright exited with code ${code} and wrote no verdict (${error instanceof Error ? error.message : String(error)}). ` +
          "The output above says why; usually a configuration or spec loading problem.\n",
      );
      printJsonError(2, "error", [`Playwright exited with code ${code} and wrote no verdict`]);
      return 2;
    }

    if (!args.shard) {
      const actual = computeReportSha256(runDir);
      if (verdict.reportSha256 !== actual) {
        const reason = `the report files hash to ${actual}, the verdict says ${verdict.reportSha256}; the reports changed after the verdict was sealed`;
        process.stderr.write(`verify: ${reason}.\n`);
        verdict = failVerdictAfterRun(verdictFile, verdict, reason, signingKey);
      }
    }
    const leaks = findSecretsInTree(runDir, secrets);
    if (leaks.length > 0) {
      const message = new SecretLeakError(runDir, [...new Set(leaks.map((leak) => leak.file))]).message;
      process.stderr.write(`${message}\n`);
      verdict = failVerdictAfterRun(verdictFile, verdict, message, signingKey);
    }
    summary(verdict, runDir, args.shard !== null);
    const coverage = readCoverageSummary(runDir);
    if (coverage) print(coverage);
    if (args.shard) {
      print(
        `Shard ${args.shard.current}/${args.shard.total} done. Run every shard with --run-id ${runId}, then merge:\n` +
          `  npm run merge -- --run-id ${runId}`,
      );
    }
    if (jsonMode) process.stdout.write(`${JSON.stringify(verdict)}\n`);
    return verdict.exitCode;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (sandbox) await sandbox.stop();
  }
}

runWhenMain("verify", import.meta.filename, main);

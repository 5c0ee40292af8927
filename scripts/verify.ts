/**
 * `npm run verify -- --env <dev|sit|prod> --suite <suite> [--service <id>] [--sandbox] [--config <file>]
 *  [--shard i/n] [--grep <pattern>]`
 *
 * Runs one suite against one environment with Playwright, writes the run folder (reports/runs/<run-id>/:
 * HTML, JUnit, Allure results, requests.jsonl, evidence, verdict.json) and exits with the verdict's code:
 * 0 passed, 1 a check failed, 2 usage or configuration error (including the account guard), 3 unreachable
 * or inconclusive.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { ConfigError, type HarnessConfig, loadHarnessConfig, requireUsableAll } from "../lib/config/index.ts";
import { COVERAGE_FILE, coverageSummaryLine } from "../lib/contract/coverage.ts";
import {
  createLineRedactor,
  findSecretsInTree,
  registerEnvironmentSecrets,
  secretsInCredentialsFile,
} from "../lib/redact/index.ts";
import {
  createRunId,
  describeAwsTarget,
  harnessCommit,
  isRunId,
  parseShard,
  projectName,
  RUN_ENV,
  RUN_LAYOUT,
  repoRoot,
  runDirFor,
  SANDBOX_TARGET,
  type SandboxEndpoints,
  SecretLeakError,
  sandboxChildEnv,
  suiteLayout,
  UsageError,
} from "../lib/run/index.ts";
import { computeReportSha256, readVerdict, type Verdict, verdictSuites } from "../lib/verdict/index.ts";
import { type EnvironmentId, environmentIds, type ServiceId, serviceIds } from "../runbooks/schema.ts";
import type { SandboxHandle } from "../sandbox/index.ts";

const USAGE =
  "Usage: npm run verify -- --env <dev|sit|prod> --suite <smoke|post-deploy|pre-promotion|rollback> " +
  "[--service <tenant-instance-management|access-management>] [--sandbox] [--config <file>] [--shard <i/n>] [--grep <pattern>]";

type Args = {
  env: EnvironmentId;
  suite: (typeof verdictSuites)[number];
  service: ServiceId;
  sandbox: boolean;
  config: string | undefined;
  shard: { current: number; total: number } | null;
  grep: string | undefined;
};

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[]): T | undefined {
  return allowed.find((candidate) => candidate === value);
}

/** Parses and validates the command line, collecting every problem before failing. */
export function parseVerifyArgs(argv: string[]): Args {
  let values: Record<string, string | boolean | undefined>;
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
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError([error instanceof Error ? error.message : String(error)], USAGE);
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
  if (problems.length > 0 || !env || !suite || !service) throw new UsageError(problems, USAGE);
  const config = text("config");
  return {
    env,
    suite,
    service,
    sandbox: values.sandbox === true,
    config: config === undefined ? undefined : resolve(config),
    shard,
    grep: text("grep"),
  };
}

/** A sandbox already running from this state directory: endpoints file, live pid, healthy control API. */
async function runningSandbox(stateDir: string): Promise<(SandboxEndpoints & { controlUrl: string }) | null> {
  if (!existsSync(join(stateDir, "endpoints.json"))) return null;
  try {
    const { readEndpointsFile } = await import("../sandbox/endpoints.ts");
    const endpoints = await readEndpointsFile(stateDir);
    process.kill(endpoints.pid, 0);
    const response = await fetch(`${endpoints.controlUrl}/health`, { signal: AbortSignal.timeout(2_000) });
    return response.ok ? endpoints : null;
  } catch {
    return null;
  }
}

function secretValues(env: Record<string, string | undefined>, config: HarnessConfig): string[] {
  const values = Object.values(config.environments).map((e) => env[e.cognito.password.fromEnv]);
  values.push(env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN);
  const credentials = env.AWS_SHARED_CREDENTIALS_FILE;
  if (credentials && existsSync(credentials))
    values.push(...secretsInCredentialsFile(readFileSync(credentials, "utf8")));
  return values.filter((value): value is string => typeof value === "string" && value.length >= 4);
}

function print(line = ""): void {
  process.stdout.write(`${line}\n`);
}

function fail(error: unknown): number {
  if (error instanceof UsageError || error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  throw error;
}

function summary(verdict: Verdict, runDir: string, sharded: boolean): void {
  const rel = (path: string) => relative(process.cwd(), join(runDir, path)) || ".";
  const c = verdict.counts;
  print();
  print(
    `Verdict: ${verdict.outcome.toUpperCase()} (exit ${verdict.exitCode})  ${verdict.suite} on ${verdict.environment}, ${verdict.service}${sharded ? "  [one shard only]" : ""}`,
  );
  print(`Target:  ${verdict.target}`);
  if (verdict.version) {
    print(
      `Version: ${verdict.version.alias} -> ${verdict.version.functionVersion} (${verdict.version.appVersion}), CodeSha256 ${verdict.codeSha256}`,
    );
  }
  const guardFailed = verdict.guard.status === "failed";
  if (guardFailed) print(`Guard:   FAILED, no check ran. ${verdict.guard.message ?? ""}`);
  print(
    `Items:   ${c.passed} passed, ${c.failed} failed, ${c.skippedByPolicy} skipped-by-policy, ${c.inconclusive} inconclusive, ` +
      `${c.attested} attested, ${c.missingAttestation} missing-attestation (${c.tests} tests; ${verdict.notCovered.length} suite items not covered by this run)`,
  );
  const short = (text: string) => (text.length > 160 ? `${text.slice(0, 157)}...` : text);
  for (const item of verdict.items) {
    if (item.status === "passed" || item.status === "attested") continue;
    print(`  ${item.status.padEnd(19)} ${item.id}${item.reason ? `: ${short(item.reason)}` : ""}`);
  }
  if (verdict.outcome !== "passed" && !guardFailed)
    for (const reason of verdict.reasons) print(`  reason: ${short(reason)}`);
  print("Reports:");
  if (!sharded) {
    print(`  HTML     ${rel(join(RUN_LAYOUT.html, "index.html"))}`);
    print(`  JUnit    ${rel(RUN_LAYOUT.junit)}`);
  }
  print(`  Verdict  ${rel(sharded ? "" : RUN_LAYOUT.verdict)}${sharded ? " (verdict.shard-*.json)" : ""}`);
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

// The AWS SDK's notice that future releases need Node 22 is printed once per process; Node 20 is this
// project's runtime, so it would only add noise to every run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

async function main(argv: string[]): Promise<number> {
  let args: Args;
  let config: HarnessConfig;
  try {
    if (argv.includes("--help") || argv.includes("-h")) {
      print(USAGE);
      return 0;
    }
    args = parseVerifyArgs(argv);
    config = loadHarnessConfig(args.config ? { configFile: args.config } : {});
  } catch (error) {
    return fail(error);
  }

  const presetRunId = process.env[RUN_ENV.runId];
  const runId = presetRunId && isRunId(presetRunId) ? presetRunId : createRunId(args.env, args.suite);
  const runDir = runDirFor(runId);
  const project = projectName(args.suite, args.env, args.service);

  let sandbox: SandboxHandle | null = null;
  let childEnv: Record<string, string | undefined> = { ...process.env };
  let target = describeAwsTarget(config.environments[args.env]);
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
      let endpoints = await runningSandbox(stateDir);
      if (endpoints) print(`verify: reusing the sandbox running from ${stateDir}`);
      else {
        print("verify: starting the embedded sandbox (DEV, SIT and PROD on 127.0.0.1)...");
        // Loaded only to start one: the sandbox pulls in DynamoDB and Cognito stand-ins a real run never needs.
        const { startSandbox } = await import("../sandbox/index.ts");
        sandbox = await startSandbox({ stateDir, quiet: true });
        endpoints = sandbox.endpoints;
        print(`verify: sandbox ready in ${Math.round(sandbox.startupMs / 100) / 10} s`);
      }
      if (interrupted) return 3;
      childEnv = sandboxChildEnv(endpoints, config.environments, process.env);
      target = SANDBOX_TARGET;
    }
    try {
      // The run needs these whatever the suite; a "TBD" or unset value stops it here with the variable to set.
      config = loadHarnessConfig({ ...(args.config ? { configFile: args.config } : {}), env: childEnv });
      requireUsableAll(config.environments[args.env], ["apiUrl", "cognito.userPoolId", "cognito.clientId"]);
    } catch (error) {
      return fail(error);
    }

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
      HARNESS_PROJECT: project,
      // playwright.config.ts reads the shard from here in its workers; never inherit a stale one.
      HARNESS_SHARD: args.shard ? `${args.shard.current}/${args.shard.total}` : "none",
      ...(args.config ? { [RUN_ENV.config]: args.config } : {}),
    };
    const cli = join(repoRoot, "node_modules", "@playwright", "test", "cli.js");
    const playwrightArgs = [cli, "test", "--project", project];
    if (args.shard) playwrightArgs.push("--shard", `${args.shard.current}/${args.shard.total}`);
    if (args.grep) playwrightArgs.push("--grep", args.grep);
    print(`verify: run ${runId}: ${args.suite} on ${args.env} (${args.service}), target ${target}`);

    const code = await new Promise<number>((resolveExit) => {
      const spawned = spawn(process.execPath, playwrightArgs, {
        cwd: repoRoot,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      child = spawned;
      const out = createLineRedactor((text) => process.stdout.write(text));
      const err = createLineRedactor((text) => process.stderr.write(text));
      spawned.stdout.on("data", (chunk: Buffer) => out.push(chunk));
      spawned.stderr.on("data", (chunk: Buffer) => err.push(chunk));
      spawned.on("close", (exitCode, signal) => {
        out.end();
        err.end();
        resolveExit(exitCode ?? (signal ? 130 : 1));
      });
    });
    if (interrupted) {
      print("verify: interrupted; the run is inconclusive.");
      return 3;
    }

    if (args.shard) collectBlob(runDir, args.shard);
    const verdictFile = join(
      runDir,
      args.shard ? `verdict.shard-${args.shard.current}-of-${args.shard.total}.json` : RUN_LAYOUT.verdict,
    );
    let verdict: Verdict;
    try {
      verdict = readVerdict(verdictFile);
    } catch (error) {
      process.stderr.write(
        `verify: Playwright exited with code ${code} and wrote no verdict (${error instanceof Error ? error.message : String(error)}). ` +
          "The output above says why; usually a configuration or spec loading problem.\n",
      );
      return 2;
    }

    let exitCode = verdict.exitCode;
    if (!args.shard) {
      const actual = computeReportSha256(runDir);
      if (verdict.reportSha256 !== actual) {
        process.stderr.write(
          `verify: the report files hash to ${actual}, the verdict says ${verdict.reportSha256}; the reports changed after the verdict was sealed.\n`,
        );
        exitCode = exitCode === 0 ? 1 : exitCode;
      }
    }
    const leaks = findSecretsInTree(runDir, secrets);
    if (leaks.length > 0) {
      process.stderr.write(
        `${new SecretLeakError(runDir, [...new Set(leaks.map((leak) => leak.file))]).message}\n`,
      );
      exitCode = exitCode === 0 ? 1 : exitCode;
    }
    summary(verdict, runDir, args.shard !== null);
    const coverage = readCoverageSummary(runDir);
    if (coverage) print(coverage);
    if (args.shard) {
      print(
        `Shard ${args.shard.current}/${args.shard.total} done. When every shard has run, merge with:\n` +
          `  HARNESS_RUN_DIR=${relative(process.cwd(), runDir)} npx playwright merge-reports --config reports/merge.config.ts ${relative(process.cwd(), join(runDir, RUN_LAYOUT.blob))}`,
      );
    }
    return exitCode;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (sandbox) await sandbox.stop();
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `verify: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(2);
    },
  );
}

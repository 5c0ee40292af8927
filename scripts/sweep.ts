/**
 * `npm run sweep -- --env <dev|sit|prod> [--older-than 30m] [--sandbox] [--dry-run] [--json] [--config <file>]`
 *
 * Removes test data that killed or crashed runs left behind: tenants, instances and invitations tagged
 * `harness-run-id` and created more than --older-than ago (default 30m, so runs in progress keep theirs).
 * Tenants are soft deleted, instances deleted, pending invitations cancelled. Data tagged `seed: "true"`
 * and untagged data are never touched. In a read-only environment (PROD) it only lists what it finds.
 *
 * Exit codes: 0 nothing left over (or everything removed), 1 some leftovers could not be removed,
 * 2 usage or configuration error, 3 the API or the sandbox could not be reached.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { AwsClients, awsTargetFor, CognitoTokenSource } from "../lib/aws/index.ts";
import { ConfigError, type HarnessConfig, loadHarnessConfig, requireUsable } from "../lib/config/index.ts";
import {
  ApiClient,
  ApiUrlMissingError,
  createHttpAgent,
  HttpTimeoutError,
  HttpUnreachableError,
  RequestLog,
} from "../lib/http/index.ts";
import { sandboxChildEnv, UsageError } from "../lib/run/index.ts";
import {
  DurationFormatError,
  formatDuration,
  parseDuration,
  SweepListError,
  type SweepReport,
  sweepLeftovers,
} from "../lib/sweep/index.ts";
import { type EnvironmentId, environmentIds } from "../runbooks/schema.ts";
import { defaultStateDir, readEndpointsFile, SandboxNotRunningError } from "../sandbox/index.ts";

const USAGE =
  "Usage: npm run sweep -- --env <dev|sit|prod> [--older-than 30m] [--sandbox] [--dry-run] [--json] [--config <file>]";
const DEFAULT_AGE = "30m";

interface Args {
  env: EnvironmentId;
  olderThanMs: number;
  sandbox: boolean;
  dryRun: boolean;
  json: boolean;
  config: string | undefined;
}

/** Parses the command line, collecting every problem before failing. */
function parseSweepArgs(argv: string[]): Args {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        env: { type: "string" },
        "older-than": { type: "string" },
        sandbox: { type: "boolean" },
        "dry-run": { type: "boolean" },
        json: { type: "boolean" },
        config: { type: "string" },
      },
    }));
  } catch (error) {
    throw new UsageError([error instanceof Error ? error.message : String(error)], USAGE);
  }
  const problems: string[] = [];
  const envText = typeof values.env === "string" ? values.env : undefined;
  const env = environmentIds.find((id) => id === envText);
  if (env === undefined)
    problems.push(`--env ${envText ?? "is missing"}: expected one of ${environmentIds.join(", ")}`);
  let olderThanMs = 0;
  try {
    olderThanMs = parseDuration(
      typeof values["older-than"] === "string" ? values["older-than"] : DEFAULT_AGE,
    );
  } catch (error) {
    if (!(error instanceof DurationFormatError)) throw error;
    problems.push(`--older-than ${error.input}: expected a number with s, m, h or d (e.g. 30m), or 0`);
  }
  if (problems.length > 0 || env === undefined) throw new UsageError(problems, USAGE);
  const config = typeof values.config === "string" ? resolve(values.config) : undefined;
  return {
    env,
    olderThanMs,
    sandbox: values.sandbox === true,
    dryRun: values["dry-run"] === true,
    json: values.json === true,
    config,
  };
}

/** Points this process at the running sandbox, as `verify --sandbox` does for its Playwright child. */
async function useSandbox(config: HarnessConfig): Promise<void> {
  const stateDir = process.env.HARNESS_SANDBOX_DIR
    ? resolve(process.env.HARNESS_SANDBOX_DIR)
    : defaultStateDir;
  const endpoints = await readEndpointsFile(stateDir);
  const env = sandboxChildEnv(endpoints, config.environments, process.env);
  // Real AWS credentials from the shell must not reach the SDK: keep exactly the sandbox run's variables.
  for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
  Object.assign(process.env, env);
}

function printReport(report: SweepReport, args: Args, readOnly: boolean): void {
  const { found, removed, failed } = report;
  const count = (kind: keyof SweepReport["found"]) =>
    report.dryRun ? `${found[kind].length} found` : `${removed[kind].length}/${found[kind].length} removed`;
  const mode = report.dryRun
    ? readOnly
      ? " (read-only environment: listed, not removed)"
      : " (dry run)"
    : "";
  process.stdout.write(
    `sweep: ${args.env}, harness data created before ${report.cutoff} (older than ${formatDuration(args.olderThanMs)})${mode}\n` +
      `  tenants      ${count("tenants")}\n  instances    ${count("instances")}\n  invitations  ${count("invitations")}\n`,
  );
  for (const failure of failed)
    process.stdout.write(`  FAILED ${failure.kind} ${failure.id}: ${failure.reason}\n`);
}

// The AWS SDK's notice that future releases need Node 22 is printed once per process; Node 20 is this
// project's runtime, so it would only add noise to every run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

async function main(argv: string[]): Promise<number> {
  let args: Args;
  let config: HarnessConfig;
  try {
    args = parseSweepArgs(argv);
    config = loadHarnessConfig(args.config ? { configFile: args.config } : {});
    if (args.sandbox) {
      await useSandbox(config);
      config = loadHarnessConfig(args.config ? { configFile: args.config } : {});
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    if (error instanceof SandboxNotRunningError) {
      process.stderr.write(`${error.message}\n`);
      return 3;
    }
    throw error;
  }

  const environment = config.environments[args.env];
  const readOnly = environment.policy.readOnly;
  const agent = createHttpAgent({ timeoutMs: environment.http.timeoutMs, connections: 8 });
  const aws = new AwsClients(awsTargetFor(environment));
  try {
    const tokenSource = new CognitoTokenSource({
      client: aws.cognito,
      environment: environment.id,
      clientId: () => requireUsable(environment, "cognito.clientId"),
      usernameVar: environment.cognito.username.fromEnv,
      passwordVar: environment.cognito.password.fromEnv,
    });
    const api = new ApiClient({
      baseUrl: requireUsable(environment, "apiUrl"),
      environment: environment.id,
      readOnly,
      timeoutMs: environment.http.timeoutMs,
      agent,
      log: new RequestLog(),
      tokenProvider: () => tokenSource.get(),
      test: "sweep",
    });
    const report = await sweepLeftovers(api, {
      olderThanMs: args.olderThanMs,
      dryRun: args.dryRun || readOnly,
    });
    if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else printReport(report, args, readOnly);
    return report.failed.length > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ApiUrlMissingError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    if (
      error instanceof SweepListError ||
      error instanceof HttpUnreachableError ||
      error instanceof HttpTimeoutError
    ) {
      process.stderr.write(`sweep: ${error.message}\n`);
      return 3;
    }
    throw error;
  } finally {
    aws.destroy();
    await agent.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `sweep: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(2);
  },
);

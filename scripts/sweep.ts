/**
 * `npm run sweep -- --env <dev|sit|prod> [--older-than 30m] [--sandbox] [--dry-run] [--json] [--config <file>]`
 *
 * Removes test data that killed or crashed runs left behind: tenants, instances and invitations tagged
 * `harness-run-id` and created more than --older-than ago (default 30m, so runs in progress keep theirs).
 * Tenants are soft deleted, instances deleted, pending invitations cancelled. Data tagged `seed: "true"`
 * and untagged data are never touched. In a read-only environment (PROD) it only lists what it finds.
 *
 * Without --sandbox it goes to AWS and checks first that it has what that needs (credentials of the
 * environment's account, the Cognito app client id, the smoke user), listing everything missing at once.
 *
 * Exit codes: 0 nothing left over (or everything removed), 1 some leftovers could not be removed,
 * 2 usage or configuration error (also missing credentials or those of another account), 3 the API,
 * AWS or the sandbox could not be reached.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  AccountMismatchError,
  AwsClients,
  AwsCredentialsError,
  AwsUnreachableError,
  assertAccount,
  awsTargetFor,
  classifyAwsError,
  smokeUserTokenSource,
  TokenUnavailableError,
} from "../lib/aws/index.ts";
import { formatHelp, HELP_ENTRY, helpHint, parseArgsProblem, wantsHelp } from "../lib/cli/index.ts";
import { ConfigError, type ConfigIssue, type HarnessConfig, requireUsable } from "../lib/config/index.ts";
import {
  ApiClient,
  ApiUrlMissingError,
  createHttpAgent,
  HttpTimeoutError,
  HttpUnreachableError,
  RequestLog,
} from "../lib/http/index.ts";
import { UsageError } from "../lib/run/index.ts";
import {
  credentialsIssue,
  DurationFormatError,
  formatDuration,
  parseDuration,
  SweepListError,
  type SweepReport,
  sweepConfigIssues,
  sweepLeftovers,
  sweepPreflightError,
} from "../lib/sweep/index.ts";
import { type Environment, type EnvironmentId, environmentIds } from "../runbooks/schema.ts";
import { loadCommandConfig, setupErrorExit } from "./shared/running-sandbox.ts";

const USAGE =
  "Usage: npm run sweep -- --env <dev|sit|prod> [--older-than 30m] [--sandbox] [--dry-run] [--json] [--config <file>]";
const DEFAULT_AGE = "30m";

const HELP = formatHelp({
  usage: [USAGE.replace(/^Usage: /, "")],
  summary:
    "Removes test data killed or crashed runs left behind: tenants, instances and invitations tagged\n" +
    "harness-run-id and created more than --older-than ago (runs in progress keep theirs). Tenants are soft\n" +
    "deleted, instances deleted, pending invitations cancelled; seed and untagged data are never touched.\n" +
    "In a read-only environment (PROD) it only lists what it finds. The account guard runs first.",
  sections: [
    {
      title: "Options",
      entries: [
        ["--env <dev|sit|prod>", "the environment to sweep (required)"],
        [
          "--older-than <age>",
          `only data created more than this ago: 90s, 30m, 2h, 1d or 0 (default ${DEFAULT_AGE})`,
        ],
        [
          "--sandbox",
          "sweep the running embedded sandbox ($HARNESS_SANDBOX_DIR, else .sandbox) instead of AWS (default: AWS)",
        ],
        ["--dry-run", "list what would be removed and remove nothing"],
        ["--json", "print the report as JSON"],
        ["--config <file>", "override file (default $HARNESS_CONFIG)"],
        HELP_ENTRY,
      ],
    },
    {
      title: "Without --sandbox (AWS) it needs",
      entries: [
        [
          "AWS credentials",
          "HARNESS_<ENV>_AWS_PROFILE, or the default credential chain; STS must name the environment's account",
        ],
        [
          "API and Cognito",
          "HARNESS_<ENV>_COGNITO_CLIENT_ID, and HARNESS_<ENV>_API_URL where the runbook says TBD",
        ],
        ["the smoke user", "BBWS_<ENV>_SMOKE_USERNAME and BBWS_<ENV>_SMOKE_PASSWORD (from the secret store)"],
      ],
    },
  ],
  exitCodes: [
    [0, "nothing left over, or everything removed"],
    [1, "some leftovers could not be removed"],
    [
      2,
      "usage or configuration error: a bad flag, missing credentials or values, credentials of another account",
    ],
    [3, "the API, AWS or the sandbox could not be reached"],
  ],
});
const USAGE_AND_HINT = `${USAGE}\n${helpHint("npm run sweep --")}`;

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
    throw new UsageError([parseArgsProblem(error)], USAGE_AND_HINT);
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
  if (problems.length > 0 || env === undefined) throw new UsageError(problems, USAGE_AND_HINT);
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

/**
 * Everything the sweep needs, checked before its first request and reported at once (exit 2), then the
 * account guard: the credentials must belong to the environment's account, as for every suite.
 */
async function preflight(environment: Environment, aws: AwsClients, sandbox: boolean): Promise<void> {
  const issues: ConfigIssue[] = [];
  try {
    await aws.sts.config.credentials();
  } catch (error) {
    issues.push(credentialsIssue(environment, error instanceof Error ? error.message : String(error)));
  }
  issues.push(...sweepConfigIssues(environment, process.env));
  if (issues.length > 0) throw sweepPreflightError(environment, issues, sandbox);
  await assertAccount(aws.sts, environment);
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
  if (wantsHelp(argv)) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  let args: Args;
  let config: HarnessConfig;
  try {
    args = parseSweepArgs(argv);
    config = await loadCommandConfig(args, "sweep");
  } catch (error) {
    const code = setupErrorExit(error);
    if (code === null) throw error;
    return code;
  }

  const environment = config.environments[args.env];
  const readOnly = environment.policy.readOnly;
  const agent = createHttpAgent({ timeoutMs: environment.http.timeoutMs, connections: 8 });
  const aws = new AwsClients(awsTargetFor(environment));
  try {
    await preflight(environment, aws, args.sandbox);
    const tokenSource = smokeUserTokenSource(aws.cognito, environment);
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
    const code = exitCodeFor(error);
    if (code === undefined) throw error;
    process.stderr.write(
      `${code === 3 ? "sweep: " : ""}${error instanceof Error ? error.message : String(error)}\n`,
    );
    return code;
  } finally {
    aws.destroy();
    await agent.close();
  }
}

/** The documented exit code of an expected failure; undefined for a bug (printed with its stack). */
function exitCodeFor(error: unknown): 2 | 3 | undefined {
  if (
    error instanceof ConfigError ||
    error instanceof ApiUrlMissingError ||
    error instanceof AccountMismatchError ||
    error instanceof AwsCredentialsError
  )
    return 2;
  if (
    error instanceof SweepListError ||
    error instanceof HttpUnreachableError ||
    error instanceof HttpTimeoutError ||
    error instanceof AwsUnreachableError
  )
    return 3;
  // Cognito refusing the smoke user is configuration; Cognito not answering is reachability.
  if (error instanceof TokenUnavailableError) return classifyAwsError(error.cause) === "unreachable" ? 3 : 2;
  return undefined;
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

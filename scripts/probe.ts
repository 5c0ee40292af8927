/**
 * `npm run probe -- --env <dev|sit|prod> [options]`: the scheduled health probe. Read-only and lean: no
 * Playwright, the same lib/checks readers and judges the suites use, one JSON line per run, CloudWatch metrics.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { AwsClients, awsTargetFor, checkAccountGuard, sdk, smokeUserTokenSource } from "../lib/aws/index.ts";
import {
  alarmsWithPrefix,
  type Finding,
  getApiHealth,
  getTenantPage,
  inconclusive,
  invokeHealth,
  judgeAlarmStates,
  judgeApiHealth,
  judgeDeploymentRecord,
  judgeHealthInvocation,
  judgeTenantPage,
  readDeployedFunctions,
} from "../lib/checks/index.ts";
import { formatHelp, HELP_ENTRY, parseFlags, runWhenMain, wantsHelp } from "../lib/cli/index.ts";
import {
  alarmPrefix,
  aliasName,
  deploymentsTable,
  functionNames,
  type HarnessConfig,
  requireUsable,
} from "../lib/config/index.ts";
import { ApiClient, createHttpAgent, RequestLog } from "../lib/http/index.ts";
import {
  PROBE_NAMESPACE,
  type ProbeCheck,
  type ProbeCheckResult,
  probeJsonLine,
  probeMetricData,
  probeResult,
  watchdogAlarm,
} from "../lib/probe/index.ts";
import { repoRoot, UsageError } from "../lib/run/index.ts";
import { parseDuration } from "../lib/sweep/index.ts";
import { type EnvironmentId, environmentIds, type ServiceId, serviceIds } from "../runbooks/schema.ts";
import { loadCommandConfig, setupErrorExit } from "./shared/running-sandbox.ts";

const HELP = formatHelp({
  usage: ["npm run probe -- --env <dev|sit|prod> [--service <id>] [--sandbox] [--json] [--no-metrics]"],
  summary:
    "The scheduled health probe: read-only, without Playwright. Checks the direct health invoke, GET /health, that the alias still serves the CodeSha256 of the last recorded deployment, an authenticated read, and that no alarm of the service is in ALARM. Publishes SuccessPercent, Failed and Duration to CloudWatch (namespace BBWS/HarnessProbe; dimensions Environment, Service, Check) and appends one JSON line to reports/probes/<env>-<service>.jsonl.",
  sections: [
    {
      title: "Options",
      entries: [
        ["--env <env>", `the environment to probe (required): ${environmentIds.join(", ")}`],
        ["--service <id>", `${serviceIds.join(" or ")} (default tenant-instance-management)`],
        ["--sandbox", "probe the embedded sandbox running from .sandbox/ (or $HARNESS_SANDBOX_DIR)"],
        ["--config <file>", "an override file, as verify takes it (default $HARNESS_CONFIG)"],
        ["--json", "print the run's JSON line on stdout (the summary goes to stderr)"],
        ["--no-metrics", "do not publish the CloudWatch metrics"],
        ["--log-file <file>", "append the JSON line here (default reports/probes/<env>-<service>.jsonl)"],
        [
          "--every <duration>",
          "run again after this long, e.g. 1m (a terminal loop; a scheduler runs it once)",
        ],
        ["--count <n>", "with --every: how many runs (default 1); the exit code is the worst run's"],
        [
          "--ensure-alarm",
          "create (or update) the watchdog alarm bbws-harness-probe-<env>-<service> on the probe's Failed metric, missing data breaching, then probe",
        ],
        [
          "--alarm-period <seconds>",
          "the watchdog's period, the longest gap between probes (default 300); under 60 s the metrics are published at high resolution",
        ],
        HELP_ENTRY,
      ],
    },
  ],
  exitCodes: [
    [0, "every check passed"],
    [1, "a check failed"],
    [2, "usage or configuration error (bad flag, credentials of the wrong account)"],
    [3, "the target could not be reached or gave no data; no sandbox running with --sandbox"],
  ],
});

type Args = {
  env: EnvironmentId;
  service: ServiceId;
  sandbox: boolean;
  config: string | undefined;
  json: boolean;
  metrics: boolean;
  logFile: string | undefined;
  everyMs: number;
  count: number;
  ensureAlarm: boolean;
  alarmPeriod: number;
};

function parse(argv: string[]): Args {
  const { values } = parseFlags(
    argv,
    {
      env: { type: "string" },
      service: { type: "string" },
      sandbox: { type: "boolean" },
      config: { type: "string" },
      json: { type: "boolean" },
      "no-metrics": { type: "boolean" },
      "log-file": { type: "string" },
      every: { type: "string" },
      count: { type: "string" },
      "ensure-alarm": { type: "boolean" },
      "alarm-period": { type: "string" },
    },
    (problems) => new UsageError(problems, "Run `npm run probe -- --help` for every option."),
  );
  const problems: string[] = [];
  const env = environmentIds.find((id) => id === values.env);
  if (!env)
    problems.push(
      `--env ${String(values.env ?? "is missing")}: expected one of ${environmentIds.join(", ")}`,
    );
  const service = serviceIds.find((id) => id === (values.service ?? "tenant-instance-management"));
  if (!service)
    problems.push(`--service ${String(values.service)}: expected one of ${serviceIds.join(", ")}`);
  let everyMs = 0;
  if (typeof values.every === "string") {
    try {
      everyMs = parseDuration(values.every);
    } catch {
      problems.push(`--every ${values.every}: expected a duration such as 30s, 1m or 5m`);
    }
  }
  const count = values.count === undefined ? 1 : Number(values.count);
  if (!Number.isInteger(count) || count < 1)
    problems.push(`--count ${String(values.count)}: expected a whole number >= 1`);
  if (count > 1 && everyMs === 0) problems.push("--count needs --every (how long to wait between runs)");
  const alarmPeriod = values["alarm-period"] === undefined ? 300 : Number(values["alarm-period"]);
  if (
    ![10, 20, 30].includes(alarmPeriod) &&
    !(Number.isInteger(alarmPeriod) && alarmPeriod >= 60 && alarmPeriod % 60 === 0)
  )
    problems.push(
      `--alarm-period ${String(values["alarm-period"])}: expected 10, 20, 30 or a multiple of 60 (CloudWatch's periods)`,
    );
  if (problems.length > 0 || !env || !service)
    throw new UsageError(problems, "Run `npm run probe -- --help` for every option.");
  return {
    env,
    service,
    sandbox: values.sandbox === true,
    config: typeof values.config === "string" ? resolve(values.config) : undefined,
    json: values.json === true,
    metrics: values["no-metrics"] !== true,
    logFile: typeof values["log-file"] === "string" ? resolve(values["log-file"]) : undefined,
    everyMs,
    count,
    ensureAlarm: values["ensure-alarm"] === true,
    alarmPeriod,
  };
}

/** Runs one check, timing it; a reader that throws (network, AWS) is an inconclusive finding, not a crash. */
async function timed(check: ProbeCheck, body: () => Promise<Finding>): Promise<ProbeCheckResult> {
  const started = performance.now();
  try {
    return { check, finding: await body(), durationMs: performance.now() - started };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return {
      check,
      finding: inconclusive(`${check} could not be read: ${message}`),
      durationMs: performance.now() - started,
    };
  }
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

async function main(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  let args: Args;
  let config: HarnessConfig;
  try {
    args = parse(argv);
    config = await loadCommandConfig(args, "probe");
  } catch (error) {
    const code = setupErrorExit(error);
    if (code === null) throw error;
    return code;
  }
  const environment = config.environments[args.env];
  const service = config.services[args.service];
  if (args.ensureAlarm) {
    const code = await ensureWatchdog(
      args,
      environment.id,
      service.id,
      new AwsClients(awsTargetFor(environment)),
    );
    if (code !== 0) return code;
  }
  let worst = 0;
  for (let run = 1; run <= args.count; run++) {
    const code = await probeOnce(args, config);
    // Interruption first, then configuration errors, failures, no data (as merged verdicts rank them).
    worst = [130, 2, 1, 3, 0].find((c) => c === code || c === worst) ?? code;
    if (run < args.count) await sleep(args.everyMs);
  }
  return worst;
}

/** Creates or updates the watchdog alarm, reads it back, and says its state. */
async function ensureWatchdog(
  args: Args,
  envId: string,
  serviceId: string,
  aws: AwsClients,
): Promise<number> {
  const out = args.json ? process.stderr : process.stdout;
  const alarm = watchdogAlarm(envId, serviceId, args.alarmPeriod);
  try {
    await aws.cloudwatch.send(new (sdk.cloudwatch().PutMetricAlarmCommand)(alarm));
    const described = await aws.cloudwatch.send(
      new (sdk.cloudwatch().DescribeAlarmsCommand)({ AlarmNames: [alarm.AlarmName] }),
    );
    const found = described.MetricAlarms?.[0];
    if (found?.TreatMissingData !== "breaching" || found?.Period !== alarm.Period) {
      process.stderr.write(`probe: the watchdog alarm ${alarm.AlarmName} did not read back as written.\n`);
      return 1;
    }
    out.write(
      `Watchdog: ${alarm.AlarmName} on ${PROBE_NAMESPACE} Failed (Check=all) >= 1 over ${alarm.Period} s, missing data breaching; state ${found?.StateValue ?? "unknown"}\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(
      `probe: could not create the watchdog alarm ${alarm.AlarmName}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 3;
  } finally {
    aws.destroy();
  }
}

/** One probe run: guard, checks, metrics, JSON line; returns its exit code. */
async function probeOnce(args: Args, config: HarnessConfig): Promise<number> {
  const out = args.json ? process.stderr : process.stdout;
  const environment = config.environments[args.env];
  const service = config.services[args.service];
  const started = new Date();
  const t0 = performance.now();
  const aws = new AwsClients(awsTargetFor(environment));
  const agent = createHttpAgent({ timeoutMs: environment.http.timeoutMs, connections: 4 });
  try {
    const alias = aliasName(service, environment.id);
    const names = functionNames(service, environment.id);
    const guarded = await checkAccountGuard({
      sts: aws.sts,
      lambda: aws.lambda,
      environment,
      functionNames: names,
      alias,
    });
    const checks: ProbeCheckResult[] = [];
    if (guarded.guard.status === "passed") {
      const deployed = await readDeployedFunctions(aws, environment, service);
      const [primary] = deployed;
      const tenant = service.id === "tenant-instance-management";
      const api = tenant
        ? new ApiClient({
            baseUrl: requireUsable(environment, "apiUrl"),
            environment: environment.id,
            readOnly: true,
            timeoutMs: environment.http.timeoutMs,
            agent,
            log: new RequestLog(),
            tokenProvider: () => tokenSource.get(),
            test: "probe",
          })
        : null;
      const tokenSource = smokeUserTokenSource(aws.cognito, environment);
      const table = deploymentsTable(service, environment.id);
      const results = await Promise.all([
        ...deployed.map((fn) =>
          timed("health-invoke", async () =>
            judgeHealthInvocation(
              await invokeHealth({
                lambda: aws.lambda,
                functionName: fn.functionName,
                qualifier: alias,
                payload: service.healthPayload,
              }),
              {
                expectedAppVersion: fn.state.aliased.appVersion,
                strictContract: tenant,
                expectedEnvironment: environment.id,
              },
            ),
          ),
        ),
        ...(api
          ? [
              timed("api-health", async () => judgeApiHealth(await getApiHealth(api), primary?.state)),
              timed("authenticated-read", async () => judgeTenantPage(await getTenantPage(api))),
            ]
          : []),
        ...deployed.map((fn) =>
          timed("code-unchanged", async () =>
            table === null
              ? inconclusive(
                  `${service.id} keeps no deployment records, so there is no recorded CodeSha256 to compare with.`,
                )
              : judgeDeploymentRecord({
                  table,
                  functionName: fn.functionName,
                  aliased: fn.state.aliased,
                  records: fn.records,
                  sourceEnvironment: environment.promotedFrom,
                }),
          ),
        ),
        timed("alarms-quiet", async () => {
          const prefix = alarmPrefix(service, environment.id);
          return judgeAlarmStates(prefix, await alarmsWithPrefix(aws.cloudwatch, prefix));
        }),
      ]);
      checks.push(...results);
    }
    const result = probeResult({
      environment: environment.id,
      service: service.id,
      startedAt: started,
      durationMs: performance.now() - t0,
      guard: guarded.guard,
      checks,
    });
    let published = "metrics not published (--no-metrics)";
    if (args.metrics && guarded.guard.status === "passed") {
      try {
        await aws.cloudwatch.send(
          new (sdk.cloudwatch().PutMetricDataCommand)({
            Namespace: PROBE_NAMESPACE,
            MetricData: probeMetricData(result, new Date(), args.alarmPeriod),
          }),
        );
        published = `metrics published to ${PROBE_NAMESPACE}`;
      } catch (error) {
        // The probe's own alarm treats missing data as breaching: a probe that cannot publish still pages.
        published = `metrics NOT published: ${error instanceof Error ? error.message : String(error)}`;
      }
    } else if (args.metrics) published = "metrics not published: the account guard failed";
    const line = probeJsonLine(result);
    const logFile =
      args.logFile ?? join(repoRoot, "reports", "probes", `${environment.id}-${service.id}.jsonl`);
    mkdirSync(dirname(logFile), { recursive: true });
    appendFileSync(logFile, `${line}\n`);
    out.write(
      `Probe: ${result.outcome.toUpperCase()} (exit ${result.exitCode})  ${service.id} on ${environment.id} in ${result.durationMs} ms; ${published}\n`,
    );
    for (const c of result.checks)
      out.write(`  ${c.finding.status.padEnd(12)} ${c.check.padEnd(18)} ${c.finding.reason}\n`);
    if (result.guard.status === "failed") for (const reason of result.reasons) out.write(`  ${reason}\n`);
    if (args.json) process.stdout.write(`${line}\n`);
    return result.exitCode;
  } finally {
    aws.destroy();
    await agent.close();
  }
}

runWhenMain("probe", import.meta.filename, main);

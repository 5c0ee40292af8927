/**
 * `npm start`: the main job on the embedded sandbox. Starts DEV, SIT and PROD on 127.0.0.1 and plays the
 * Tenant Lambda runbook the way a real promotion goes: deploy a new build to DEV (the pipeline's step) and
 * verify it (smoke + post-deploy); the pre-promotion gate of SIT; `npm run promote` into SIT (lock, copy with
 * the integrity check, alias, record, smoke + post-deploy verification); the test people's approvals and the
 * gate of PROD; `npm run promote` into PROD (read-only smoke, the monitoring window); then the same-bits chain
 * DEV -> SIT -> PROD checked from the promotion records and their signed verdicts. The 24 hours each
 * environment must run before the next promotion are the one thing a drill cannot wait for: the sandbox
 * backdates the deployment records, and the drill says so. Stops at the first failing gate, as a promotion
 * would, and exits with that gate's code (0 all passed, 1 a check failed, 2 usage/config,
 * 3 unreachable/inconclusive). Prints where every report is.
 *
 * The sandbox lives in the state directory every other command looks in ($HARNESS_SANDBOX_DIR, else
 * `.sandbox`), so a drill kept with --keep is found by `npm run sandbox -- status|stop` and reused by
 * `npm run verify -- --sandbox`. A sandbox already running there is not replaced: the drill refuses (exit 2).
 *
 * Options: --full-windows keeps the runbook's PROD monitoring window (5 min) instead of the drill's 30 s;
 * --version X.Y.Z names the build (default 1.5.0); --keep leaves the sandbox running at the end.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { request } from "undici";
import { attestGateAsTestSigners, createTestSigners, type TestSigners } from "../lib/attest/index.ts";
import { AwsClients } from "../lib/aws/index.ts";
import { formatHelp, HELP_ENTRY, helpHint, parseArgsProblem, wantsHelp } from "../lib/cli/index.ts";
import {
  acquireLock,
  canaryPlan,
  deployLockTable,
  describeChain,
  type PromotionRecord,
  performRollback,
  releaseLock,
  resolveRollbackTargets,
  scaleCanaryPlan,
  verifyPromotionChain,
  watchCanary,
} from "../lib/promote/index.ts";
import {
  createRunId,
  RUN_ENV,
  RUN_LAYOUT,
  repoRoot,
  runScriptChild,
  runVerifyChild,
  sandboxVerdictKeys,
} from "../lib/run/index.ts";
import { combinedCodeSha256 } from "../lib/verdict/index.ts";
import { environments, services } from "../runbooks/index.ts";
import {
  defaultStateDir,
  type EnvironmentName,
  inspectStateDir,
  removeStaleState,
  type SandboxHandle,
  startSandbox,
} from "../sandbox/index.ts";

/** The drill's rollback recovery window: 10 s of the restored version's traffic instead of the default minute. */
const ROLLBACK_WINDOW = {
  HARNESS_PROD_ROLLBACK_RECOVERY_WINDOW_SECONDS: "10",
  HARNESS_PROD_ROLLBACK_INTERVAL_SECONDS: "2",
} as const;

const EXIT = { passed: 0, failed: 1, usage: 2, inconclusive: 3, interrupted: 130 } as const;
const DEFAULT_VERSION = "1.5.0";

const HELP = formatHelp({
  usage: ["npm start [-- --version <x.y.z>] [--full-windows] [--keep] [--no-fault-drill]"],
  summary:
    "Plays the Tenant Lambda runbook on the embedded sandbox (no AWS account): deploy to DEV and verify\n" +
    "(smoke, post-deploy), promote the same bits to SIT and verify, promote to PROD and verify read-only.\n" +
    "Stops at the first failing gate. The sandbox runs from $HARNESS_SANDBOX_DIR, else .sandbox; a sandbox\n" +
    "already running there is not replaced (stop it with `npm run sandbox -- stop`).",
  sections: [
    {
      title: "Options",
      entries: [
        ["--version <x.y.z>", `the build to deploy and promote (default ${DEFAULT_VERSION})`],
        ["--full-windows", "PROD's runbook monitoring window of 5 min (default: the drill's 30 s)"],
        [
          "--no-fault-drill",
          "skip the last step: a flaky access build behind PROD's 10% canary, caught, rolled back and the rollback verified",
        ],
        [
          "--keep",
          "leave the sandbox running at the end (Ctrl-C or `npm run sandbox -- stop` stops it; default: stop it)",
        ],
        HELP_ENTRY,
      ],
    },
  ],
  exitCodes: [
    [EXIT.passed, "every gate passed"],
    [EXIT.failed, "a check failed"],
    [EXIT.usage, "usage or configuration error, or a sandbox is already running in the state directory"],
    [EXIT.inconclusive, "a target was unreachable or gave no data, or the sandbox did not start"],
    [EXIT.interrupted, "interrupted (Ctrl-C / SIGTERM) before the drill finished"],
  ],
});

interface StepResult {
  title: string;
  exitCode: number;
  ms: number;
  reportDir: string | null;
}

function parseCli(argv: string[]): {
  fullWindows: boolean;
  version: string;
  keep: boolean;
  faultDrill: boolean;
} {
  if (wantsHelp(argv)) {
    console.log(HELP);
    process.exit(EXIT.passed);
  }
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        "full-windows": { type: "boolean", default: false },
        version: { type: "string", default: DEFAULT_VERSION },
        keep: { type: "boolean", default: false },
        "no-fault-drill": { type: "boolean", default: false },
      },
      strict: true,
    });
    if (!/^\d+\.\d+\.\d+$/.test(values.version)) {
      throw new Error(`--version must look like 1.5.0 (got "${values.version}")`);
    }
    return {
      fullWindows: values["full-windows"],
      version: values.version,
      keep: values.keep,
      faultDrill: !values["no-fault-drill"],
    };
  } catch (error) {
    console.error(`start: ${parseArgsProblem(error)}`);
    console.error(helpHint("npm start --"));
    process.exit(EXIT.usage);
  }
}

/** The sandbox's state directory, as verify and the sandbox CLI resolve it. */
function stateDirFromEnv(): string {
  const dir = process.env.HARNESS_SANDBOX_DIR;
  return dir ? resolve(dir) : defaultStateDir;
}

/**
 * Null when the state directory is free for the drill's sandbox (stale state of a dead one is removed),
 * else the message to refuse with: a drill must not clash with, or silently reuse, a sandbox someone runs.
 */
async function refusalFor(stateDir: string): Promise<string | null> {
  const state = await inspectStateDir(stateDir);
  const stop = `npm run sandbox -- stop${stateDir === defaultStateDir ? "" : ` --state-dir ${stateDir}`}`;
  switch (state.kind) {
    case "none":
      return null;
    case "stale": {
      const removed = await removeStaleState(state);
      if (removed.length > 0) console.log(`   removed stale sandbox state: ${state.reason}`);
      return null;
    }
    case "running":
      return (
        `start: a sandbox (pid ${state.endpoints.pid}, started ${state.endpoints.startedAt}) is already running from ${stateDir}. ` +
        `The drill starts its own there; stop that one first with \`${stop}\` (or Ctrl-C in its terminal), ` +
        "or run a single suite against it with `npm run verify -- --env dev --suite smoke --sandbox`."
      );
    case "unconfirmed":
      return `start: ${state.reason}; ${stateDir} may still be in use. Stop pid ${state.pid} (\`${stop}\`, or \`kill ${state.pid}\` if it is hung) and run again.`;
  }
}

/** The verify run in progress, stopped with the drill on a signal. */
let currentChild: ChildProcess | null = null;

/** Runs `scripts/verify.ts` against the running sandbox, streaming its output; returns its exit code and run folder. */
async function verify(
  env: EnvironmentName,
  suite: string,
  stateDir: string,
  extraEnv: Record<string, string>,
  apiUrl: string,
  extraArgs: readonly string[] = [],
): Promise<{ exitCode: number; reportDir: string | null }> {
  const traffic = liveTraffic(apiUrl);
  try {
    return await runVerify(env, suite, stateDir, extraEnv, extraArgs);
  } finally {
    await traffic.stop();
  }
}

/**
 * One verify run under a run id chosen here: the step's folder is reports/runs/<id>/, and its outcome is the
 * verdict.json written there (verify's exit code when it wrote none).
 */
async function runVerify(
  env: EnvironmentName,
  suite: string,
  stateDir: string,
  extraEnv: Record<string, string>,
  extraArgs: readonly string[] = [],
): Promise<{ exitCode: number; reportDir: string | null }> {
  const run = await runVerifyChild({
    args: ["--env", env, "--suite", suite, "--sandbox", ...extraArgs],
    runId: createRunId(env, suite),
    env: { ...process.env, ...extraEnv, HARNESS_SANDBOX_DIR: stateDir },
    onStdout: (text) => process.stdout.write(text.replace(/^(?=.)/gm, "    ")),
    inheritStderr: true,
    onSpawn: (child) => {
      currentChild = child;
    },
  }).finally(() => {
    currentChild = null;
  });
  const reportDir = existsSync(run.runDir) ? relative(repoRoot, run.runDir) : null;
  if (run.verdict) return { exitCode: run.verdict.exitCode, reportDir };
  const exitCode = run.code ?? (run.signal ? EXIT.failed : 0);
  if (exitCode !== EXIT.passed) return { exitCode, reportDir };
  console.error(`   verify exited 0 but wrote no ${RUN_LAYOUT.verdict} in ${run.runDir}: not a pass`);
  return { exitCode: EXIT.failed, reportDir };
}

/**
 * Plays live traffic (GET /health, 5 requests a second) against an environment's API while a suite runs: a real estate has users, and the post-deploy monitoring window
 * judges the traffic it sees (no data is inconclusive, never a pass).
 */
function liveTraffic(apiUrl: string, intervalMs = 200): { stop: () => Promise<number> } {
  let running = true;
  let sent = 0;
  const loop = (async () => {
    while (running) {
      try {
        const response = await request(`${apiUrl}/health`, { method: "GET" });
        await response.body.dump();
        sent += 1;
      } catch {
        // The suite judges the environment; the traffic generator only keeps it busy.
      }
      await sleep(intervalMs);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return sent;
    },
  };
}

/** The promotion record `promote --json` printed, or null when it printed none (a refusal prints another shape). */
function parseRecord(stdout: string): PromotionRecord | null {
  try {
    const parsed = JSON.parse(stdout) as Partial<PromotionRecord>;
    return typeof parsed.runId === "string" && typeof parsed.codeSha256 === "string" && parsed.to
      ? (parsed as PromotionRecord)
      : null;
  } catch {
    return null;
  }
}

// The AWS SDK's notice that future releases need Node 22 is printed once per process; Node 20 is this
// project's runtime, so it would only add noise to every run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

async function main(): Promise<number> {
  const options = parseCli(process.argv.slice(2));
  const stateDir = stateDirFromEnv();
  const results: StepResult[] = [];
  const started = Date.now();
  let sandbox: SandboxHandle | null = null;
  let finished: number | null = null;

  const refusal = await refusalFor(stateDir);
  if (refusal !== null) {
    console.error(refusal);
    return EXIT.usage;
  }

  // A signal stops the sandbox even with --keep: a process that exits leaves no endpoints file naming it.
  const onSignal = (signal: NodeJS.Signals): void => {
    console.error(`\nstart: ${signal}: stopping the sandbox...`);
    currentChild?.kill(signal);
    const code = finished ?? EXIT.interrupted;
    void (sandbox ? sandbox.stop() : Promise.resolve())
      .catch((error: unknown) => {
        console.error(
          `start: the sandbox did not stop cleanly: ${error instanceof Error ? error.message : String(error)}`,
        );
      })
      .finally(() => process.exit(code));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  // PROD's runbook window is 5 minutes; the drill shortens it unless asked not to, and says so.
  const windowEnv: Record<string, string> = options.fullWindows
    ? {}
    : { HARNESS_PROD_MONITORING_WINDOW_SECONDS: "30" };

  const step = async (title: string, run: () => Promise<{ exitCode: number; reportDir: string | null }>) => {
    console.log(`\n== ${title}`);
    const t0 = Date.now();
    let outcome: { exitCode: number; reportDir: string | null };
    try {
      outcome = await run();
    } catch (error) {
      console.error(`   ${error instanceof Error ? error.message : String(error)}`);
      outcome = { exitCode: EXIT.failed, reportDir: null };
    }
    results.push({ title, exitCode: outcome.exitCode, ms: Date.now() - t0, reportDir: outcome.reportDir });
    return outcome.exitCode === EXIT.passed;
  };

  const apiUrl = (env: EnvironmentName): string => {
    if (!sandbox) throw new Error("the sandbox is not running");
    return sandbox.endpoints.environments[env].apiUrl;
  };

  const SERVICE = "tenant-instance-management";
  const FUNCTION = (env: EnvironmentName) => `bbws-tenant-instance-management-${env}`;
  // The drill's people: alice starts the promotions (release manager); bob and carol approve PROD.
  const INITIATOR = "alice@bbws.example";
  const CHANGE = "CHG-1001";
  const drillDir = join(stateDir, "drill");
  // Fresh people and signatures every drill: keys and attestations of an earlier one are not this drill's.
  rmSync(drillDir, { recursive: true, force: true });
  const attestationsDir = join(drillDir, "attestations");
  let signers: TestSigners | null = null;
  let bits: string | null = null;
  const records: PromotionRecord[] = [];
  let faultDrillTimes: { detectedMs: number; verifiedMs: number } | null = null;
  // What the gates read besides AWS. The drill runs at any hour: its PROD maintenance window is the whole day,
  // confirmed as the workflow's input would be; the service CI's reports are the sandbox build's.
  const gateEnv: Record<string, string> = {
    ...windowEnv,
    HARNESS_PROD_POLICY_MAINTENANCE_WINDOWS: "00:00-24:00",
    [RUN_ENV.maintenanceWindowConfirmed]: "true",
    [RUN_ENV.attestationsDir]: attestationsDir,
    [RUN_ENV.allowedSigners]: join(drillDir, "signers", "allowed_signers"),
    [RUN_ENV.ciEvidenceDir]: join(repoRoot, "sandbox", "ci-evidence"),
    [RUN_ENV.initiator]: INITIATOR,
  };

  const deployDev = async () => {
    if (!sandbox) throw new Error("the sandbox is not running");
    const result = await sandbox.deploy({ env: "dev", appVersion: options.version });
    bits = combinedCodeSha256([
      {
        functionName: result.functionName,
        alias: result.alias,
        functionVersion: result.functionVersion,
        appVersion: result.appVersion,
        codeSha256: result.codeSha256,
      },
    ]);
    console.log(
      `   ${result.functionName}: version ${result.functionVersion} (app ${result.appVersion}), CodeSha256 ${result.codeSha256}, ` +
        `alias ${result.alias} (was ${result.previousVersion}; backup alias ${result.backupAlias ?? "none"})`,
    );
    return { exitCode: EXIT.passed, reportDir: null };
  };

  /** The 24 h an environment runs before the next promotion (tenant 6.1, 7.1): backdated, and said so. */
  const soak = (env: EnvironmentName) => async () => {
    if (!sandbox) throw new Error("the sandbox is not running");
    await sandbox.seed(env, [{ kind: "deployment-age", functionName: FUNCTION(env), hoursAgo: 25 }]);
    console.log(
      `   the sandbox backdates ${FUNCTION(env)}'s deployment record by 25 h: a drill cannot wait the day the gate asks for`,
    );
    return { exitCode: EXIT.passed, reportDir: null };
  };

  /** The people's signatures the gate of `env` asks for, for the bits about to be promoted, then the gate. */
  const gate = (env: EnvironmentName) => async () => {
    if (bits === null) throw new Error("no build was deployed to DEV");
    signers ??= await createTestSigners(join(drillDir, "signers"));
    const written = await attestGateAsTestSigners({
      service: SERVICE,
      env,
      codeSha256: bits,
      approvalsRequired: environments[env].approvalsRequired,
      signers,
      dir: attestationsDir,
      initiator: INITIATOR,
      reference: CHANGE,
    });
    for (const record of written)
      console.log(
        `   attested ${record.itemId} by ${record.principal} (${record.role}, ${record.reference})`,
      );
    return verify(env, "pre-promotion", stateDir, gateEnv, apiUrl(env));
  };

  /** `npm run promote` into `env`, as the initiator, with live traffic on the target while it verifies. */
  const promote = (env: EnvironmentName) => async () => {
    const traffic = liveTraffic(apiUrl(env));
    try {
      const run = await runScriptChild({
        script: "scripts/promote.ts",
        args: ["--service", SERVICE, "--to", env, "--sandbox", "--json", "--change", CHANGE],
        env: { ...process.env, ...gateEnv, HARNESS_SANDBOX_DIR: stateDir },
        onSpawn: (child) => {
          currentChild = child;
        },
      }).finally(() => {
        currentChild = null;
      });
      const record = parseRecord(run.stdout);
      if (record) {
        records.push(record);
        console.log(`   promotion record: reports/promotions/${record.runId}.json`);
      }
      return { exitCode: run.code ?? EXIT.failed, reportDir: null };
    } finally {
      await traffic.stop();
    }
  };

  const chain = async () => {
    const check = verifyPromotionChain({
      records,
      trustedKeys: sandboxVerdictKeys(stateDir).publicKeyFile,
    });
    for (const line of describeChain(check)) console.log(`   ${line}`);
    return { exitCode: check.ok ? EXIT.passed : EXIT.failed, reportDir: null };
  };

  /**
   * The rollback drill (access runbook 4.3 step 4, 5.1, 5.3): a build failing half its calls sits behind PROD's
   * 10% canary split, as `promote` leaves PROD at its canary-start step (a real promotion's gate would have
   * refused such bits in SIT, so the sandbox puts them there). The canary watcher `promote` runs catches it; the
   * rollback path `npm run rollback` takes moves the aliases back and records it; the rollback suite verifies.
   */
  const faultDrill = async () => {
    if (!sandbox) throw new Error("the sandbox is not running");
    const access = services["access-management"];
    const plan = canaryPlan(access, environments.prod);
    if (!plan) throw new Error("access-management has no PROD canary in runbooks/");
    // The drill's canary: 30 s like its monitoring window, checks and traffic scaled with it.
    const scale = options.fullWindows ? 1 : 30_000 / plan.windowMs;
    const drillPlan = scaleCanaryPlan(plan, scale, 500);
    const endpoints = sandbox.endpoints;
    const awsEnv = {
      AWS_ENDPOINT_URL: endpoints.awsEndpoint,
      AWS_CONFIG_FILE: endpoints.awsConfigFile,
      AWS_SHARED_CREDENTIALS_FILE: endpoints.awsSharedCredentialsFile,
    };
    const saved = Object.fromEntries(Object.keys(awsEnv).map((k) => [k, process.env[k]]));
    Object.assign(process.env, awsEnv);
    const aws = new AwsClients({
      region: endpoints.environments.prod.region,
      profile: endpoints.environments.prod.profile,
    });
    try {
      const deployed = await sandbox.deploy({
        env: "prod",
        service: "access-management",
        fault: { kind: "flaky" },
        canaryWeight: drillPlan.weightPercent / 100,
      });
      const functions = deployed.functions.map((fn) => ({
        functionName: fn.functionName,
        previousVersion: fn.previousVersion,
        newVersion: fn.functionVersion,
      }));
      console.log(
        `   a flaky build (${deployed.appVersion}: half its calls crash) gets ${drillPlan.weightPercent}% of latest-prod: ${functions.map((f) => `${f.functionName}:${f.newVersion}`).join(", ")}`,
      );
      const started = Date.now();
      const report = await watchCanary({
        aws,
        service: access,
        alias: "latest-prod",
        functions,
        plan: drillPlan,
        startedAt: started,
        log: (line) => console.log(`   ${line.trim()}`),
      });
      console.log(`   canary: ${report.outcome.reason}`);
      if (report.outcome.kind !== "rollback") return { exitCode: EXIT.failed, reportDir: null };
      const runId = createRunId("prod", "fault-drill");
      const table = deployLockTable("prod");
      const lock = {
        current: await acquireLock(aws.dynamodbDoc, table, {
          service: "access-management",
          holder: INITIATOR,
          runId,
          operation: "rollback",
          target: { version: functions.map((f) => `${f.functionName}=${f.previousVersion}`).join(",") },
        }),
      };
      const targets = await resolveRollbackTargets({
        aws,
        service: access,
        envId: "prod",
        request: { kind: "previous" },
        perFunction: new Map(functions.map((f) => [f.functionName, f.previousVersion])),
      });
      try {
        await performRollback({
          aws,
          service: access,
          envId: "prod",
          targets,
          reason: report.outcome.reason,
          initiator: INITIATOR,
          runId,
          trigger: "promotion",
          emergency: false,
          requested: "previous",
          startedAt: new Date(started).toISOString(),
          lock,
          log: (line) => console.log(`   ${line.trim()}`),
        });
      } finally {
        await releaseLock(aws.dynamodbDoc, table, lock.current);
      }
      const verified = await verify(
        "prod",
        "rollback",
        stateDir,
        { ...gateEnv, ...ROLLBACK_WINDOW },
        apiUrl("prod"),
        ["--service", "access-management", "--automated-only"],
      );
      faultDrillTimes = {
        detectedMs: Math.round(report.outcome.decidedAfterMs),
        verifiedMs: Date.now() - started,
      };
      console.log(
        `   detected ${(faultDrillTimes.detectedMs / 1000).toFixed(1)} s after the split; rollback verified ${(faultDrillTimes.verifiedMs / 1000).toFixed(1)} s after it (runbook: an alias rollback in under 5 minutes)`,
      );
      return verified;
    } finally {
      aws.destroy();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  };

  const plan: Array<[string, () => Promise<{ exitCode: number; reportDir: string | null }>]> = [
    [`DEV: deploy build ${options.version} (runbook 4.1)`, deployDev],
    ["DEV: smoke tests (runbook 5)", () => verify("dev", "smoke", stateDir, gateEnv, apiUrl("dev"))],
    [
      "DEV: post-deploy verification (runbook 4.3, 8)",
      () => verify("dev", "post-deploy", stateDir, gateEnv, apiUrl("dev")),
    ],
    ["DEV: 24 h of running (runbook 6.1), backdated by the sandbox", soak("dev")],
    ["SIT: pre-promotion gate (runbook 6.1-6.2)", gate("sit")],
    [`SIT: npm run promote from DEV, smoke and post-deploy verification (runbook 6.3)`, promote("sit")],
    ["SIT: 24 h of running (runbook 7.1), backdated by the sandbox", soak("sit")],
    ["PROD: approvals and pre-promotion gate (runbook 7.1-7.2)", gate("prod")],
    [
      `PROD: npm run promote from SIT, read-only smoke and ${options.fullWindows ? "5 min" : "30 s (drill; --full-windows for the runbook's 5 min)"} monitoring window (runbook 7.3-7.4)`,
      promote("prod"),
    ],
    ["Chain: PROD serves the bits SIT and DEV verified, each step on signed verdicts", chain],
  ];
  if (options.faultDrill) {
    plan.push([
      "Rollback drill: a flaky access build in PROD's canary, caught, rolled back, the rollback verified (access 4.3-5.3)",
      faultDrill,
    ]);
  }

  try {
    console.log("== Starting the embedded sandbox: DEV, SIT and PROD on 127.0.0.1 (no AWS account needed)");
    sandbox = await startSandbox({ stateDir, quiet: true });
    console.log(
      `   ready in ${sandbox.startupMs} ms; endpoints: ${relative(repoRoot, join(stateDir, "endpoints.json"))}`,
    );
    for (const [title, run] of plan) {
      if (!(await step(title, run))) break;
    }
  } catch (error) {
    console.error(`start: ${error instanceof Error ? error.message : String(error)}`);
    results.push({
      title: "start the sandbox",
      exitCode: EXIT.inconclusive,
      ms: Date.now() - started,
      reportDir: null,
    });
  } finally {
    if (sandbox && !options.keep) await sandbox.stop();
  }

  console.log("\n== Runbook drill summary");
  for (const result of results) {
    const status = result.exitCode === 0 ? "PASS" : result.exitCode === 3 ? "INCONCLUSIVE" : "FAIL";
    const report = result.reportDir ? `  ${result.reportDir}/${RUN_LAYOUT.html}/index.html` : "";
    console.log(`   ${status.padEnd(12)} ${result.title} (${(result.ms / 1000).toFixed(1)} s)${report}`);
  }
  const skipped = plan.length - results.filter((r) => r.title !== "start the sandbox").length;
  if (skipped > 0) console.log(`   ${skipped} later step(s) not run: a failed gate stops the promotion.`);
  const times = faultDrillTimes as { detectedMs: number; verifiedMs: number } | null;
  if (times)
    console.log(
      `   rollback drill: the flaky build was caught ${(times.detectedMs / 1000).toFixed(1)} s into the canary; detection to verified rollback ${((times.verifiedMs - times.detectedMs) / 1000).toFixed(1)} s (runbook: under 5 minutes)`,
    );
  const failed = results.find((r) => r.exitCode !== 0);
  console.log(
    failed
      ? `\nDrill stopped at "${failed.title}" (exit ${failed.exitCode}). Reports: reports/runs/`
      : `\nDrill passed in ${((Date.now() - started) / 1000).toFixed(1)} s. Reports (HTML, JUnit, Allure results, verdict.json): reports/runs/`,
  );
  const code = failed ? failed.exitCode : EXIT.passed;
  if (options.keep && sandbox) {
    finished = code;
    const dirFlag = stateDir === defaultStateDir ? "" : ` --state-dir ${stateDir}`;
    console.log(
      [
        "",
        `Sandbox left running (--keep): pid ${process.pid}, state in ${stateDir === defaultStateDir ? ".sandbox" : stateDir}.`,
        "   reuse it:  npm run verify -- --env dev --suite smoke --sandbox",
        `   see it:    npm run sandbox -- status${dirFlag}`,
        `   stop it:   Ctrl-C here, or npm run sandbox -- stop${dirFlag}`,
      ].join("\n"),
    );
  }
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(
      `start: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exitCode = EXIT.failed;
  },
);

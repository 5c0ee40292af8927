/**
 * `npm run promote -- --service <id> --to sit`: the runbook's promotion into SIT as code (tenant 6.3, access
 * 3.2 step 3). Refuses unless the bits DEV serves have passing, fresh, signed smoke and post-deploy verdicts of
 * DEV and a passing pre-promotion verdict of SIT; takes the deploy lock; copies each function's package with
 * the integrity check; moves the aliases together; records the deployment; runs the post-deploy suite (a
 * failure rolls back, runbook 9.1); writes the promotion record (reports/promotions/<run id>.json).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { AwsClients, awsTargetFor } from "../lib/aws/index.ts";
import { formatHelp, HELP_ENTRY, parseFlags, runWhenMain, wantsHelp } from "../lib/cli/index.ts";
import { gateSettings } from "../lib/config/index.ts";
import { BreakLockRefusedError, LockHeldError, PromotionStepError, promote } from "../lib/promote/index.ts";
import { createRunId, RUN_ENV, repoRoot, runVerifyChild, UsageError } from "../lib/run/index.ts";
import { type EnvironmentId, environmentIds, type ServiceId, serviceIds } from "../runbooks/index.ts";
import { loadCommandConfig, setupErrorExit } from "./shared/running-sandbox.ts";

const HINT = "Run `npm run promote -- --help` for every option.";

const HELP = formatHelp({
  usage: ["npm run promote -- --service <id> --to sit [options]"],
  summary:
    "Promotes the bits the source environment's alias serves (DEV for SIT) into the target, the runbook's steps as code: refuses unless those bits have passing, fresh, signed smoke and post-deploy verdicts of the source and a passing pre-promotion verdict of the target; takes the deploy lock (a conditional write in bbws-deployments-<env>); per function creates the backup alias, downloads the source package (GetFunction Code.Location), UpdateFunctionCode, PublishVersion with the CodeSha256 precondition and checks the new version's CodeSha256 before any traffic moves; moves every alias together; records the deployment; runs the post-deploy suite, whose failure rolls the aliases back (runbook 9.1); releases the lock and writes the promotion record to reports/promotions/<run id>.json. PROD (the 10% canary) is not built yet and is refused.",
  sections: [
    {
      title: "Options",
      entries: [
        ["--service <id>", `the service (required): ${serviceIds.join(", ")}`],
        ["--to <env>", "the target environment (required): sit"],
        ["--verdicts <dir>", `where the verdict files are (default reports/runs/; $${RUN_ENV.verdictsDir})`],
        [
          "--trusted-keys <file|dir>",
          `PEM public keys whose signatures the verdicts must carry ($${RUN_ENV.trustedVerdictKeys}; the sandbox sets its own)`,
        ],
        ["--initiator <principal>", `who promotes (recorded; $${RUN_ENV.initiator}, else user@host)`],
        ["--change <CHG-n>", "the change request, recorded with the deployment"],
        [
          '--break-lock --reason "..."',
          "break the deploy lock a killed run left once its lease ran out (the break and its reason are recorded), then promote: every step is repeated safely, and a target already serving the bits is only verified",
        ],
        [
          "--force",
          "with --break-lock: break a lock whose lease still runs (only once you know that run is dead)",
        ],
        ["--sandbox", "promote inside the sandbox running from .sandbox/ (or $HARNESS_SANDBOX_DIR)"],
        ["--config <file>", "an override file, as verify takes it (default $HARNESS_CONFIG)"],
        ["--json", "print the promotion record (or the refusal) as JSON on stdout"],
        HELP_ENTRY,
      ],
    },
  ],
  exitCodes: [
    [0, "promoted and verified"],
    [
      1,
      "refused (a verdict is missing, failed, stale, unsigned, for other bits; the lock is held) or rolled back",
    ],
    [2, "usage or configuration error"],
    [3, "an environment (sandbox or AWS) could not be reached"],
  ],
});

type Args = {
  breakLock: { reason: string; force: boolean } | undefined;
  service: ServiceId;
  to: EnvironmentId;
  env: Record<string, string>;
  initiator: string | undefined;
  change: string | undefined;
  sandbox: boolean;
  config: string | undefined;
  json: boolean;
};

function parse(argv: string[]): Args {
  const { text, flag } = parseFlags(
    argv,
    {
      service: { type: "string" },
      to: { type: "string" },
      verdicts: { type: "string" },
      "trusted-keys": { type: "string" },
      initiator: { type: "string" },
      change: { type: "string" },
      "break-lock": { type: "boolean" },
      reason: { type: "string" },
      force: { type: "boolean" },
      sandbox: { type: "boolean" },
      config: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    (problems) => new UsageError(problems, HINT),
  );
  const problems: string[] = [];
  const service = serviceIds.find((id) => id === text("service"));
  if (!service)
    problems.push(`--service ${text("service") ?? "is missing"}: expected one of ${serviceIds.join(", ")}`);
  const to = environmentIds.find((id) => id === text("to"));
  if (!to) problems.push(`--to ${text("to") ?? "is missing"}: expected sit`);
  else if (to === "dev") problems.push("--to dev: DEV is deployed by its pipeline, not promoted into");
  else if (to === "prod")
    problems.push(
      "--to prod: the PROD promotion (the runbook's 10% canary with its automatic rollback) is not built yet; promote into SIT only",
    );
  const change = text("change");
  if (change !== undefined && !/^CHG-\d+$/.test(change))
    problems.push(`--change ${change}: expected CHG- and digits, e.g. CHG-12345`);
  const reason = text("reason");
  const breakIt = flag("break-lock");
  if (breakIt && (reason === undefined || reason.trim() === ""))
    problems.push('--break-lock needs --reason "...": the reason is recorded with the break');
  if (!breakIt && reason !== undefined) problems.push("--reason goes with --break-lock");
  if (!breakIt && flag("force")) problems.push("--force goes with --break-lock");
  if (problems.length > 0 || !service || !to) throw new UsageError(problems, HINT);
  const env: Record<string, string> = {};
  const verdicts = text("verdicts");
  if (verdicts) env[RUN_ENV.verdictsDir] = verdicts;
  const keys = text("trusted-keys");
  if (keys) env[RUN_ENV.trustedVerdictKeys] = keys;
  return {
    service,
    to,
    env,
    breakLock: breakIt ? { reason: reason ?? "", force: flag("force") } : undefined,
    initiator: text("initiator"),
    change,
    sandbox: flag("sandbox"),
    config: text("config"),
    json: flag("json"),
  };
}

async function main(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(HELP);
    return 0;
  }
  let args: Args;
  let config: Awaited<ReturnType<typeof loadCommandConfig>>;
  try {
    args = parse(argv);
    config = await loadCommandConfig({ config: args.config, sandbox: args.sandbox }, "promotion");
  } catch (error) {
    return setupErrorExit(error) ?? Promise.reject(error);
  }
  Object.assign(process.env, args.env);
  const service = config.services[args.service];
  const target = config.environments[args.to];
  const sourceId = target.promotedFrom;
  if (sourceId === null) {
    process.stderr.write(`promote: ${target.displayName} has no source environment.\n`);
    return 2;
  }
  const source = config.environments[sourceId];
  const settings = gateSettings(service.id);
  const holder = args.initiator ?? settings.initiator ?? `${userInfo().username}@${hostname()}`;
  const runId = createRunId(target.id, "promote");
  const out = (line: string) => process.stderr.write(`${line}\n`);
  const sourceAws = new AwsClients(awsTargetFor(source));
  const targetAws = new AwsClients(awsTargetFor(target));
  try {
    const result = await promote({
      service,
      source,
      target,
      sourceAws,
      targetAws,
      holder,
      runId,
      verdictsDir: settings.verdictsDir,
      trustedKeys: settings.trustedVerdictKeys,
      changeRequest: args.change ?? null,
      breakLock: args.breakLock,
      log: out,
      verifyTarget: async () => {
        const verifyRunId = createRunId(target.id, "post-deploy");
        const run = await runVerifyChild({
          args: [
            "--env",
            target.id,
            "--suite",
            "post-deploy",
            "--service",
            service.id,
            ...(args.sandbox ? ["--sandbox"] : []),
            ...(args.config ? ["--config", args.config] : []),
          ],
          runId: verifyRunId,
          env: { ...process.env },
          inheritStderr: true,
        });
        return {
          code: run.code,
          verdictFile: run.verdict ? join(run.runDir, "verdict.json") : null,
          runId: verifyRunId,
        };
      },
    });
    if (result.kind === "refused") {
      if (args.json) process.stdout.write(`${JSON.stringify({ outcome: "refused", ...result }, null, 2)}\n`);
      out(`REFUSED: nothing was changed in ${target.displayName}.`);
      for (const reason of result.reasons) out(`  ${reason}`);
      return 1;
    }
    const dir = join(repoRoot, "reports", "promotions");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${runId}.json`);
    writeFileSync(file, `${JSON.stringify(result.record, null, 2)}\n`);
    if (args.json) process.stdout.write(`${JSON.stringify(result.record, null, 2)}\n`);
    out(
      result.kind === "promoted"
        ? `PROMOTED: ${service.id} ${source.displayName} -> ${target.displayName}, CodeSha256 ${result.codeSha256}; record ${file}`
        : `ROLLED BACK: the post-deploy verification of ${target.displayName} exited ${result.verification.code}; the aliases serve the previous versions again; record ${file}`,
    );
    return result.kind === "promoted" ? 0 : 1;
  } catch (error) {
    if (
      error instanceof LockHeldError ||
      error instanceof PromotionStepError ||
      error instanceof BreakLockRefusedError
    ) {
      out(`REFUSED: ${error.message}`);
      return 1;
    }
    const name = error instanceof Error ? error.name : "";
    if (/Unreachable|ECONNREFUSED|TimeoutError|NetworkingError/.test(`${name} ${String(error)}`)) {
      out(
        `promote: an environment could not be reached: ${error instanceof Error ? error.message : String(error)}`,
      );
      return 3;
    }
    throw error;
  } finally {
    sourceAws.destroy();
    targetAws.destroy();
  }
}

runWhenMain("promote", import.meta.filename, main);

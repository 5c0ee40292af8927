/**
 * `npm run promote -- --service <id> --to <sit|prod>`: the runbook's promotion as code (tenant 6.3 and 7.3,
 * access 3.2 step 3 and 4.3 steps 3-5). Refuses unless the bits the source serves have passing, fresh, signed
 * smoke and post-deploy verdicts of the source and a passing pre-promotion verdict of the target; takes the
 * deploy lock; copies each function's package with the integrity check; access into PROD goes through the 10%
 * canary (a trigger rolls back, the latency alert holds for `--resume --decision`); moves the aliases together;
 * records the deployment; runs the smoke and post-deploy suites (a failure rolls back, runbook 9.1); writes the
 * promotion record (reports/promotions/<run id>.json).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { AwsClients, awsTargetFor } from "../lib/aws/index.ts";
import { type CanaryRecord, deploymentSuites } from "../lib/checks/index.ts";
import { formatHelp, HELP_ENTRY, parseFlags, runWhenMain, wantsHelp } from "../lib/cli/index.ts";
import { gateSettings } from "../lib/config/index.ts";
import {
  isRefusal,
  isUnreachable,
  type PromotionInput,
  type PromotionResult,
  promote,
  resumePromotion,
  verifyRollbackSuite,
} from "../lib/promote/index.ts";
import { createRunId, RUN_ENV, repoRoot, UsageError, verifySuite } from "../lib/run/index.ts";
import { type EnvironmentId, environmentIds, type ServiceId, serviceIds } from "../runbooks/index.ts";
import { loadCommandConfig, setupErrorExit } from "./shared/running-sandbox.ts";

const HINT = "Run `npm run promote -- --help` for every option.";

const HELP = formatHelp({
  usage: [
    "npm run promote -- --service <id> --to <sit|prod> [options]",
    "npm run promote -- --service <id> --to prod --resume --decision <proceed|rollback>",
  ],
  summary:
    "Promotes the bits the source environment's alias serves (DEV for SIT, SIT for PROD) into the target, the runbook's steps as code: refuses unless those bits have passing, fresh, signed smoke and post-deploy verdicts of the source and a passing pre-promotion verdict of the target; takes the deploy lock (a conditional write in bbws-deployments-<env>); per function creates the backup alias, downloads the source package (GetFunction Code.Location), UpdateFunctionCode, PublishVersion with the CodeSha256 precondition and checks the new version's CodeSha256 before any traffic moves. Access Management into PROD then runs the canary (access runbook 4.3 step 4): 10% of the traffic to the new versions for 5 minutes (HARNESS_PROD_CANARY_*), judged on their own ExecutedVersion metrics and a health invoke of each new version every 5 s; an error rate above 5% for 2 minutes or a failed health invoke rolls back at once, p95 above 3x the previous version's baseline holds for a decision (--resume --decision), no data rolls back as inconclusive. Then every alias moves together; the deployment is recorded; the smoke and post-deploy suites run, and a failure rolls the aliases back (runbook 9.1); the lock is released and the promotion record written to reports/promotions/<run id>.json.",
  sections: [
    {
      title: "Options",
      entries: [
        ["--service <id>", `the service (required): ${serviceIds.join(", ")}`],
        ["--to <env>", "the target environment (required): sit or prod"],
        [
          "--resume --decision <d>",
          "decide on a canary held by its latency alert: proceed (shift 100%, verify) or rollback",
        ],
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
      "refused (a verdict is missing, failed, stale, unsigned, for other bits; the lock is held) or rolled back (a canary trigger, a decision, a failed verification)",
    ],
    [2, "usage or configuration error"],
    [
      3,
      "an environment (sandbox or AWS) could not be reached, or the canary had no data to judge (rolled back)",
    ],
    [4, "held: the canary's latency alert waits for --resume --decision proceed|rollback"],
  ],
});

type Args = {
  decision: "proceed" | "rollback" | undefined;
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
      resume: { type: "boolean" },
      decision: { type: "string" },
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
  if (!to) problems.push(`--to ${text("to") ?? "is missing"}: expected sit or prod`);
  else if (to === "dev") problems.push("--to dev: DEV is deployed by its pipeline, not promoted into");
  const decisionText = text("decision");
  const decision = decisionText === "proceed" || decisionText === "rollback" ? decisionText : undefined;
  if (flag("resume") && decision === undefined)
    problems.push(`--resume needs --decision proceed or --decision rollback (got ${decisionText ?? "none"})`);
  if (!flag("resume") && decisionText !== undefined) problems.push("--decision goes with --resume");
  if (flag("resume") && flag("break-lock")) problems.push("--resume continues a held run: no --break-lock");
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
    decision: flag("resume") ? decision : undefined,
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
    const inputs: PromotionInput = {
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
      verifyTarget: async ({ canary, movedAt }) => {
        // Once the traffic has shifted, the canary's 10% is history Lambda does not keep: the record is handed to
        // the post-deploy suite, which judges access runbook 4.3.4 on it.
        const childEnv: Record<string, string | undefined> = {
          ...process.env,
          [RUN_ENV.deployedAt]: movedAt.toISOString(),
        };
        if (canary) {
          const dir = join(repoRoot, "reports", "promotions");
          mkdirSync(dir, { recursive: true });
          const file = join(dir, `${runId}.canary.json`);
          const record: CanaryRecord = {
            schemaVersion: 1,
            runId,
            weightPercent: canary.outcome.weightPercent,
            windowMs: canary.outcome.windowMs,
            decidedAfterMs: Math.round(canary.outcome.decidedAfterMs),
            outcome: canary.outcome.kind,
            reason: canary.outcome.reason,
            decision: canary.decision?.decision ?? null,
            functions: canary.functions.map((fn) => ({
              functionName: fn.functionName,
              newVersion: fn.newVersion,
            })),
          };
          writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
          childEnv[RUN_ENV.canaryRecord] = file;
        }
        // Tenant 6.3.3 / 7.3.4 and access 3.2.4 / 4.3.5: the smoke tests (read-only in PROD), then the
        // post-deploy suite with its monitoring window. A failing smoke run is the verification's answer.
        // A service without smoke items of its own (access: its smoke checks are in the post-deploy suite) runs
        // the post-deploy suite alone.
        const suites = deploymentSuites(service.id);
        const verdictFiles: string[] = [];
        let last = { code: null as number | null, runId: "" };
        // The suite's attested items (post-promotion actions: notify, close the change) are made after the
        // promotion; the complete verdict is the one run once they are signed.
        const verify = (suite: string, childEnv: Record<string, string | undefined>) =>
          verifySuite({
            env: target.id,
            suite,
            service: service.id,
            automatedOnly: true,
            sandbox: args.sandbox,
            config: args.config,
            childEnv,
            log: out,
          });
        for (const suite of suites) {
          const run = await verify(suite, childEnv);
          if (run.verdictFile) verdictFiles.push(run.verdictFile);
          last = { code: run.code, runId: run.runId };
          if (run.code !== 0) break;
        }
        return {
          code: last.code,
          verdictFile: verdictFiles.at(-1) ?? null,
          verdictFiles,
          runId: last.runId,
        };
      },
    };
    // A promotion that rolls itself back verifies the rollback as `npm run rollback` does (the rollback suite).
    const withRollbackCheck: PromotionInput = {
      ...inputs,
      // The recovery window opens at the rollback: this command watches it while the suite starts.
      verifyRollback: () =>
        verifyRollbackSuite({
          aws: targetAws,
          environment: target,
          service,
          runId,
          watchedBy: `npm run promote (run ${runId}), after its rollback`,
          sandbox: args.sandbox,
          config: args.config,
          childEnv: { ...process.env },
          log: out,
        }),
    };
    const result =
      args.decision === undefined
        ? await promote(withRollbackCheck)
        : await resumePromotion({ ...withRollbackCheck, decision: args.decision });
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
    return finalWord(result, file, out, `${service.id} ${source.displayName} -> ${target.displayName}`);
  } catch (error) {
    if (isRefusal(error)) {
      out(`REFUSED: ${error.message}`);
      return 1;
    }
    if (isUnreachable(error)) {
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

/** Prints the one word (PROMOTED, ROLLED BACK, HELD) with its reason, and returns the exit code that goes with it. */
function finalWord(
  result: Exclude<PromotionResult, { kind: "refused" }>,
  file: string,
  out: (line: string) => void,
  what: string,
): number {
  const reason = result.record.reason;
  if (result.kind === "promoted") {
    out(`PROMOTED: ${what}, CodeSha256 ${result.codeSha256}; record ${file}`);
    return 0;
  }
  if (result.kind === "held") {
    out(`HELD: ${reason}\n  record ${file}`);
    return 4;
  }
  const inconclusive = result.canary?.outcome.kind === "inconclusive" && !result.canary.decision;
  const check = result.record.rollbackVerification;
  const verified =
    check === null
      ? ""
      : check.code === 0
        ? `\n  the rollback is verified (rollback suite passed: ${check.verdictFile ?? "no verdict"})`
        : `\n  THE ROLLBACK'S VERIFICATION EXITED ${check.code} (${check.verdictFile ?? "no verdict"}): look at the target now`;
  out(`ROLLED BACK${inconclusive ? " (INCONCLUSIVE)" : ""}: ${reason}${verified}\n  record ${file}`);
  return inconclusive ? 3 : 1;
}

runWhenMain("promote", import.meta.filename, main);

/**
 * `npm run rollback -- --service <id> --env <env> --reason "..."`: the runbook's rollback as code (tenant 9.3-9.4,
 * access 5.3 and 9.2; the inputs of rollback.yml / rollback-lambda.yml). Resolves the version each function
 * returns to (`--target previous`: the newest backup alias below what is served; a version number; a semver),
 * takes the deploy lock, moves every alias there (dropping any canary routing), records the rollback with its
 * reason and initiator (ROLLBACK#<service> in bbws-deployments-<env>, the restored deployment record or
 * deployed-version), then runs the verification (read-only smoke where the service has it, and the rollback suite) and
 * exits with its verdict. A PROD rollback needs its approvals (attested) unless it is an emergency, which is
 * recorded and reported as such.
 */
import { hostname, userInfo } from "node:os";
import { attestCommand } from "../lib/attest/index.ts";
import { AwsClients, awsTargetFor, sdk } from "../lib/aws/index.ts";
import { decideAttestedItem, deploymentSuites } from "../lib/checks/index.ts";
import { formatHelp, HELP_ENTRY, parseFlags, runWhenMain, wantsHelp } from "../lib/cli/index.ts";
import { aliasName, functionNames, gateSettings } from "../lib/config/index.ts";
import {
  acquireLock,
  breakLock,
  deployLockTable,
  describeRequest,
  isRefusal,
  isUnreachable,
  parseRollbackRequest,
  performRollback,
  releaseLock,
  resolveRollbackTargets,
  splitForRecovery,
  verifyRollbackSuite,
} from "../lib/promote/index.ts";
import { createRunId, RUN_ENV, UsageError, verifySuite } from "../lib/run/index.ts";
import { combinedCodeSha256 } from "../lib/verdict/index.ts";
import {
  type EnvironmentId,
  environmentIds,
  getRunbookItem,
  type ServiceId,
  serviceIds,
} from "../runbooks/index.ts";
import { loadCommandConfig, setupErrorExit } from "./shared/running-sandbox.ts";

const HINT = "Run `npm run rollback -- --help` for every option.";
/** The runbook item a PROD rollback's approvals are signed for (tenant runbook 9.3). */
const PROD_APPROVAL_ITEM = "tenant-deploy/9.3/prod-rollback-approved";

const HELP = formatHelp({
  usage: ['npm run rollback -- --service <id> --env <dev|sit|prod> --reason "..." [options]'],
  summary:
    "Rolls a service back, the runbook's steps as code (tenant 9.3-9.4, access 5.3 and 9.2): resolves the version each function returns to, takes the deploy lock (LOCK#<service> in bbws-deployments-<env>; refused while a promotion holds it, naming the holder), moves latest-<env> there and drops any canary routing, records the rollback with its reason and initiator (ROLLBACK#<service>, the restored deployment record for the tenant service, /bbws-access/<env>/deployed-version for access), releases the lock, then runs the read-only smoke tests (where the service has a smoke suite) and the rollback suite with --automated-only and exits with the worse verdict. A PROD rollback needs tenant-deploy/9.3/prod-rollback-approved signed by two prod-approvers (not the initiator), unless --emergency, which is recorded and reported as a deviation.",
  sections: [
    {
      title: "Options",
      entries: [
        ["--service <id>", `the service (required): ${serviceIds.join(", ")}`],
        ["--env <env>", `the environment (required): ${environmentIds.join(", ")}`],
        ['--reason "..."', "why (required, recorded with the rollback; runbook 9.3)"],
        [
          "--target <t>",
          "previous (default: the newest backup-<env>-v<N> alias below the version served, runbook 9.4), a version number, or an app version such as 1.4.0",
        ],
        [
          "--services <list>",
          "access management: all (default) or some of its functions, e.g. roles,audit (authorizer, roles, audit)",
        ],
        ["--initiator <principal>", `who rolls back (recorded; $${RUN_ENV.initiator}, else user@host)`],
        ["--emergency", "PROD without its approvals: recorded with the reason and reported as a deviation"],
        [
          "--attestations <dir>",
          `where the approvals are (default attestations/; $${RUN_ENV.attestationsDir})`,
        ],
        [
          "--allowed-signers <file>",
          `who may sign (default runbooks/allowed_signers; $${RUN_ENV.allowedSigners})`,
        ],
        [
          '--break-lock --lock-reason "..."',
          "break the lock a killed run left (recorded with this reason); a rollback it interrupted is completed to the versions it was moving to",
        ],
        ["--force", "with --break-lock: break a lock whose lease still runs"],
        ["--no-verify", "move and record only; no verification run (the exit code then says only that)"],
        ["--sandbox", "roll back inside the sandbox running from .sandbox/ (or $HARNESS_SANDBOX_DIR)"],
        ["--config <file>", "an override file, as verify takes it (default $HARNESS_CONFIG)"],
        ["--json", "print the rollback record (or the refusal) as JSON on stdout"],
        HELP_ENTRY,
      ],
    },
  ],
  exitCodes: [
    [0, "rolled back and the verification passed"],
    [1, "refused (no target, no approvals, the lock is held) or the verification failed"],
    [2, "usage or configuration error (e.g. no --reason): nothing changed"],
    [3, "an environment could not be reached, or the verification had no data (inconclusive)"],
  ],
});

type Args = {
  service: ServiceId;
  env: EnvironmentId;
  reason: string;
  target: string;
  services: string[] | null;
  initiator: string | undefined;
  emergency: boolean;
  breakLock: { reason: string; force: boolean } | undefined;
  verify: boolean;
  sandbox: boolean;
  config: string | undefined;
  json: boolean;
  vars: Record<string, string>;
};

function parse(argv: string[]): Args {
  const { text, flag } = parseFlags(
    argv,
    {
      service: { type: "string" },
      env: { type: "string" },
      reason: { type: "string" },
      target: { type: "string" },
      services: { type: "string" },
      initiator: { type: "string" },
      emergency: { type: "boolean" },
      attestations: { type: "string" },
      "allowed-signers": { type: "string" },
      "break-lock": { type: "boolean" },
      "lock-reason": { type: "string" },
      force: { type: "boolean" },
      "no-verify": { type: "boolean" },
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
  const env = environmentIds.find((id) => id === text("env"));
  if (!env)
    problems.push(`--env ${text("env") ?? "is missing"}: expected one of ${environmentIds.join(", ")}`);
  const reason = text("reason")?.trim() ?? "";
  if (reason === "")
    problems.push('--reason "..." is required: a rollback is recorded with why it was done (runbook 9.3)');
  const target = text("target") ?? "previous";
  if (parseRollbackRequest(target) === null)
    problems.push(`--target ${target}: expected previous, a version number (7) or an app version (1.4.0)`);
  const servicesText = text("services");
  const services =
    servicesText === undefined || servicesText === "all"
      ? null
      : servicesText
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
  if (services !== null && service !== "access-management")
    problems.push("--services names access management's functions; the tenant service has one");
  const lockReason = text("lock-reason");
  if (flag("break-lock") && !lockReason?.trim())
    problems.push('--break-lock needs --lock-reason "...": the break is recorded with it');
  if (!flag("break-lock") && flag("force")) problems.push("--force goes with --break-lock");
  if (flag("emergency") && env !== "prod")
    problems.push("--emergency is for PROD, where a rollback needs approvals");
  if (problems.length > 0 || !service || !env) throw new UsageError(problems, HINT);
  const vars: Record<string, string> = {};
  const attestations = text("attestations");
  if (attestations) vars[RUN_ENV.attestationsDir] = attestations;
  const signers = text("allowed-signers");
  if (signers) vars[RUN_ENV.allowedSigners] = signers;
  return {
    service,
    env,
    reason,
    target,
    services,
    initiator: text("initiator"),
    emergency: flag("emergency"),
    breakLock: flag("break-lock") ? { reason: lockReason ?? "", force: flag("force") } : undefined,
    verify: !flag("no-verify"),
    sandbox: flag("sandbox"),
    config: text("config"),
    json: flag("json"),
    vars,
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
    config = await loadCommandConfig({ config: args.config, sandbox: args.sandbox }, "rollback");
  } catch (error) {
    return setupErrorExit(error) ?? Promise.reject(error);
  }
  Object.assign(process.env, args.vars);
  const service = config.services[args.service];
  const environment = config.environments[args.env];
  const settings = gateSettings(service.id);
  const initiator = args.initiator ?? settings.initiator ?? `${userInfo().username}@${hostname()}`;
  const runId = createRunId(environment.id, "rollback");
  const out = (line: string) => process.stderr.write(`${line}\n`);
  const all = functionNames(service, environment.id);
  let names = all;
  if (args.services !== null) {
    const wanted = args.services;
    names = all.filter((name) => wanted.some((w) => name === w || name.endsWith(`-${w}`)));
    const unknown = wanted.filter((w) => !all.some((name) => name === w || name.endsWith(`-${w}`)));
    if (unknown.length > 0) {
      out(`rollback: --services ${unknown.join(", ")}: not a function of ${service.id} (${all.join(", ")}).`);
      out(HINT);
      return 2;
    }
  }
  const aws = new AwsClients(awsTargetFor(environment));
  const doc = aws.dynamodbDoc;
  const table = deployLockTable(environment.id);
  const refuse = (reasons: string[], code = 1) => {
    if (args.json) process.stdout.write(`${JSON.stringify({ outcome: "refused", reasons }, null, 2)}\n`);
    out(`REFUSED: nothing was changed in ${environment.displayName}.`);
    for (const reason of reasons) out(`  ${reason}`);
    return code;
  };
  try {
    const request = parseRollbackRequest(args.target) ?? { kind: "previous" as const };
    let perFunction: Map<string, string> | undefined;
    if (args.breakLock) {
      const broken = await breakLock(doc, table, {
        service: service.id,
        reason: args.breakLock.reason,
        by: initiator,
        force: args.breakLock.force,
      });
      if (broken) {
        out(
          `Broke the deploy lock of run ${broken.lock.runId} (${broken.lock.holder}, ${broken.lock.operation}), which had reached step "${broken.lock.step}"; the break is recorded.`,
        );
        // A rollback that was killed is completed to the versions it was moving to, not rolled back further.
        if (broken.lock.operation === "rollback" && broken.lock.target.version.includes("=")) {
          perFunction = new Map(
            broken.lock.target.version.split(",").map((pair) => pair.split("=") as [string, string]),
          );
          out(`  completing its rollback to ${broken.lock.target.version}`);
        }
        // A promotion that was killed (access runbook 9.2): only the functions it moved go back; the others still
        // serve the version they served before it.
        if (broken.lock.operation === "promote") {
          const { back, left } = await splitForRecovery({ aws, service, envId: environment.id, names });
          if (back.length === 0) {
            out(
              `NOTHING TO ROLL BACK: the killed promotion of run ${broken.lock.runId} moved no alias; ${environment.displayName} serves what it served before.`,
            );
            return 0;
          }
          if (left.length > 0) {
            out(`  the killed promotion never moved ${left.join(", ")}: left on the version it serves`);
            // Recorded with the others (from = to), so the record says where every function of the service is.
            const lambda = sdk.lambda();
            perFunction = new Map();
            for (const name of left) {
              const live = await aws.lambda.send(
                new lambda.GetAliasCommand({ FunctionName: name, Name: aliasName(service, environment.id) }),
              );
              perFunction.set(name, live.FunctionVersion ?? "");
            }
          }
        }
      }
    }
    const targets = await resolveRollbackTargets({
      aws,
      service,
      envId: environment.id,
      names,
      request,
      ...(perFunction ? { perFunction } : {}),
    });
    const bits = combinedCodeSha256(
      targets.map((t) => ({
        functionName: t.functionName,
        alias: "",
        functionVersion: t.toVersion,
        appVersion: t.toAppVersion,
        codeSha256: t.toCodeSha256,
      })),
    );
    // PROD: two approvers signed the rollback to these bits, or it is an emergency on a recorded reason.
    const approvalItem = getRunbookItem(PROD_APPROVAL_ITEM);
    if (environment.id === "prod" && approvalItem && service.id === "tenant-instance-management") {
      const decision = await decideAttestedItem({
        settings: { ...settings, initiator },
        environment,
        serviceId: service.id,
        item: approvalItem,
        codeSha256: bits,
        now: new Date(),
      });
      if (decision.status !== "attested" && !args.emergency) {
        return refuse([
          `${PROD_APPROVAL_ITEM}: ${decision.reason}`,
          `Sign it: ${attestCommand({ env: "prod", service: service.id, itemId: PROD_APPROVAL_ITEM, role: "prod-approver", codeSha256: bits ?? undefined })}; or, when PROD cannot wait, --emergency (recorded and reported as a deviation).`,
        ]);
      }
      if (decision.status === "attested")
        out(`  approved: ${decision.attestations.map((a) => `${a.by} (${a.role})`).join(", ")}`);
      else out(`  EMERGENCY rollback without ${PROD_APPROVAL_ITEM}: recorded as a deviation`);
    }
    const startedAt = new Date().toISOString();
    const acquired = await acquireLock(doc, table, {
      service: service.id,
      holder: initiator,
      runId,
      operation: "rollback",
      target: {
        version: targets.map((t) => `${t.functionName}=${t.toVersion}`).join(","),
        fromVersion: targets.map((t) => `${t.functionName}=${t.fromVersion}`).join(","),
        ...(bits ? { codeSha256: bits } : {}),
      },
    });
    out(
      `Took the deploy lock of ${service.id} in ${environment.displayName} (run ${runId}); reason: ${args.reason}`,
    );
    const lock = { current: acquired };
    let record: Awaited<ReturnType<typeof performRollback>>;
    try {
      record = await performRollback({
        aws,
        service,
        envId: environment.id,
        targets,
        reason: args.reason,
        initiator,
        runId,
        trigger: "manual",
        emergency: args.emergency,
        requested: describeRequest(request),
        startedAt,
        lock,
        log: out,
      });
    } finally {
      await releaseLock(doc, table, lock.current);
    }
    if (args.json) process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
    if (!args.verify) {
      out(`ROLLED BACK (not verified: --no-verify): ${service.id} in ${environment.displayName}`);
      return 0;
    }
    // The read-only smoke tests (where the service has a smoke suite; tenant 9.4: the restored version answers its
    // reads) and the rollback suite run side by side: both only wait on the environment, and the smoke requests
    // are traffic the recovery window judges too. A rollback during an incident writes no test data. The worse
    // verdict wins: a failure over an inconclusive run over a pass.
    const suites = [...deploymentSuites(service.id).filter((s) => s === "smoke"), "rollback"] as const;
    const common = { sandbox: args.sandbox, config: args.config, childEnv: { ...process.env }, log: out };
    const codes = await Promise.all(
      suites.map(async (suite) => {
        // The recovery window opens now, at the alias move: this command watches it while the suites start and
        // hands it to the rollback suite, which judges it (or watches on its own when the handover is unusable).
        const run =
          suite === "rollback"
            ? await verifyRollbackSuite({
                ...common,
                aws,
                environment,
                service,
                runId,
                watchedBy: `npm run rollback (run ${runId})`,
              })
            : await verifySuite({
                ...common,
                env: environment.id,
                suite,
                service: service.id,
                automatedOnly: true,
                grep: "@readonly",
              });
        const exit = run.code ?? 1;
        out(`    ${suite} verdict ${run.verdictFile ?? "(none)"}: exit ${exit}`);
        return exit;
      }),
    );
    const code = codes.find((c) => c !== 0 && c !== 3) ?? codes.find((c) => c === 3) ?? 0;
    const word =
      code === 0
        ? "ROLLED BACK AND VERIFIED"
        : code === 3
          ? "ROLLED BACK, VERIFICATION INCONCLUSIVE"
          : "ROLLED BACK, VERIFICATION FAILED";
    out(
      `${word}: ${service.id} in ${environment.displayName} serves ${targets.map((t) => `${t.functionName}:${t.toVersion} (${t.toAppVersion})`).join(", ")}${args.emergency ? " (EMERGENCY: without approvals)" : ""}`,
    );
    return code;
  } catch (error) {
    if (isRefusal(error)) return refuse([error.message]);
    if (isUnreachable(error)) {
      out(
        `rollback: ${environment.displayName} could not be reached: ${error instanceof Error ? error.message : String(error)}`,
      );
      return 3;
    }
    throw error;
  } finally {
    aws.destroy();
  }
}

runWhenMain("rollback", import.meta.filename, main);

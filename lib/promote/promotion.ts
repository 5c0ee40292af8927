/**
 * A promotion (tenant runbook 6.3 and 7.3; access runbook 3.2 step 3 and 4.3 steps 3-5): refuse unless the
 * source's bits have passing, fresh, signed verdicts (source smoke and post-deploy, target pre-promotion); take
 * the deploy lock; copy every function's package with its integrity check; where the service's runbook has a
 * canary (access into PROD), route 10% to the new versions and watch them (canary.ts): a trigger rolls back, the
 * latency alert holds for a decision (`resumePromotion`); move the aliases; record the deployment; verify (a
 * failure rolls the aliases back, runbook 9.1); release the lock; write the promotion record that ties the
 * target's bits to the verdicts behind them.
 */
import type { Environment, Service, ServiceId } from "../../runbooks/index.ts";
import type { AwsClients } from "../aws/index.ts";
import { sdk } from "../aws/index.ts";
import type { Finding } from "../checks/finding.ts";
import { verdictFindings } from "../checks/gate.ts";
import { deploymentSuites } from "../checks/items.ts";
import type { RollbackFunction } from "../checks/rollback-record.ts";
import { readVerdictFiles, type VerdictFile } from "../checks/verdicts.ts";
import { aliasName, deploymentsTable, functionNames, ssmParameter } from "../config/index.ts";
import { combinedCodeSha256 } from "../verdict/policy.ts";
import { type CanaryOutcome, type CanaryReport, canaryPlan, startCanary, watchCanary } from "./canary.ts";
import { type CopiedFunction, copyFunction, pointAlias, readSourceBits, type SourceBits } from "./copy.ts";
import { acquireLock, breakLock, deployLockTable, readLock, releaseLock, updateLockStep } from "./lock.ts";
import { DEFAULT_LEASE_SECONDS, type DeployLock } from "./lock-record.ts";
import { performRollback } from "./rollback.ts";
import { PromotionStepError } from "./step-errors.ts";

/** Which verdicts gate a promotion into `target`: the source's smoke and post-deploy, the target's pre-promotion. */
export function gateVerdictFindings(options: {
  serviceId: string;
  source: Pick<Environment, "id" | "displayName" | "policy">;
  target: Pick<Environment, "id" | "displayName" | "policy">;
  codeSha256: string | null;
  verdictsDir: string;
  trustedKeys: string | null;
  now: Date;
  files?: readonly VerdictFile[];
}): Finding[] {
  const common = {
    serviceId: options.serviceId,
    codeSha256: options.codeSha256,
    verdictsDir: options.verdictsDir,
    trustedVerdictKeys: options.trustedKeys,
    now: options.now,
    files: options.files ?? readVerdictFiles(options.verdictsDir),
  };
  return [
    ...verdictFindings({
      ...common,
      environment: options.source,
      suites: deploymentSuites(options.serviceId as ServiceId),
    }),
    ...verdictFindings({ ...common, environment: options.target, suites: ["pre-promotion"] }),
  ];
}

/** What a promotion needs. */
export interface PromotionInput {
  readonly service: Service;
  readonly source: Environment;
  readonly target: Environment;
  readonly sourceAws: AwsClients;
  readonly targetAws: AwsClients;
  readonly holder: string;
  readonly runId: string;
  readonly verdictsDir: string;
  readonly trustedKeys: string | null;
  readonly changeRequest: string | null;
  /** Runs the target's post-deploy verification (told of the canary that ran before it); resolves with its
   * exit code and verdict files. */
  readonly verifyTarget: (context: {
    canary: CanaryEvidence | null;
    /** When every alias had moved: the verification's monitoring window opens then. */
    movedAt: Date;
  }) => Promise<Verification>;
  readonly log: (line: string) => void;
  readonly now?: () => Date;
  /** Runs the rollback suite after the promotion rolled itself back (optional). */
  readonly verifyRollback?: () => Promise<Verification>;
  /** Break the lock a killed run left (recorded with this reason) before taking it. */
  readonly breakLock?: { readonly reason: string; readonly force: boolean } | undefined;
}

/** The post-deploy verification's result: its exit code, verdict file and run id (null when it did not run). */
export interface Verification {
  readonly code: number | null;
  readonly verdictFile: string | null;
  /** Every verdict the verification wrote (smoke, then post-deploy). */
  readonly verdictFiles?: readonly string[];
  readonly runId: string;
}

export type PromotionResult =
  | { kind: "refused"; reasons: string[]; codeSha256: string | null }
  | {
      /** promoted: verified and serving; rolled-back: a canary trigger, a decision or the verification
       * rolled it back; held: the canary's latency alert waits for `promote --resume --decision`. */
      kind: "promoted" | "rolled-back" | "held";
      codeSha256: string;
      functions: readonly CopiedFunction[];
      gateVerdicts: readonly string[];
      verification: Verification | null;
      canary: CanaryEvidence | null;
      record: PromotionRecord;
    };

/** The canary as the promotion record keeps it: the outcome and what the watchers saw. */
export interface CanaryEvidence {
  readonly outcome: CanaryOutcome;
  readonly health: CanaryReport["health"];
  readonly functions: ReadonlyArray<{
    functionName: string;
    newVersion: string;
    baseline: { valueMs: number | null; source: string };
    decision: string | null;
    reason: string | null;
    synthetic: string | null;
  }>;
  /** A person's decision on a held canary (`promote --resume --decision`). */
  readonly decision?: { readonly decision: "proceed" | "rollback"; readonly by: string; readonly at: string };
}

/** The evidence chain of one promotion: the bits, where they came from, and the verdicts behind each step. */
export interface PromotionRecord {
  readonly schemaVersion: 1;
  readonly runId: string;
  readonly service: string;
  readonly from: string;
  readonly to: string;
  readonly codeSha256: string;
  readonly functions: readonly CopiedFunction[];
  /** The verdict files that allowed it (source smoke and post-deploy, target pre-promotion). */
  readonly gateVerdicts: readonly string[];
  /** The target's post-deploy verdict after the move. */
  readonly verificationVerdict: string | null;
  /** Every verdict of the verification (the smoke run's, then the post-deploy run's). */
  readonly verificationVerdicts: readonly string[];
  readonly outcome: "promoted" | "rolled-back" | "held";
  /** Why it ended as it did, in one sentence. */
  readonly reason: string;
  /** The canary, when the promotion went through one (access into PROD). */
  readonly canary: CanaryEvidence | null;
  /** When it rolled itself back: the rollback verification's verdict file and exit code. */
  readonly rollbackVerification: { verdictFile: string | null; code: number | null } | null;
  readonly initiator: string;
  readonly changeRequest: string | null;
  readonly startedAt: string;
  readonly endedAt: string;
}

/** The bits the source's functions serve through `alias`, as verdicts and attestations name them. */
function bitsOfSource(bits: readonly SourceBits[], alias: string): string | null {
  return combinedCodeSha256(
    bits.map((b) => ({
      functionName: b.functionName,
      alias,
      functionVersion: b.functionVersion,
      appVersion: b.appVersion,
      codeSha256: b.codeSha256,
    })),
  );
}

/**
 * The target function when its alias already serves the source's bits (a promotion killed after moving it),
 * with the version it served before from its newest backup alias; null when it serves other bits.
 */
async function alreadyServing(
  input: PromotionInput,
  functionName: string,
  alias: string,
  bits: SourceBits,
): Promise<CopiedFunction | null> {
  const lambda = sdk.lambda();
  const live = await input.targetAws.lambda.send(
    new lambda.GetAliasCommand({ FunctionName: functionName, Name: alias }),
  );
  const version = live.FunctionVersion ?? "";
  if (!/^\d+$/.test(version)) return null;
  const config = await input.targetAws.lambda.send(
    new lambda.GetFunctionConfigurationCommand({ FunctionName: functionName, Qualifier: version }),
  );
  if (config.CodeSha256 !== bits.codeSha256) return null;
  const prefix = `${input.service.backupAliasPrefix}${input.target.id}-v`;
  const aliases = await input.targetAws.lambda.send(
    new lambda.ListAliasesCommand({ FunctionName: functionName }),
  );
  const backups = (aliases.Aliases ?? [])
    .filter((a) => a.Name?.startsWith(prefix) && a.FunctionVersion !== version)
    .sort((a, b) => Number(b.FunctionVersion) - Number(a.FunctionVersion));
  const backup = backups[0];
  return {
    functionName,
    previousVersion: backup?.FunctionVersion ?? "$LATEST",
    backupAlias: backup?.Name ?? null,
    functionVersion: version,
    appVersion: config.Description ?? bits.appVersion,
    codeSha256: bits.codeSha256,
  };
}

/** Moves every alias of the service back to the version it served before (runbook 9.1). */
async function rollBackAliases(input: PromotionInput, copied: readonly CopiedFunction[]): Promise<void> {
  const alias = aliasName(input.service, input.target.id);
  for (const fn of copied) {
    if (!/^\d+$/.test(fn.previousVersion)) continue;
    await pointAlias(input.targetAws.lambda, fn.functionName, alias, fn.previousVersion);
  }
}

/**
 * A promotion's own rollback (runbook 9.1; access 5.1): the same path as `npm run rollback`, so the aliases
 * return to the versions they served, routing dropped, and the rollback is recorded (ROLLBACK#, the restored
 * deployment record or deployed-version) with the promotion's run as initiator and trigger "promotion"; then
 * the rollback verification runs when the caller gave one.
 */
async function rollBackPromotion(run: Running, reason: string): Promise<Verification | null> {
  const { input } = run;
  const targets: RollbackFunction[] = [];
  for (const fn of run.copied) {
    if (!/^\d+$/.test(fn.previousVersion)) continue;
    const config = await input.targetAws.lambda.send(
      new (sdk.lambda().GetFunctionConfigurationCommand)({
        FunctionName: fn.functionName,
        Qualifier: fn.previousVersion,
      }),
    );
    targets.push({
      functionName: fn.functionName,
      fromVersion: fn.functionVersion,
      toVersion: fn.previousVersion,
      toAppVersion: config.Description ?? "",
      toCodeSha256: config.CodeSha256 ?? "",
      backupAlias: fn.backupAlias,
    });
  }
  if (targets.length === 0) return null;
  const lock = { current: run.lock };
  await performRollback({
    aws: input.targetAws,
    service: input.service,
    envId: input.target.id,
    targets,
    reason,
    initiator: input.holder,
    runId: run.lock.runId,
    trigger: "promotion",
    emergency: false,
    requested: "previous",
    startedAt: run.now().toISOString(),
    lock,
    log: input.log,
    now: run.now,
  });
  run.lock = lock.current;
  if (!input.verifyRollback) return null;
  input.log(`Verifying the rollback of ${input.target.displayName} (rollback suite)`);
  return input.verifyRollback();
}

/** Records the deployment: the tenant service's deployments table, the access service's SSM parameter. */
async function recordDeployment(
  input: PromotionInput,
  copied: readonly CopiedFunction[],
  gateVerdicts: readonly string[],
  deployedAt: string,
): Promise<void> {
  const table = deploymentsTable(input.service, input.target.id);
  if (table !== null) {
    for (const fn of copied) {
      await input.targetAws.dynamodbDoc.send(
        new (sdk.dynamodbDoc().PutCommand)({
          TableName: table,
          Item: {
            PK: `DEPLOYMENT#${fn.functionName}`,
            SK: deployedAt,
            functionName: fn.functionName,
            functionVersion: fn.functionVersion,
            appVersion: fn.appVersion,
            codeSha256: fn.codeSha256,
            deployedAt,
            deployedBy: input.holder,
            sourceEnvironment: input.source.id,
            runId: input.runId,
            gateVerdicts: [...gateVerdicts],
            ...(input.changeRequest ? { changeRequest: input.changeRequest } : {}),
          },
        }),
      );
    }
  }
  const parameter = ssmParameter(input.service, input.target.id);
  const [first] = copied;
  if (parameter !== null && first) {
    await input.targetAws.ssm.send(
      new (sdk.ssm().PutParameterCommand)({
        Name: parameter,
        Value: first.appVersion.startsWith("v") ? first.appVersion : `v${first.appVersion}`,
        Type: "String",
        Overwrite: true,
      }),
    );
  }
}

/** The partition of a held canary's state in the target's deployments table (one per service). */
function holdKey(service: string): { PK: string; SK: string } {
  return { PK: `CANARYHOLD#${service}`, SK: "hold" };
}

/** What a held canary keeps for the run that resumes it. */
interface HeldPromotion {
  readonly runId: string;
  readonly codeSha256: string;
  readonly functions: readonly CopiedFunction[];
  readonly gateVerdicts: readonly string[];
  readonly canary: CanaryEvidence;
  readonly initiator: string;
  readonly changeRequest: string | null;
  readonly startedAt: string;
}

/** A lock held while a person decides on a canary: a day, then it is stale like any other. */
const HOLD_LEASE_SECONDS = 86_400;

function evidenceOf(report: CanaryReport): CanaryEvidence {
  return {
    outcome: report.outcome,
    health: report.health,
    functions: report.watches.map((w) => ({
      functionName: w.functionName,
      newVersion: w.newVersion,
      baseline: w.baseline,
      decision: w.decision?.kind ?? null,
      reason: w.decision?.reason ?? null,
      synthetic: w.traffic ? `${w.traffic.mode}: ${w.traffic.synthetic.sent} sent` : null,
    })),
  };
}

/**
 * After taking the lock: a canary split left by a run that was killed mid-canary is undone, so the target
 * serves its previous version alone again before anything else happens. Returns what it undid.
 */
async function undoLeftoverCanary(input: PromotionInput, alias: string, names: readonly string[]) {
  const undone: string[] = [];
  for (const functionName of names) {
    const live = await input.targetAws.lambda.send(
      new (sdk.lambda().GetAliasCommand)({ FunctionName: functionName, Name: alias }),
    );
    const weights = live.RoutingConfig?.AdditionalVersionWeights ?? {};
    if (Object.keys(weights).length === 0 || !live.FunctionVersion) continue;
    await pointAlias(input.targetAws.lambda, functionName, alias, live.FunctionVersion);
    undone.push(`${functionName} (${Object.keys(weights).join(", ")} no longer shares ${alias})`);
  }
  if (undone.length > 0) input.log(`  a canary split left by a stopped run was undone: ${undone.join("; ")}`);
}

/** What the promotion carries through its steps once the gate let it in and the lock is taken. */
interface Running {
  readonly input: PromotionInput;
  readonly doc: AwsClients["dynamodbDoc"];
  readonly table: string;
  lock: DeployLock;
  readonly codeSha256: string;
  readonly copied: readonly CopiedFunction[];
  readonly gateVerdicts: readonly string[];
  readonly startedAt: string;
  readonly now: () => Date;
  /** When the last alias moved to the new versions. */
  movedAt?: Date;
  /** The rollback verification's result, when the promotion rolled back and verified it. */
  rollbackVerification?: Verification | null;
}

async function step(run: Running, name: string, lease?: number): Promise<void> {
  run.lock = await updateLockStep(
    run.doc,
    run.table,
    lease === undefined ? run.lock : { ...run.lock, leaseSeconds: lease },
    name,
    run.now(),
  );
}

function recordOf(
  run: Running,
  outcome: PromotionRecord["outcome"],
  reason: string,
  verification: Verification | null,
  canary: CanaryEvidence | null,
): PromotionRecord {
  const { input } = run;
  return {
    schemaVersion: 1,
    runId: run.lock.runId,
    service: input.service.id,
    from: input.source.id,
    to: input.target.id,
    codeSha256: run.codeSha256,
    functions: run.copied,
    gateVerdicts: run.gateVerdicts,
    verificationVerdict: verification?.verdictFile ?? null,
    verificationVerdicts:
      verification?.verdictFiles ?? (verification?.verdictFile ? [verification.verdictFile] : []),
    outcome,
    reason,
    canary,
    rollbackVerification: run.rollbackVerification
      ? { verdictFile: run.rollbackVerification.verdictFile, code: run.rollbackVerification.code }
      : null,
    initiator: input.holder,
    changeRequest: input.changeRequest,
    startedAt: run.startedAt,
    endedAt: run.now().toISOString(),
  };
}

function resultOf(
  run: Running,
  kind: "promoted" | "rolled-back" | "held",
  reason: string,
  verification: Verification | null,
  canary: CanaryEvidence | null,
): PromotionResult {
  return {
    kind,
    codeSha256: run.codeSha256,
    functions: run.copied,
    gateVerdicts: run.gateVerdicts,
    verification,
    canary,
    record: recordOf(run, kind, reason, verification, canary),
  };
}

/** Every alias serves its new version alone (the SIT move, or the canary's shift to 100%). */
async function moveAliases(run: Running, moved: CopiedFunction[]): Promise<void> {
  const alias = aliasName(run.input.service, run.input.target.id);
  for (const fn of run.copied) {
    await step(run, `move-alias ${fn.functionName}`);
    await pointAlias(run.input.targetAws.lambda, fn.functionName, alias, fn.functionVersion);
    moved.push(fn);
    run.input.log(`  move-alias: ${fn.functionName} ${alias} -> ${fn.functionVersion}`);
  }
  run.movedAt = run.now();
}

/** Records, verifies (rolling back on a failure, runbook 9.1) and releases the lock. */
async function recordAndVerify(run: Running, canary: CanaryEvidence | null): Promise<PromotionResult> {
  const { input } = run;
  const alias = aliasName(input.service, input.target.id);
  await step(run, "record-deployment");
  await recordDeployment(input, run.copied, run.gateVerdicts, run.now().toISOString());
  await step(run, "post-deploy-verification");
  input.log(`Verifying ${input.target.displayName} (${deploymentSuites(input.service.id).join(", ")})`);
  const verification = await input.verifyTarget({ canary, movedAt: run.movedAt ?? run.now() });
  if (verification.code !== 0) {
    await step(run, "rollback");
    input.log(`Verification exited ${verification.code}: rolling ${alias} back (runbook 9.1)`);
    const reason = `The post-deploy verification of ${input.target.displayName} exited ${verification.code}: the aliases serve the previous versions again (runbook 9.1).`;
    run.rollbackVerification = await rollBackPromotion(run, reason);
    await releaseLock(run.doc, run.table, run.lock);
    return resultOf(run, "rolled-back", reason, verification, canary);
  }
  await releaseLock(run.doc, run.table, run.lock);
  return resultOf(
    run,
    "promoted",
    `${input.target.displayName} serves the bits ${input.source.displayName} verified, and its post-deploy verification passed.`,
    verification,
    canary,
  );
}

/** The canary's end: roll back, hold for a decision, or shift everything and verify. */
async function afterCanary(run: Running, report: CanaryReport, moved: CopiedFunction[]) {
  const { input } = run;
  const evidence = evidenceOf(report);
  const { outcome } = report;
  input.log(`  canary: ${outcome.reason}`);
  if (outcome.kind === "rollback" || outcome.kind === "inconclusive") {
    await step(run, "canary-rollback");
    run.rollbackVerification = await rollBackPromotion(run, outcome.reason);
    await releaseLock(run.doc, run.table, run.lock);
    return resultOf(run, "rolled-back", outcome.reason, null, evidence);
  }
  if (outcome.kind === "hold") {
    const held: HeldPromotion = {
      runId: run.lock.runId,
      codeSha256: run.codeSha256,
      functions: run.copied,
      gateVerdicts: run.gateVerdicts,
      canary: evidence,
      initiator: input.holder,
      changeRequest: input.changeRequest,
      startedAt: run.startedAt,
    };
    await run.doc.send(
      new (sdk.dynamodbDoc().PutCommand)({
        TableName: run.table,
        Item: { ...holdKey(input.service.id), held: JSON.stringify(held) },
      }),
    );
    await step(run, "canary-hold", HOLD_LEASE_SECONDS);
    return resultOf(run, "held", outcome.reason, null, evidence);
  }
  await step(run, "canary-shift");
  await moveAliases(run, moved);
  return recordAndVerify(run, evidence);
}

/** Runs the promotion; a refusal changes nothing in the target. */
export async function promote(input: PromotionInput): Promise<PromotionResult> {
  const now = input.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const { service, source, target } = input;
  const sourceAlias = aliasName(service, source.id);
  const targetAlias = aliasName(service, target.id);
  const sourceNames = functionNames(service, source.id);
  const targetNames = functionNames(service, target.id);

  input.log(`Reading the bits ${source.displayName} serves (${sourceNames.join(", ")})`);
  const bits = await Promise.all(
    sourceNames.map((functionName) =>
      readSourceBits({ lambda: input.sourceAws.lambda, functionName, alias: sourceAlias }),
    ),
  );
  const codeSha256 = bitsOfSource(bits, sourceAlias);
  const findings = gateVerdictFindings({
    serviceId: service.id,
    source,
    target,
    codeSha256,
    verdictsDir: input.verdictsDir,
    trustedKeys: input.trustedKeys,
    now: now(),
  });
  const refusals = findings.filter((f) => f.status !== "passed");
  if (input.trustedKeys === null) {
    refusals.push({
      status: "failed",
      reason:
        "No trusted verdict keys are configured (HARNESS_VERDICT_TRUSTED_KEYS): a promotion moves bits only on signed verdicts.",
      evidence: {},
    });
  }
  if (refusals.length > 0 || codeSha256 === null) {
    return { kind: "refused", reasons: refusals.map((f) => f.reason), codeSha256 };
  }
  const gateVerdicts = findings.flatMap((f) =>
    typeof f.evidence.used === "string" ? [f.evidence.used] : [],
  );
  for (const f of findings) input.log(`  gate: ${f.reason}`);

  const plan = canaryPlan(service, target);
  const doc = input.targetAws.dynamodbDoc;
  const table = deployLockTable(target.id);
  if (input.breakLock) {
    const broken = await breakLock(doc, table, {
      service: service.id,
      reason: input.breakLock.reason,
      by: input.holder,
      force: input.breakLock.force,
    });
    input.log(
      broken === null
        ? "No deploy lock was held: nothing to break."
        : `Broke the deploy lock of run ${broken.lock.runId} (${broken.lock.holder}, ${broken.lock.operation}), which had reached step "${broken.lock.step}"; the break is recorded with its reason.`,
    );
  }
  const [firstBits] = bits;
  // The lease covers the longest stretch without a heartbeat: the canary's window.
  const leaseSeconds = Math.max(DEFAULT_LEASE_SECONDS, Math.ceil((plan?.windowMs ?? 0) / 1000) * 2);
  const lock: DeployLock = await acquireLock(doc, table, {
    service: service.id,
    holder: input.holder,
    runId: input.runId,
    operation: "promote",
    leaseSeconds,
    target: {
      version: firstBits?.appVersion ?? "",
      codeSha256,
      appVersion: firstBits?.appVersion,
      sourceEnvironment: source.id,
    },
  });
  input.log(`Took the deploy lock of ${service.id} in ${target.displayName} (run ${input.runId})`);
  const copied: CopiedFunction[] = [];
  const moved: CopiedFunction[] = [];
  const run: Running = { input, doc, table, lock, codeSha256, copied, gateVerdicts, startedAt, now };
  try {
    await undoLeftoverCanary(input, targetAlias, targetNames);
    let alreadyAll = true;
    for (const [index, sourceBits] of bits.entries()) {
      const targetName = targetNames[index] ?? "";
      // A run killed after the alias moved left the target serving these bits already: nothing to copy.
      const serving = await alreadyServing(input, targetName, targetAlias, sourceBits);
      if (serving) {
        input.log(
          `  already serving: ${targetName} ${targetAlias} -> ${serving.functionVersion} has these bits`,
        );
        copied.push(serving);
        continue;
      }
      alreadyAll = false;
      const copy = await copyFunction({
        source: { lambda: input.sourceAws.lambda, functionName: sourceBits.functionName, alias: sourceAlias },
        target: { lambda: input.targetAws.lambda, functionName: targetName, alias: targetAlias },
        backupAliasPrefix: `${service.backupAliasPrefix}${target.id}-v`,
        bits: sourceBits,
        onStep: async (name, functionName) => {
          await step(run, `${name} ${functionName}`);
          input.log(`  ${name}: ${functionName}`);
        },
      });
      copied.push(copy);
    }
    // Every function is copied and checked before any traffic moves: all move together, or none does.
    const canaryFunctions = copied.map((fn) => ({
      functionName: fn.functionName,
      previousVersion: fn.previousVersion,
      newVersion: fn.functionVersion,
    }));
    const canaryPossible = canaryFunctions.every(
      (fn) => /^\d+$/.test(fn.previousVersion) && fn.previousVersion !== fn.newVersion,
    );
    if (plan && !alreadyAll && canaryPossible) {
      await step(run, "canary-start");
      await startCanary(input.targetAws, targetAlias, canaryFunctions, plan.weightPercent);
      moved.push(...copied);
      input.log(
        `  canary-start: ${targetAlias} routes ${plan.weightPercent}% to ${canaryFunctions.map((fn) => `${fn.functionName}:${fn.newVersion}`).join(", ")} for ${plan.windowMs / 1000} s`,
      );
      await step(run, "canary-watch");
      const report = await watchCanary({
        aws: input.targetAws,
        service,
        alias: targetAlias,
        functions: canaryFunctions,
        plan,
        startedAt: Date.now(),
        log: input.log,
      });
      return await afterCanary(run, report, moved);
    }
    if (plan && !alreadyAll && !canaryPossible) {
      input.log(
        `  canary: not possible (no previous published version to share ${targetAlias} with): the alias moves at once`,
      );
    }
    await moveAliases(run, moved);
    return await recordAndVerify(run, null);
  } catch (error) {
    // A step that failed: put back what moved, so the target serves its old bits, then free the lock. A run
    // killed instead leaves the lock, which names the step it reached for the next run.
    input.log(
      `Stopped at step "${run.lock.step}": ${error instanceof Error ? error.message : String(error)}`,
    );
    if (moved.length > 0) {
      input.log(
        `Rolling ${moved.map((fn) => fn.functionName).join(", ")} back to the versions served before`,
      );
      await rollBackAliases(input, moved);
    }
    await releaseLock(doc, table, run.lock);
    throw error;
  }
}

/**
 * `promote --resume --decision proceed|rollback`: the decision on a canary held by its latency alert. Proceed
 * shifts all traffic and verifies; rollback puts the previous versions back. Either way the decision and who
 * took it are recorded and the lock is released.
 */
export async function resumePromotion(
  input: PromotionInput & { readonly decision: "proceed" | "rollback" },
): Promise<PromotionResult> {
  const now = input.now ?? (() => new Date());
  const doc = input.targetAws.dynamodbDoc;
  const table = deployLockTable(input.target.id);
  const lock = await readLock(doc, table, input.service.id, now());
  if (lock?.operation !== "promote" || lock.step !== "canary-hold") {
    throw new PromotionStepError(
      "resume",
      lock
        ? `The ${input.service.id} promotion into ${input.target.displayName} is not held for a decision: run ${lock.runId} (${lock.holder}) is at step "${lock.step}". --resume only continues a canary held by its latency alert.`
        : `No ${input.service.id} promotion into ${input.target.displayName} is held for a decision (no deploy lock): nothing to resume.`,
    );
  }
  const item = await doc.send(
    new (sdk.dynamodbDoc().GetCommand)({ TableName: table, Key: holdKey(input.service.id) }),
  );
  const raw = item.Item?.held;
  const held = typeof raw === "string" ? (JSON.parse(raw) as HeldPromotion) : null;
  if (!held || held.runId !== lock.runId) {
    throw new PromotionStepError(
      "resume",
      `The held canary of run ${lock.runId} has no state in ${table} (${holdKey(input.service.id).PK}); resolve it with \`npm run rollback\` or break the lock with a reason.`,
    );
  }
  const run: Running = {
    input: { ...input, holder: held.initiator, changeRequest: held.changeRequest },
    doc,
    table,
    lock: { ...lock, leaseSeconds: DEFAULT_LEASE_SECONDS },
    codeSha256: held.codeSha256,
    copied: held.functions,
    gateVerdicts: held.gateVerdicts,
    startedAt: held.startedAt,
    now,
  };
  const canary: CanaryEvidence = {
    ...held.canary,
    decision: { decision: input.decision, by: input.holder, at: now().toISOString() },
  };
  input.log(
    `Resuming run ${lock.runId}: ${input.holder} decided to ${input.decision} (${held.canary.outcome.reason})`,
  );
  const clear = () =>
    doc.send(new (sdk.dynamodbDoc().DeleteCommand)({ TableName: table, Key: holdKey(input.service.id) }));
  if (input.decision === "rollback") {
    await step(run, "canary-rollback");
    run.rollbackVerification = await rollBackPromotion(
      run,
      `Rolled back on ${input.holder}'s decision after the canary's alert: ${held.canary.outcome.reason}`,
    );
    await clear();
    await releaseLock(doc, table, run.lock);
    return resultOf(
      run,
      "rolled-back",
      `Rolled back on ${input.holder}'s decision after the canary's alert: ${held.canary.outcome.reason}`,
      null,
      canary,
    );
  }
  await step(run, "canary-shift");
  const moved: CopiedFunction[] = [];
  try {
    await moveAliases(run, moved);
    await clear();
    return await recordAndVerify(run, canary);
  } catch (error) {
    if (moved.length > 0) await rollBackAliases(run.input, moved);
    await releaseLock(doc, table, run.lock);
    throw error;
  }
}

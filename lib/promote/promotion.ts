/**
 * A promotion into SIT (tenant runbook 6.3; access runbook 3.2 step 3): refuse unless the source's bits have
 * passing, fresh, signed verdicts (source smoke and post-deploy, target pre-promotion); take the deploy lock;
 * copy every function's package with its integrity check; move the aliases; record the deployment; verify
 * (the post-deploy suite, whose failure rolls the aliases back, runbook 9.1); release the lock; write the
 * promotion record that ties the target's bits to the verdicts behind them.
 */
import type { Environment, Service } from "../../runbooks/index.ts";
import type { AwsClients } from "../aws/index.ts";
import { sdk } from "../aws/index.ts";
import type { Finding } from "../checks/finding.ts";
import { verdictFindings } from "../checks/gate.ts";
import { readVerdictFiles, type VerdictFile } from "../checks/verdicts.ts";
import { aliasName, deploymentsTable, functionNames, ssmParameter } from "../config/index.ts";
import { combinedCodeSha256 } from "../verdict/policy.ts";
import { type CopiedFunction, copyFunction, pointAlias, readSourceBits, type SourceBits } from "./copy.ts";
import { acquireLock, breakLock, deployLockTable, releaseLock, updateLockStep } from "./lock.ts";
import type { DeployLock } from "./lock-record.ts";

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
    ...verdictFindings({ ...common, environment: options.source, suites: ["smoke", "post-deploy"] }),
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
  /** Runs the target's post-deploy verification; resolves with its exit code and verdict file. */
  readonly verifyTarget: () => Promise<{ code: number | null; verdictFile: string | null; runId: string }>;
  readonly log: (line: string) => void;
  readonly now?: () => Date;
  /** Break the lock a killed run left (recorded with this reason) before taking it. */
  readonly breakLock?: { readonly reason: string; readonly force: boolean } | undefined;
}

export type PromotionResult =
  | { kind: "refused"; reasons: string[]; codeSha256: string | null }
  | {
      kind: "promoted" | "rolled-back";
      codeSha256: string;
      functions: CopiedFunction[];
      gateVerdicts: string[];
      verification: { code: number | null; verdictFile: string | null; runId: string };
      record: PromotionRecord;
    };

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
  readonly outcome: "promoted" | "rolled-back";
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
  let lock: DeployLock = await acquireLock(doc, table, {
    service: service.id,
    holder: input.holder,
    runId: input.runId,
    operation: "promote",
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
  try {
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
      const copy = await copyFunction({
        source: { lambda: input.sourceAws.lambda, functionName: sourceBits.functionName, alias: sourceAlias },
        target: { lambda: input.targetAws.lambda, functionName: targetName, alias: targetAlias },
        backupAliasPrefix: `${service.backupAliasPrefix}${target.id}-v`,
        bits: sourceBits,
        onStep: async (step, functionName) => {
          lock = await updateLockStep(doc, table, lock, `${step} ${functionName}`);
          input.log(`  ${step}: ${functionName}`);
        },
      });
      copied.push(copy);
    }
    // Every function is copied and checked before any alias moves: all move together, or none does.
    for (const fn of copied) {
      lock = await updateLockStep(doc, table, lock, `move-alias ${fn.functionName}`);
      await pointAlias(input.targetAws.lambda, fn.functionName, targetAlias, fn.functionVersion);
      moved.push(fn);
      input.log(`  move-alias: ${fn.functionName} ${targetAlias} -> ${fn.functionVersion}`);
    }
    const deployedAt = now().toISOString();
    lock = await updateLockStep(doc, table, lock, "record-deployment");
    await recordDeployment(input, copied, gateVerdicts, deployedAt);
    lock = await updateLockStep(doc, table, lock, "post-deploy-verification");
    input.log(`Verifying ${target.displayName} (post-deploy suite)`);
    const verification = await input.verifyTarget();
    const passed = verification.code === 0;
    if (!passed) {
      lock = await updateLockStep(doc, table, lock, "rollback");
      input.log(`Verification exited ${verification.code}: rolling ${targetAlias} back (runbook 9.1)`);
      await rollBackAliases(input, copied);
    }
    const record: PromotionRecord = {
      schemaVersion: 1,
      runId: input.runId,
      service: service.id,
      from: source.id,
      to: target.id,
      codeSha256,
      functions: copied,
      gateVerdicts,
      verificationVerdict: verification.verdictFile,
      outcome: passed ? "promoted" : "rolled-back",
      initiator: input.holder,
      changeRequest: input.changeRequest,
      startedAt,
      endedAt: now().toISOString(),
    };
    await releaseLock(doc, table, lock);
    return {
      kind: passed ? "promoted" : "rolled-back",
      codeSha256,
      functions: copied,
      gateVerdicts,
      verification,
      record,
    };
  } catch (error) {
    // A step that failed: put back what moved, so the target serves its old bits, then free the lock. A run
    // killed instead leaves the lock, which names the step it reached for the next run.
    input.log(`Stopped at step "${lock.step}": ${error instanceof Error ? error.message : String(error)}`);
    if (moved.length > 0) {
      input.log(
        `Rolling ${moved.map((fn) => fn.functionName).join(", ")} back to the versions served before`,
      );
      await rollBackAliases(input, moved);
    }
    await releaseLock(doc, table, lock);
    throw error;
  }
}

/**
 * Moving one function's bits from the source environment to the target (tenant runbook 6.3.2 and 7.3.3;
 * access runbook 3.2 step 3): the runbook's steps as code, through the Lambda API of each account only.
 *
 * The alias moves last (pointAlias, by the caller), only after the new version's CodeSha256 was checked: a run
 * killed before that leaves the target serving its old version; one killed after it serves the verified new
 * one. Every step before the alias move can be repeated safely (the backup alias is created or updated,
 * uploading the same bytes again changes nothing, a publish of the same code returns a version with that code).
 */
import { createHash } from "node:crypto";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { sdk } from "../aws/index.ts";
import { PromotionStepError } from "./step-errors.ts";

export interface FunctionEnd {
  readonly lambda: LambdaClient;
  readonly functionName: string;
  readonly alias: string;
}

/** The source's bits: what its alias serves now. */
export interface SourceBits {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly appVersion: string;
  readonly codeSha256: string;
}

export interface CopiedFunction {
  readonly functionName: string;
  readonly previousVersion: string;
  readonly backupAlias: string | null;
  readonly functionVersion: string;
  readonly appVersion: string;
  readonly codeSha256: string;
}

/** Steps a copy reports, in order (the lock records the last one reached). */
export const COPY_STEPS = [
  "backup-alias",
  "download-package",
  "update-code",
  "publish-version",
  "verify-code-sha",
] as const;
export type CopyStep = (typeof COPY_STEPS)[number];

/** Points `alias` of the function at `version` alone (no canary routing). */
export async function pointAlias(
  lambda: LambdaClient,
  functionName: string,
  alias: string,
  version: string,
): Promise<void> {
  await lambda.send(
    new (sdk.lambda().UpdateAliasCommand)({
      FunctionName: functionName,
      Name: alias,
      FunctionVersion: version,
      RoutingConfig: {},
    }),
  );
}

/** What the source's alias serves: version, app version (its Description) and CodeSha256. */
export async function readSourceBits(source: FunctionEnd): Promise<SourceBits> {
  const alias = await source.lambda.send(
    new (sdk.lambda().GetAliasCommand)({ FunctionName: source.functionName, Name: source.alias }),
  );
  const version = alias.FunctionVersion ?? "";
  if (!/^\d+$/.test(version)) {
    throw new PromotionStepError(
      "read-source",
      `${source.functionName}:${source.alias} points at ${version || "nothing"}, not a published version: there are no fixed bits to promote.`,
    );
  }
  const config = await source.lambda.send(
    new (sdk.lambda().GetFunctionConfigurationCommand)({
      FunctionName: source.functionName,
      Qualifier: version,
    }),
  );
  return {
    functionName: source.functionName,
    functionVersion: version,
    appVersion: config.Description ?? "",
    codeSha256: config.CodeSha256 ?? "",
  };
}

const sha256Base64 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("base64");

/** Downloads the source version's package (GetFunction's Code.Location) and checks its bytes hash to the CodeSha256. */
async function downloadPackage(source: FunctionEnd, bits: SourceBits): Promise<Uint8Array> {
  const out = await source.lambda.send(
    new (sdk.lambda().GetFunctionCommand)({
      FunctionName: source.functionName,
      Qualifier: bits.functionVersion,
    }),
  );
  const location = out.Code?.Location;
  if (!location) {
    throw new PromotionStepError(
      "download-package",
      `GetFunction of ${source.functionName}:${bits.functionVersion} returned no Code.Location.`,
    );
  }
  const response = await fetch(location);
  if (!response.ok) {
    throw new PromotionStepError(
      "download-package",
      `Downloading the package of ${source.functionName}:${bits.functionVersion} answered HTTP ${response.status}.`,
    );
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  const got = sha256Base64(bytes);
  if (got !== bits.codeSha256) {
    throw new PromotionStepError(
      "download-package",
      `The downloaded package of ${source.functionName}:${bits.functionVersion} hashes to ${got}, not its CodeSha256 ${bits.codeSha256}: refusing to move bits that are not the verified ones.`,
    );
  }
  return bytes;
}

/** Polls until the function's last update has finished (LastUpdateStatus Successful), or fails. */
async function waitForUpdate(target: FunctionEnd, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const config = await target.lambda.send(
      new (sdk.lambda().GetFunctionConfigurationCommand)({ FunctionName: target.functionName }),
    );
    if (config.LastUpdateStatus === "Successful" || config.LastUpdateStatus === undefined) return;
    if (config.LastUpdateStatus === "Failed") {
      throw new PromotionStepError(
        "update-code",
        `UpdateFunctionCode of ${target.functionName} failed: ${config.LastUpdateStatusReason ?? "no reason given"}.`,
      );
    }
    if (Date.now() > until) {
      throw new PromotionStepError(
        "update-code",
        `${target.functionName} was still updating after ${timeoutMs / 1000} s.`,
      );
    }
    await new Promise((done) => setTimeout(done, 1_000));
  }
}

/**
 * Copies the source's bits into the target: backup alias, package download, UpdateFunctionCode, PublishVersion
 * with the CodeSha256 precondition and the integrity check. It moves no alias: the caller points every alias of
 * the service (pointAlias) once all its functions are copied and checked.
 */
export async function copyFunction(options: {
  source: FunctionEnd;
  target: FunctionEnd;
  /** The backup alias prefix with the environment, e.g. "backup-sit-v". */
  backupAliasPrefix: string;
  bits: SourceBits;
  onStep: (step: CopyStep, functionName: string) => Promise<void>;
}): Promise<CopiedFunction> {
  const { source, target, bits, onStep } = options;
  const lambda = sdk.lambda();
  await onStep("backup-alias", target.functionName);
  const live = await target.lambda.send(
    new lambda.GetAliasCommand({ FunctionName: target.functionName, Name: target.alias }),
  );
  const previousVersion = live.FunctionVersion ?? "$LATEST";
  let backupAlias: string | null = null;
  if (/^\d+$/.test(previousVersion)) {
    backupAlias = `${options.backupAliasPrefix}${previousVersion}`;
    try {
      await target.lambda.send(
        new lambda.CreateAliasCommand({
          FunctionName: target.functionName,
          Name: backupAlias,
          FunctionVersion: previousVersion,
          Description: `Backup of ${target.alias} before promoting ${bits.appVersion}`,
        }),
      );
    } catch (error) {
      if (!(error instanceof Error) || error.name !== "ResourceConflictException") throw error;
      await target.lambda.send(
        new lambda.UpdateAliasCommand({
          FunctionName: target.functionName,
          Name: backupAlias,
          FunctionVersion: previousVersion,
        }),
      );
    }
  }
  await onStep("download-package", target.functionName);
  const zip = await downloadPackage(source, bits);
  await onStep("update-code", target.functionName);
  await target.lambda.send(
    new lambda.UpdateFunctionCodeCommand({ FunctionName: target.functionName, ZipFile: zip }),
  );
  await waitForUpdate(target);
  await onStep("publish-version", target.functionName);
  const published = await target.lambda.send(
    new lambda.PublishVersionCommand({
      FunctionName: target.functionName,
      Description: bits.appVersion,
      CodeSha256: bits.codeSha256,
    }),
  );
  const functionVersion = published.Version ?? "";
  await onStep("verify-code-sha", target.functionName);
  if (!/^\d+$/.test(functionVersion) || published.CodeSha256 !== bits.codeSha256) {
    throw new PromotionStepError(
      "verify-code-sha",
      `${target.functionName} version ${functionVersion || "(none)"} has CodeSha256 ${published.CodeSha256 ?? "(none)"}, the source's is ${bits.codeSha256}: the integrity check failed and no traffic was moved.`,
    );
  }
  return {
    functionName: target.functionName,
    previousVersion,
    backupAlias,
    functionVersion,
    appVersion: bits.appVersion,
    codeSha256: bits.codeSha256,
  };
}

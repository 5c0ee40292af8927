import { join, resolve } from "node:path";
import { ciEvidenceRoot, RUN_ENV, repoRoot, runsRoot } from "../run/paths.ts";
import { createRunId } from "../run/run-id.ts";

/**
 * Settings of one run that are not part of an environment's configuration, read from the process's variables
 * here so that no suite or fixture reads `process.env` itself.
 */

/** HARNESS_EXPECTED_VERSION: the version (a Lambda version number or an app semver) the caller says was deployed. */
export function expectedVersionSetting(
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  const value = env.HARNESS_EXPECTED_VERSION;
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/**
 * HARNESS_DEPLOYED_AT: when the run that starts this verification moved the aliases (`npm run promote` sets it),
 * so the monitoring window opens then and not at the LastModified of a version an earlier, killed run
 * published. Undefined when unset; a value that is not an ISO time is a configuration error.
 */
export function deployedAtSetting(env: Record<string, string | undefined> = process.env): Date | undefined {
  const value = env[RUN_ENV.deployedAt]?.trim();
  if (!value) return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime()))
    throw new Error(`${RUN_ENV.deployedAt}=${value} is not an ISO 8601 time such as 2026-12-01T22:05:00Z.`);
  return at;
}

/** What the runner (npm run verify, playwright.config.ts) set for this run, read once from its variables. */
export interface RunContext {
  runId: string | null;
  runDir: string | null;
  target: string | null;
  harnessCommit: string | null;
}

/** The run's context from HARNESS_RUN_ID, HARNESS_RUN_DIR, HARNESS_TARGET and HARNESS_COMMIT (unset: null). */
export function runContext(env: Record<string, string | undefined> = process.env): RunContext {
  const read = (name: string) => (env[name] ? (env[name] ?? null) : null);
  return {
    runId: read(RUN_ENV.runId),
    runDir: read(RUN_ENV.runDir),
    target: read(RUN_ENV.target),
    harnessCommit: read(RUN_ENV.harnessCommit),
  };
}

/**
 * The run id of an ad-hoc run that no runner named (plain `npx playwright test` in a worker): made up once and
 * set in the process, so every fixture of the worker sees the same one.
 */
export function adhocRunId(envId: string, env: Record<string, string | undefined> = process.env): string {
  const id = createRunId(envId, "adhoc");
  env[RUN_ENV.runId] = id;
  return id;
}

/** The process's variables, for the modules (secret redaction) that scan all of them. */
export function processVariables(): Record<string, string | undefined> {
  return process.env;
}

/** The canary record a promotion handed to its verification run (HARNESS_CANARY_RECORD), or null. */
export function canaryRecordFile(env: Record<string, string | undefined> = process.env): string | null {
  const value = env[RUN_ENV.canaryRecord]?.trim();
  return value ? resolve(value) : null;
}

/** The recovery window a rollback command handed to its rollback suite (HARNESS_RECOVERY_HANDOVER), or null. */
export function recoveryHandoverFile(env: Record<string, string | undefined> = process.env): string | null {
  const value = env[RUN_ENV.recoveryHandover]?.trim();
  return value ? resolve(value) : null;
}

/** What the pre-promotion gate reads besides AWS: verdicts, CI evidence, attestations and the workflow's inputs. */
export interface GateSettings {
  /** Folder of run folders whose verdict files are the source environment's evidence. */
  verdictsDir: string;
  /** Folder of the service CI's report files. */
  ciEvidenceDir: string;
  /** Folder of attestations. */
  attestationsDir: string;
  /** Allowed-signers file: who may sign attestations, and for which roles. */
  allowedSigners: string;
  /** The workflow's maintenance_window input: true, false, or null when it was not given. */
  maintenanceWindowConfirmed: boolean | null;
  /** Who starts the promotion (allowed-signers principal), or null when nobody said. */
  initiator: string | null;
  /** PEM public key file or folder of them that verdict envelopes must be signed by; null: not checked. */
  trustedVerdictKeys: string | null;
}

/**
 * The gate's settings from HARNESS_VERDICTS_DIR, HARNESS_CI_EVIDENCE_DIR, HARNESS_ATTESTATIONS_DIR,
 * HARNESS_ALLOWED_SIGNERS, HARNESS_MAINTENANCE_WINDOW_CONFIRMED, HARNESS_INITIATOR and HARNESS_VERDICT_TRUSTED_KEYS,
 * with their defaults.
 */
export function gateSettings(
  serviceId: string,
  env: Record<string, string | undefined> = process.env,
): GateSettings {
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value ? value : null;
  };
  const confirmed = read(RUN_ENV.maintenanceWindowConfirmed);
  const trusted = read(RUN_ENV.trustedVerdictKeys);
  return {
    verdictsDir: resolve(read(RUN_ENV.verdictsDir) ?? runsRoot),
    ciEvidenceDir: resolve(read(RUN_ENV.ciEvidenceDir) ?? join(ciEvidenceRoot, serviceId)),
    attestationsDir: resolve(read(RUN_ENV.attestationsDir) ?? join(repoRoot, "attestations")),
    allowedSigners: resolve(read(RUN_ENV.allowedSigners) ?? join(repoRoot, "runbooks", "allowed_signers")),
    maintenanceWindowConfirmed: confirmed === null ? null : /^(true|yes|1)$/i.test(confirmed),
    initiator: read(RUN_ENV.initiator),
    trustedVerdictKeys: trusted === null ? null : resolve(trusted),
  };
}

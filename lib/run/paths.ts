import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";

/** The repository root (this file is lib/run/paths.ts). */
export const repoRoot = resolve(import.meta.dirname, "..", "..");

/**
 * Where runs are written: reports/runs/<run-id>/ (git-ignored), or the folder HARNESS_RUNS_DIR names (a CI job's
 * artifacts folder; a test's own). Every process of a run reads it from the same inherited variable.
 */
export const runsRoot = process.env.HARNESS_RUNS_DIR
  ? resolve(process.env.HARNESS_RUNS_DIR)
  : join(repoRoot, "reports", "runs");

/** Variables the runner sets for Playwright and its workers. */
export const RUN_ENV = {
  runId: "HARNESS_RUN_ID",
  runDir: "HARNESS_RUN_DIR",
  target: "HARNESS_TARGET",
  config: "HARNESS_CONFIG",
  attestationsDir: "HARNESS_ATTESTATIONS_DIR",
  /** The pre-promotion gate: where it reads verdict files (default reports/runs/). */
  verdictsDir: "HARNESS_VERDICTS_DIR",
  /** The pre-promotion gate: the folder of the service CI's report files (default reports/ci-evidence/<service>/). */
  ciEvidenceDir: "HARNESS_CI_EVIDENCE_DIR",
  /** The workflow's maintenance_window input ("true" / "false"); unset means not confirmed. */
  maintenanceWindowConfirmed: "HARNESS_MAINTENANCE_WINDOW_CONFIRMED",
  /** Who starts the promotion (their allowed-signers principal): no approval of theirs counts. */
  initiator: "HARNESS_INITIATOR",
  /** The allowed-signers file attestations are verified against (default runbooks/allowed_signers). */
  allowedSigners: "HARNESS_ALLOWED_SIGNERS",
  /**
   * The pre-promotion gate: a PEM public key file, or a folder of .pub/.pem files, whose signatures on the source's
   * verdict envelopes it accepts. Unset, signatures are not checked (the gate's reason says so).
   */
  trustedVerdictKeys: "HARNESS_VERDICT_TRUSTED_KEYS",
  harnessCommit: "HARNESS_COMMIT",
  /** When the promotion that starts a verification moved the aliases (ISO): the monitoring window opens then. */
  deployedAt: "HARNESS_DEPLOYED_AT",
  /** The canary a promotion ran before the verification it starts (a JSON file the post-deploy suite judges 4.3.4 on). */
  canaryRecord: "HARNESS_CANARY_RECORD",
  /** The recovery window a rollback command watched and hands to its rollback suite (a JSON file). */
  recoveryHandover: "HARNESS_RECOVERY_HANDOVER",
  /** JSON array of how the user narrowed the run on purpose, e.g. ["--grep @probe"]; the verdict says partial. */
  narrowedBy: "HARNESS_NARROWED_BY",
  /** Set by `npm run verify`, which prints the summary and exits itself; unset, the reporter does both. */
  verifyRunner: "HARNESS_VERIFY_RUNNER",
} as const;

/** Default folder of the service CI's report files, one per service. */
export const ciEvidenceRoot = join(repoRoot, "reports", "ci-evidence");

/** Folder of a run. */
export function runDirFor(runId: string, root: string = runsRoot): string {
  return join(root, runId);
}

/** Layout of a run folder, relative to the run folder. */
export const RUN_LAYOUT = {
  html: "html",
  junit: "junit.xml",
  allure: "allure-results",
  blob: "blob",
  testResults: "test-results",
  evidence: "evidence",
  requests: "requests.jsonl",
  verdict: "verdict.json",
} as const;

/** The harness's git commit (HEAD), or "unknown" outside a git checkout. HARNESS_COMMIT wins when set. */
export function harnessCommit(env: Record<string, string | undefined> = process.env): string {
  const fromEnv = env[RUN_ENV.harnessCommit];
  if (fromEnv) return fromEnv;
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], {
      cwd: repoRoot,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return "unknown";
  }
}

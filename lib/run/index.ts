export { SecretLeakError, UsageError } from "./errors.ts";
export { harnessCommit, RUN_ENV, RUN_LAYOUT, repoRoot, runDirFor, runsRoot } from "./paths.ts";
export { createRunId, isRunId, isUserRunId, RUN_ID_PATTERN, USER_RUN_ID_PATTERN } from "./run-id.ts";
export { type SandboxEndpoints, type SandboxEnvNotes, sandboxChildEnv } from "./sandbox-env.ts";
export { SANDBOX_VERDICT_KEYS_DIR, sandboxVerdictKeyEnv, sandboxVerdictKeys } from "./sandbox-keys.ts";
export {
  ACCESS_TAG,
  argValue,
  GUARD_TAG,
  type ParsedProject,
  parseProjectName,
  parseShard,
  projectName,
  type SuiteLayout,
  specFiles,
  suiteLayout,
} from "./suites.ts";
export { customEndpoints, describeAwsTarget, SANDBOX_TARGET, withApiOverride } from "./target.ts";
export { markTimeline, TIMELINE_ENV } from "./timeline.ts";
export {
  runScriptChild,
  runVerifyChild,
  type ScriptChildResult,
  type SuiteVerification,
  scriptCommand,
  type VerifyChildOptions,
  type VerifyChildResult,
  verifySuite,
} from "./verify-child.ts";
export {
  chooseWorkers,
  isLoopbackUrl,
  LATENCY_BOUND_MS,
  NETWORK_WORKERS,
  type WorkersChoice,
} from "./workers.ts";

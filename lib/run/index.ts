export { SecretLeakError, UsageError } from "./errors.ts";
export { harnessCommit, RUN_ENV, RUN_LAYOUT, repoRoot, runDirFor, runsRoot } from "./paths.ts";
export { createRunId, isRunId, RUN_ID_PATTERN } from "./run-id.ts";
export { type SandboxEndpoints, sandboxChildEnv } from "./sandbox-env.ts";
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
export { describeAwsTarget, SANDBOX_TARGET } from "./target.ts";

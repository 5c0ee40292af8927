/**
 * The sandbox's public entry point for the harness's scripts and tests (docs/sandbox-interface.md).
 * Nothing else in the harness imports `sandbox/`.
 */
export { environmentAccounts } from "./accounts.ts";
export {
  type DeployFault,
  type DeployRequest,
  type DeployResult,
  type FunctionDeployResult,
  faultRoutes,
} from "./deploy.ts";
export {
  defaultStateDir,
  type Endpoints,
  EndpointsSchema,
  type EnvironmentEndpoints,
  endpointsFileName,
  readEndpointsFile,
} from "./endpoints.ts";
export {
  EndpointsFileError,
  SandboxDeployError,
  SandboxNotRunningError,
  SandboxSeedError,
  SandboxStartError,
  SandboxUsageError,
} from "./errors.ts";
export {
  type AccessFunctionKind,
  accessFunctionKinds,
  type EnvironmentName,
  environmentNames,
  type FaultKind,
  faultKinds,
  functionsOf,
  namesFor,
  packageFaultKinds,
  platformFaultKinds,
  type ServiceName,
  serviceNames,
} from "./manifest.ts";
export {
  type SeedAction,
  type SeedActionInput,
  type SeedActionKind,
  type SeedRequest,
  seedActionKinds,
} from "./seed-actions.ts";
export type { AppliedSeedAction, SeedResult } from "./seeder.ts";
export {
  type DeployRequestInput,
  type SandboxHandle,
  type StartSandboxOptions,
  startSandbox,
} from "./start.ts";
export { inspectStateDir, removeStaleState, type StateDirState } from "./state.ts";

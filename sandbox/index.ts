/**
 * The sandbox's public entry point for the harness's scripts and tests (docs/sandbox-interface.md).
 * Nothing else in the harness imports `sandbox/`.
 */
export {
  type AccessFunctionKind,
  accessFunctionKinds,
  type EnvironmentName,
  environmentAccounts,
  environmentNames,
  functionsOf,
  namesFor,
  type ServiceName,
  serviceNames,
} from "./accounts.ts";
export {
  type DeployFault,
  type DeployRequest,
  type DeployResult,
  type FaultKind,
  type FunctionDeployResult,
  faultKinds,
  faultRoutes,
  packageFaultKinds,
  platformFaultKinds,
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
  SandboxStartError,
  SandboxUsageError,
} from "./errors.ts";
export {
  type DeployRequestInput,
  type SandboxHandle,
  type StartSandboxOptions,
  startSandbox,
} from "./start.ts";
export { inspectStateDir, removeStaleState, type StateDirState } from "./state.ts";

export {
  type BuildSpec,
  type BuiltPackage,
  buildPackage,
  lambdaHandler,
  lambdaRuntime,
  parseBuildSpec,
  resolveSpec,
} from "./build-package.ts";
export { BuildSpecError, BundleError } from "./errors.ts";
export {
  type AccessFunction,
  accessFunctions,
  type Fault,
  type FaultKind,
  faultKinds,
  type Manifest,
  ManifestSchema,
  type ResolvedFault,
} from "./manifest.ts";
export { codeSha256 } from "./zip.ts";

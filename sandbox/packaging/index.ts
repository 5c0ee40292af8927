/**
 * Builds Lambda deployment packages (zip of index.mjs + manifest.json) for the sandbox: the same spec
 * always yields the same bytes and CodeSha256, and a fault in the spec is compiled into the bundle.
 * Deploy with Runtime `lambdaRuntime` and Handler `lambdaHandler`.
 */
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

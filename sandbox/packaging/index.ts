/**
 * Builds Lambda deployment packages (zip of index.mjs + manifest.json) for the sandbox: the same spec
 * always yields the same bytes and CodeSha256, and a fault in the spec is compiled into the bundle.
 * Deploy with Runtime `lambdaRuntime` and Handler `lambdaHandler`.
 */

export {
  lambdaHandler,
  lambdaRuntime,
  type Manifest,
  ManifestSchema,
} from "../api-common/package-manifest.ts";
/** The fault kinds a package can be built with. */
export { packageFaultKinds as faultKinds } from "../manifest.ts";
export {
  type BuildSpec,
  type BuiltPackage,
  buildPackage,
  parseBuildSpec,
  resolveSpec,
} from "./build-package.ts";
export { BuildSpecError, BundleError } from "./errors.ts";

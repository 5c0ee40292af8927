import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { z } from "zod";
import { accessRoutes, primaryAccessRoute } from "../access-api/routes.ts";
import {
  AccessFunctionSchema,
  type Manifest,
  PackageFaultKindSchema,
  type ResolvedFault,
  RouteKeySchema,
  ServiceIdSchema,
} from "../api-common/package-manifest.ts";
import {
  type AccessFunctionKind,
  defaultDelayMs,
  defaultTenantRoute,
  delayedFaultKinds,
  faultUnavailableReason,
  isDelayedFault,
  isRoutedFault,
  type PackageFaultKind,
  type ServiceName,
} from "../manifest.ts";
import { tenantRoutes } from "../tenant-api/routes.ts";
import { BuildSpecError, BundleError } from "./errors.ts";
import { codeSha256, deflateEntry, deterministicZip, type ZipEntry } from "./zip.ts";

/** What to build: a service at a version, optionally with a defect baked in. */
export interface BuildSpec {
  service: ServiceName;
  appVersion: string;
  fault?: { kind: PackageFaultKind; route?: string; delayMs?: number };
  /** Required for access-management: which of its functions the package is. */
  accessFunction?: AccessFunctionKind;
}

/** A fault as a build spec asks for it; the builder fills in the defaults (ResolvedFault). */
const FaultSchema = z.strictObject({
  kind: PackageFaultKindSchema,
  route: RouteKeySchema.optional(),
  delayMs: z.number().int().min(0).max(60_000).optional(),
});

export interface BuiltPackage {
  zip: Uint8Array;
  /** base64(sha256(zip)), as Lambda reports CodeSha256. */
  codeSha256: string;
  manifest: Manifest;
}

// Recorded in every manifest instead of the wall clock, so a rebuild of the same spec is byte-identical.
const builtAt = "2026-01-25T00:00:00.000Z";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const entries = {
  "tenant-instance-management": "sandbox/tenant-api/index.ts",
  "access-management": "sandbox/access-api/index.ts",
} as const;

const BuildSpecSchema = z.strictObject({
  service: ServiceIdSchema,
  appVersion: z
    .string()
    .regex(
      /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$/,
      "must be a version string such as 1.4.2 (letters, digits, . + _ -)",
    ),
  fault: FaultSchema.optional(),
  accessFunction: AccessFunctionSchema.optional(),
});

interface ResolvedSpec {
  service: BuildSpec["service"];
  appVersion: string;
  accessFunction: AccessFunctionKind | null;
  fault: ResolvedFault | null;
}

/**
 * Validates an untyped build spec (from JSON: the CLI, the control API), naming every problem at once.
 * Returns the spec as given; fault defaults are filled in by the builder.
 */
export function parseBuildSpec(input: unknown): BuildSpec {
  const spec = checkSpec(input);
  resolveChecked(spec);
  return unresolved(spec);
}

function unresolved(spec: z.infer<typeof BuildSpecSchema>): BuildSpec {
  return {
    service: spec.service,
    appVersion: spec.appVersion,
    ...(spec.accessFunction === undefined ? {} : { accessFunction: spec.accessFunction }),
    ...(spec.fault === undefined
      ? {}
      : {
          fault: {
            kind: spec.fault.kind,
            ...(spec.fault.route === undefined ? {} : { route: spec.fault.route }),
            ...(spec.fault.delayMs === undefined ? {} : { delayMs: spec.fault.delayMs }),
          },
        }),
  };
}

function checkSpec(input: unknown): z.infer<typeof BuildSpecSchema> {
  const parsed = BuildSpecSchema.safeParse(input);
  if (!parsed.success) {
    throw new BuildSpecError(
      parsed.error.issues.map((issue) => `${issue.path.join(".") || "spec"}: ${issue.message}`),
    );
  }
  return parsed.data;
}

/** Validates a spec and fills in fault defaults, collecting every problem before failing. */
export function resolveSpec(spec: BuildSpec): ResolvedSpec {
  return resolveChecked(checkSpec(spec));
}

function resolveChecked(spec: z.infer<typeof BuildSpecSchema>): ResolvedSpec {
  const { service, appVersion, fault, accessFunction } = spec;
  const problems: string[] = [];
  if (service === "access-management" && accessFunction === undefined) {
    problems.push("accessFunction: is required for access-management (authorizer, roles or audit)");
  }
  if (service === "tenant-instance-management" && accessFunction !== undefined) {
    problems.push("accessFunction: only applies to access-management");
  }
  let resolved: ResolvedFault | null = null;
  if (fault !== undefined) {
    const routes: readonly string[] =
      service === "tenant-instance-management"
        ? tenantRoutes.map((route) => route.key)
        : accessFunction === undefined
          ? []
          : accessRoutes[accessFunction].map((route) => route.key);
    const defaultRoute =
      service === "tenant-instance-management"
        ? defaultTenantRoute(fault.kind)
        : accessFunction === undefined
          ? undefined
          : primaryAccessRoute[accessFunction];
    const scoped = isRoutedFault(fault.kind);
    if (!scoped && fault.route !== undefined)
      problems.push(
        `fault.route: a ${fault.kind} fault applies to the whole function, not one route; omit route`,
      );
    if (scoped && fault.route !== undefined && !routes.includes(fault.route)) {
      problems.push(
        `fault.route: ${fault.route} is not a route of ${accessFunction ?? service} (routes: ${routes.join(", ")})`,
      );
    }
    const delayed = isDelayedFault(fault.kind);
    if (!delayed && fault.delayMs !== undefined)
      problems.push(`fault.delayMs: only applies to ${delayedFaultKinds.join(", ")}`);
    const unavailable = faultUnavailableReason(fault.kind, service);
    if (unavailable !== undefined) {
      problems.push(
        `fault.kind: ${fault.kind} has no effect on ${service}, ${unavailable}; choose another fault`,
      );
    }
    resolved = {
      kind: fault.kind,
      route: scoped ? (fault.route ?? defaultRoute ?? null) : null,
      delayMs: delayed ? (fault.delayMs ?? defaultDelayMs(fault.kind) ?? null) : null,
    };
  }
  if (problems.length > 0) throw new BuildSpecError(problems);
  return { service, appVersion, accessFunction: accessFunction ?? null, fault: resolved };
}

// esbuild runs once per service with a placeholder for the fault; each variant substitutes the
// fault's literal into that output, which is what a `define` of the literal would have produced.
// Versions and access functions differ in manifest.json alone, so the sandbox's dozen seeded
// packages cost two esbuild runs.
const faultPlaceholder = "__BBWS_FAULT_PLACEHOLDER__";
const bundles = new Map<string, Promise<string>>();
const variants = new Map<string, Promise<ZipEntry>>();
const packages = new Map<string, Promise<BuiltPackage>>();

/** Removes a failed build from a cache so the next call retries instead of replaying the failure. */
function cached<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let pending = cache.get(key);
  if (pending === undefined) {
    pending = make();
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

/** Bundles a service's handler with esbuild, leaving the fault as a placeholder. */
async function bundle(service: BuildSpec["service"]): Promise<string> {
  const entry = entries[service];
  try {
    const result = await build({
      absWorkingDir: repoRoot,
      entryPoints: [entry],
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      outfile: "index.mjs",
      write: false,
      // The Lambda Node.js runtime ships the AWS SDK v3; everything else travels in the bundle.
      external: ["@aws-sdk/*"],
      define: { __BBWS_FAULT__: JSON.stringify(faultPlaceholder) },
      legalComments: "none",
      charset: "utf8",
      logLevel: "silent",
    });
    const output = result.outputFiles[0];
    if (output === undefined) throw new Error("esbuild produced no output file");
    return output.text;
  } catch (cause) {
    throw new BundleError(entry, { cause });
  }
}

/** The service's bundle with `fault` baked in, deflated once for every manifest that reuses it. */
async function variant(service: BuildSpec["service"], fault: ResolvedFault | null): Promise<ZipEntry> {
  const code = await cached(bundles, service, () => bundle(service));
  const quoted = JSON.stringify(faultPlaceholder);
  const parts = code.split(quoted);
  if (parts.length !== 2) {
    throw new BundleError(entries[service], {
      cause: new Error(
        `expected the fault placeholder exactly once in the bundle, found it ${parts.length - 1} times`,
      ),
    });
  }
  return deflateEntry("index.mjs", new TextEncoder().encode(parts.join(`(${JSON.stringify(fault)})`)));
}

/** Builds (or returns the cached) deployment package for `spec`: a zip of index.mjs and manifest.json. */
export async function buildPackage(spec: BuildSpec): Promise<BuiltPackage> {
  const resolved = resolveSpec(spec);
  const key = JSON.stringify(resolved);
  const built = await cached(packages, key, async () => {
    const code = await cached(variants, JSON.stringify([resolved.service, resolved.fault]), () =>
      variant(resolved.service, resolved.fault),
    );
    const manifest: Manifest = {
      service: resolved.service,
      appVersion: resolved.appVersion,
      ...(resolved.accessFunction === null ? {} : { function: resolved.accessFunction }),
      builtAt,
      ...(resolved.fault === null ? {} : { fault: resolved.fault }),
    };
    const zip = deterministicZip([
      code,
      deflateEntry("manifest.json", new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`)),
    ]);
    return { zip, codeSha256: codeSha256(zip), manifest };
  });
  // Callers get their own copies: the cached bytes must stay those the CodeSha256 was computed over.
  return { zip: built.zip.slice(), codeSha256: built.codeSha256, manifest: structuredClone(built.manifest) };
}

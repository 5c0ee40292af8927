/**
 * manifest.json, the file beside index.mjs in every deployment package: which service (and access
 * function) the package is, its version and the fault it was built with. sandbox/packaging writes it;
 * the handlers read it with `loadManifest`.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { accessFunctionKinds, packageFaultKinds, serviceNames } from "../manifest.ts";
import { ConfigurationError } from "./errors.ts";

/** How to configure the Lambda function for a package: the bundle exports `handler` from index.mjs. */
export const lambdaHandler = "index.handler";
export const lambdaRuntime = "nodejs20.x";

export const ServiceIdSchema = z.enum(serviceNames);
export const AccessFunctionSchema = z.enum(accessFunctionKinds);
export const PackageFaultKindSchema = z.enum(packageFaultKinds);

/** Route keys look like `POST /tenants/{id}/park`: the method, one space, the path template. */
export const RouteKeySchema = z
  .string()
  .regex(/^(GET|POST|PUT|DELETE) \/[A-Za-z0-9/{}_-]*$/, "must look like 'POST /tenants/{id}/park'");

/** A fault with its defaults filled in, as baked into a bundle and recorded in the manifest. */
export const ResolvedFaultSchema = z.strictObject({
  kind: PackageFaultKindSchema,
  route: RouteKeySchema.nullable(),
  delayMs: z.number().int().min(0).nullable(),
});
export type ResolvedFault = z.infer<typeof ResolvedFaultSchema>;

export const ManifestSchema = z.strictObject({
  service: ServiceIdSchema,
  appVersion: z.string().min(1).max(64),
  function: AccessFunctionSchema.optional(),
  builtAt: z.iso.datetime(),
  fault: ResolvedFaultSchema.optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;

function issuesText(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
}

/** Reads `manifest.json` from beside the bundle (the deployment package's root). */
export function loadManifest(bundleUrl: string): Manifest {
  const url = new URL("./manifest.json", bundleUrl);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(url, "utf8"));
  } catch (cause) {
    throw new ConfigurationError(
      `The deployment package has no readable manifest.json next to its handler (${url.pathname}). Rebuild the package with sandbox/packaging and deploy it again.`,
      { cause },
    );
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigurationError(
      `The deployment package's manifest.json is invalid (${issuesText(parsed.error.issues)}). Rebuild the package with sandbox/packaging.`,
    );
  }
  return parsed.data;
}

import { z } from "zod";
import { accessFunctionKinds, packageFaultKinds, serviceNames } from "../manifest.ts";

/**
 * The deployment package's manifest format, shared by the builder and the handlers that read it.
 * Kept free of Node APIs because it is bundled into every handler.
 */

export const ServiceIdSchema = z.enum(serviceNames);
export type ServiceId = z.infer<typeof ServiceIdSchema>;

export const accessFunctions = accessFunctionKinds;
export const AccessFunctionSchema = z.enum(accessFunctionKinds);
export type AccessFunction = z.infer<typeof AccessFunctionSchema>;

/** Defects a package can be built with; each one is compiled into the bundle, never toggled at run time. */
export const faultKinds = packageFaultKinds;
export const FaultKindSchema = z.enum(packageFaultKinds);
export type FaultKind = z.infer<typeof FaultKindSchema>;

/** Route keys look like `POST /tenants/{id}/park`: the method, one space, the path template. */
export const RouteKeySchema = z
  .string()
  .regex(/^(GET|POST|PUT|DELETE) \/[A-Za-z0-9/{}_-]*$/, "must look like 'POST /tenants/{id}/park'");

export const FaultSchema = z.strictObject({
  kind: FaultKindSchema,
  route: RouteKeySchema.optional(),
  delayMs: z.number().int().min(0).max(60_000).optional(),
});
export type Fault = z.infer<typeof FaultSchema>;

/** A fault with its defaults filled in, as baked into a bundle and recorded in the manifest. */
export const ResolvedFaultSchema = z.strictObject({
  kind: FaultKindSchema,
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

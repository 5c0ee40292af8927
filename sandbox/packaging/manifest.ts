import { z } from "zod";

/**
 * The deployment package's manifest format, shared by the builder and the handlers that read it.
 * Kept free of Node APIs because it is bundled into every handler.
 */

export const serviceIds = ["tenant-instance-management", "access-management"] as const;
export const ServiceIdSchema = z.enum(serviceIds);
export type ServiceId = z.infer<typeof ServiceIdSchema>;

export const accessFunctions = ["authorizer", "roles", "audit"] as const;
export const AccessFunctionSchema = z.enum(accessFunctions);
export type AccessFunction = z.infer<typeof AccessFunctionSchema>;

/** Defects a package can be built with; each one is compiled into the bundle, never toggled at run time. */
export const faultKinds = [
  "endpoint-5xx",
  "slow-endpoint",
  "contract-drift",
  "auth-not-enforced",
  "health-crash",
  "writes-not-persisted",
  "wrong-version",
  "log-errors",
] as const;
export const FaultKindSchema = z.enum(faultKinds);
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

/** Default delay of a `slow-endpoint` fault: comfortably more than 3x the baseline latency. */
export const defaultSlowDelayMs = 1500;

import type { PackageFaultKind } from "../manifest.ts";
import { type ResolvedFault, ResolvedFaultSchema } from "./package-manifest.ts";

/**
 * The defect this bundle was built with, if any. sandbox/packaging replaces `__BBWS_FAULT__` at
 * bundle time (esbuild `define`), so a fault is part of the package's bytes and CodeSha256, exactly
 * like a real regression; nothing at run time can switch it on or off.
 */
declare const __BBWS_FAULT__: unknown;

function readBakedFault(): unknown {
  // Referenced exactly once, so the builder can check that it substituted the one place that reads it.
  // Running the sources unbundled (tsx) leaves the identifier undefined: that is a fault-free build.
  try {
    return __BBWS_FAULT__;
  } catch {
    return null;
  }
}

export const bakedFault: ResolvedFault | null = ResolvedFaultSchema.nullable().parse(readBakedFault());

/** Whether the bundle carries a fault of `kind` (optionally: one that targets `routeKey`). */
export function hasFault(kind: PackageFaultKind, routeKey?: string): boolean {
  if (bakedFault === null || bakedFault.kind !== kind) return false;
  return routeKey === undefined || bakedFault.route === null || bakedFault.route === routeKey;
}

/** Delay of a `slow-endpoint` fault on `routeKey`, or 0. */
export function injectedDelayMs(routeKey: string): number {
  return hasFault("slow-endpoint", routeKey) ? (bakedFault?.delayMs ?? 0) : 0;
}

function driftOne(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const { status: _dropped, ...rest }: Record<string, unknown> = { ...value };
  for (const field of ["createdAt", "timestamp"]) {
    const time = rest[field];
    if (typeof time === "string") rest[field] = Date.parse(time);
  }
  return rest;
}

/**
 * The `contract-drift` defect: `status` disappears and times become epoch numbers, on a single
 * resource and on every item of a page.
 */
export function driftBody(body: unknown): unknown {
  if (typeof body === "object" && body !== null && "items" in body && Array.isArray(body.items)) {
    return { ...body, items: body.items.map(driftOne) };
  }
  return driftOne(body);
}

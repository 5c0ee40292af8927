/**
 * The deploy lock as data: the item a promotion or rollback keeps in `bbws-deployments-{env}` while it moves
 * a service's alias, the record of a lock that was broken, and the pure helpers (staleness, one-sentence
 * description) that the store in lock.ts and the errors in errors.ts both use.
 */
import { z } from "zod";
import { ServiceIdSchema } from "../../runbooks/schema.ts";

/** The operations that take a deploy lock. */
export const lockOperations = ["promote", "rollback"] as const;
export const LockOperationSchema = z.enum(lockOperations);
export type LockOperation = z.infer<typeof LockOperationSchema>;

/** Lease of a lock when the caller names none: long enough between two steps' heartbeats, short enough to wait out. */
export const DEFAULT_LEASE_SECONDS = 600;

/** The lock's sort key: one lock per service in an environment's table. */
export const LOCK_SORT_KEY = "lock" as const;

/** Partition key of a service's lock: `LOCK#<service id>`. */
export function lockKey(service: string): { PK: string; SK: typeof LOCK_SORT_KEY } {
  return { PK: `LOCK#${service}`, SK: LOCK_SORT_KEY };
}

/** Partition key of a service's break records: `LOCKBREAK#<service id>` (sort key: when it was broken). */
export function lockBreakPartition(service: string): string {
  return `LOCKBREAK#${service}`;
}

const IsoTimeSchema = z.iso.datetime({ offset: true });

/** What the run moves: the version (Lambda version number or app version) and its code, for whoever finds the lock. */
export const LockTargetSchema = z.object({
  /** The version the alias is moved to (Lambda version number as a string, or the app version). */
  version: z.string().min(1),
  /** CodeSha256 of that version (or `combined:<base64>` for a multi-function service). */
  codeSha256: z.string().min(1).optional(),
  /** The app version, when `version` is a Lambda version number. */
  appVersion: z.string().min(1).optional(),
  /** What the alias pointed at before the run (a rollback's way back). */
  fromVersion: z.string().min(1).optional(),
  /** The environment the version was promoted from, when promoting. */
  sourceEnvironment: z.string().min(1).optional(),
});
export type LockTarget = z.infer<typeof LockTargetSchema>;

/** One step the holder recorded, with when. */
export const LockStepSchema = z.object({ step: z.string(), at: IsoTimeSchema });
export type LockStep = z.infer<typeof LockStepSchema>;

/** The lock item: `PK = "LOCK#<service id>"`, `SK = "lock"`. */
export const DeployLockSchema = z.object({
  PK: z.string().startsWith("LOCK#"),
  SK: z.literal(LOCK_SORT_KEY),
  service: ServiceIdSchema,
  /** Who runs it: an attestation principal or user@host. */
  holder: z.string().min(1),
  runId: z.string().min(1),
  operation: LockOperationSchema,
  /** The last step the run reached. */
  step: z.string().min(1),
  acquiredAt: IsoTimeSchema,
  heartbeatAt: IsoTimeSchema,
  leaseSeconds: z.number().int().positive(),
  /** heartbeatAt + leaseSeconds: after it the lock is stale (its run is presumed dead). */
  expiresAt: IsoTimeSchema,
  target: LockTargetSchema,
  history: z.array(LockStepSchema).default([]),
});
export type DeployLock = z.infer<typeof DeployLockSchema>;

/** A lock as read now: its content and whether its lease has run out. */
export type ReadLock = DeployLock & { readonly stale: boolean };

/** The record of a broken lock: `PK = "LOCKBREAK#<service id>"`, `SK = <brokenAt ISO>`. */
export const LockBreakRecordSchema = z.object({
  PK: z.string().startsWith("LOCKBREAK#"),
  SK: IsoTimeSchema,
  service: ServiceIdSchema,
  brokenAt: IsoTimeSchema,
  /** Who broke it (principal or user@host). */
  by: z.string().min(1),
  reason: z.string().min(1),
  /** Whether its lease had run out when it was broken (false: broken live, with force). */
  wasStale: z.boolean(),
  forced: z.boolean(),
  /** The broken lock's content as it was read, so the step a killed run reached stays on record. */
  lock: DeployLockSchema,
});
export type LockBreakRecord = z.infer<typeof LockBreakRecordSchema>;

/** Whether the lock's lease has run out at `now` (expiresAt is not in the future). */
export function isStale(lock: Pick<DeployLock, "expiresAt">, now: Date): boolean {
  return Date.parse(lock.expiresAt) <= now.getTime();
}

/** A span of time for messages: `45 s`, `3 min 20 s`, `2 h 5 min`, `3 d 4 h`. */
export function formatSpan(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** What the run moves, in words: `version 7 (app version 1.5.0, CodeSha256 abc…=), from version 6`. */
export function describeTarget(target: LockTarget): string {
  const details = [
    target.appVersion !== undefined ? `app version ${target.appVersion}` : null,
    target.codeSha256 !== undefined ? `CodeSha256 ${target.codeSha256}` : null,
  ].filter((detail) => detail !== null);
  return [
    `version ${target.version}`,
    details.length > 0 ? ` (${details.join(", ")})` : "",
    target.fromVersion !== undefined ? ` from version ${target.fromVersion}` : "",
    target.sourceEnvironment !== undefined ? ` promoted from ${target.sourceEnvironment}` : "",
  ].join("");
}

/**
 * One sentence on a lock: who holds it for which run and operation, since when, what it moves, the step it
 * reached and when, and whether its lease still runs or has run out (stale).
 */
export function describeLock(lock: DeployLock, now: Date): string {
  const nowMs = now.getTime();
  const heartbeatAgo = formatSpan(nowMs - Date.parse(lock.heartbeatAt));
  const expiresMs = Date.parse(lock.expiresAt);
  const lease = isStale(lock, now)
    ? `its lease expired at ${lock.expiresAt} (${formatSpan(nowMs - expiresMs)} ago), so the lock is stale`
    : `its lease runs until ${lock.expiresAt} (${formatSpan(expiresMs - nowMs)} from now)`;
  return (
    `${lock.holder} holds the ${lock.operation} lock of ${lock.service} for run ${lock.runId} ` +
    `since ${lock.acquiredAt}, moving ${describeTarget(lock.target)}; ` +
    `it reached step "${lock.step}" (last heartbeat ${lock.heartbeatAt}, ${heartbeatAgo} ago) and ${lease}.`
  );
}

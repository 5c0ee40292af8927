/** Errors of the deploy lock a promotion or rollback takes per service and environment. */
import { type DeployLock, describeLock, isStale, type LockBreakRecord } from "./lock-record.ts";

/** Someone else's run holds the lock (live or stale): this run must not proceed. */
export class LockHeldError extends Error {
  readonly service: string;
  readonly table: string;
  /** The lock as read when the acquire was refused. */
  readonly lock: DeployLock;
  readonly stale: boolean;

  constructor(table: string, lock: DeployLock, now: Date, options?: ErrorOptions) {
    const stale = isStale(lock, now);
    const whatToDo = stale
      ? `Its run was probably killed at step "${lock.step}": check where it left the alias, then break the lock ` +
        `with --break-lock --reason "..." (the break is recorded with the lock's content) and start again.`
      : `Another ${lock.operation} of ${lock.service} is under way: wait for it to finish (or for its lease to ` +
        `run out if it was killed), then start again; breaking a live lock needs --break-lock --reason "..." ` +
        `--force and is only safe once you know that run is dead.`;
    super(
      `Cannot take the deploy lock of ${lock.service} in ${table}: ${describeLock(lock, now)} ${whatToDo}`,
      options,
    );
    this.name = "LockHeldError";
    this.service = lock.service;
    this.table = table;
    this.lock = lock;
    this.stale = stale;
  }
}

/** The run no longer holds its lock: it was broken (and maybe taken by another run). The run must stop. */
export class LockLostError extends Error {
  readonly service: string;
  readonly table: string;
  /** The run that thought it held the lock. */
  readonly runId: string;
  /** What holds the lock now, or null when nothing does. */
  readonly current: DeployLock | null;
  /** The record of the break that took this run's lock, when one is found. */
  readonly breakRecord: LockBreakRecord | null;

  constructor(
    context: {
      table: string;
      lock: DeployLock;
      action: string;
      current: DeployLock | null;
      breakRecord: LockBreakRecord | null;
      now: Date;
    },
    options?: ErrorOptions,
  ) {
    const { table, lock, current, breakRecord, now } = context;
    const how = breakRecord
      ? `${breakRecord.by} broke it at ${breakRecord.brokenAt} (reason: "${breakRecord.reason}")`
      : "it is gone (no record of a break names this run)";
    const holder = current ? ` Now ${describeLock(current, now)}` : " No run holds it now.";
    super(
      `Run ${lock.runId} lost the deploy lock of ${lock.service} in ${table} and could not ${context.action}: ` +
        `${how}.${holder} Stop this run without moving the alias further, and check the alias ` +
        `(this run had reached step "${lock.step}") before anyone starts again.`,
      options,
    );
    this.name = "LockLostError";
    this.service = lock.service;
    this.table = table;
    this.runId = lock.runId;
    this.current = current;
    this.breakRecord = breakRecord;
  }
}

/** Why a break was refused. */
export type BreakLockRefusal = "no-reason" | "live" | "changed";

/** A break of the lock was refused: no reason given, the lock is live without force, or it changed meanwhile. */
export class BreakLockRefusedError extends Error {
  readonly service: string;
  readonly table: string;
  readonly refusal: BreakLockRefusal;
  /** The lock as read, or null when none was read. */
  readonly lock: DeployLock | null;

  constructor(
    context: {
      service: string;
      table: string;
      refusal: BreakLockRefusal;
      lock: DeployLock | null;
      now: Date;
    },
    options?: ErrorOptions,
  ) {
    const { service, table, refusal, lock, now } = context;
    const described = lock ? ` ${describeLock(lock, now)}` : "";
    const message = {
      "no-reason":
        `Refused to break the deploy lock of ${service} in ${table}: a break needs a reason, and none was given.` +
        `${described} Pass --reason "..." saying why the run holding it is dead (it is recorded with the lock).`,
      live:
        `Refused to break the deploy lock of ${service} in ${table}: the lock is live.${described} ` +
        `Wait for its run to finish or its lease to run out; if you know that run is dead, pass --force as well.`,
      changed:
        `Did not break the deploy lock of ${service} in ${table}: it changed while it was being broken ` +
        `(its run renewed or released it, or someone else broke it).${described} Read the lock again before retrying.`,
    }[refusal];
    super(message, options);
    this.name = "BreakLockRefusedError";
    this.service = service;
    this.table = table;
    this.refusal = refusal;
    this.lock = lock;
  }
}

/** A lock request is malformed (empty holder or run id, a lease that is not a positive whole number). */
export class LockInputError extends Error {
  readonly field: string;

  constructor(field: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LockInputError";
    this.field = field;
  }
}

/** An item under the lock's key does not have the lock's shape: someone wrote it by hand, or a bug did. */
export class LockRecordInvalidError extends Error {
  readonly table: string;
  readonly key: string;

  constructor(table: string, key: string, issues: string, options?: ErrorOptions) {
    super(
      `The item ${key} in ${table} is not a deploy lock the harness can read (${issues}). ` +
        `Inspect it with aws dynamodb get-item and delete it by hand if it is debris; nothing was changed.`,
      options,
    );
    this.name = "LockRecordInvalidError";
    this.table = table;
    this.key = key;
  }
}

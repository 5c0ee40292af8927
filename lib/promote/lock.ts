/**
 * The deploy lock of a promotion or rollback: one item per service in the environment's
 * `bbws-deployments-{env}` table, taken with a conditional put so two runs started at once cannot both
 * proceed, renewed at every step so a killed run leaves a lock that says which step it reached, and broken
 * only with a recorded reason.
 *
 * Both services keep their lock in the tenant service's `bbws-deployments-{env}`: the access service has no
 * deployments table of its own (it records its deployed version in SSM), and one table per environment keeps
 * every lock of that environment in one place. The lock's keys (`LOCK#...`, `LOCKBREAK#...`) never collide
 * with deployment records (`DEPLOYMENT#<function>`), which are only ever read by key.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { services } from "../../runbooks/index.ts";
import type { EnvironmentId, ServiceId } from "../../runbooks/schema.ts";
import { sdk } from "../aws/index.ts";
import { deploymentsTable } from "../config/names.ts";
import {
  BreakLockRefusedError,
  LockHeldError,
  LockInputError,
  LockLostError,
  LockRecordInvalidError,
} from "./errors.ts";
import {
  DEFAULT_LEASE_SECONDS,
  type DeployLock,
  DeployLockSchema,
  isStale,
  type LockBreakRecord,
  LockBreakRecordSchema,
  type LockOperation,
  LockTargetSchema,
  lockBreakPartition,
  lockKey,
  type ReadLock,
} from "./lock-record.ts";

/** The step a lock starts at when the caller names none. */
export const INITIAL_STEP = "acquired";

/** Puts a lock loses to a release between the refused put and the read before the acquire gives up. */
const ACQUIRE_ATTEMPTS = 3;

/**
 * The table that holds the deploy locks of an environment, for either service: the tenant service's
 * `bbws-deployments-{env}` (the access service keeps no deployments table).
 */
export function deployLockTable(envId: EnvironmentId): string {
  const table = deploymentsTable(services["tenant-instance-management"], envId);
  if (table === null) {
    throw new Error(
      "runbooks/services.ts gives the tenant service no deploymentsTable, so the deploy lock has nowhere to live.",
    );
  }
  return table;
}

/** What `acquireLock` needs: who takes the lock, for which run and operation, and what the run moves. */
export interface AcquireLockOptions {
  service: ServiceId;
  /** An attestation principal or user@host. */
  holder: string;
  runId: string;
  operation: LockOperation;
  /** Seconds the lock stays live after each heartbeat (default DEFAULT_LEASE_SECONDS). */
  leaseSeconds?: number | undefined;
  /** The version and CodeSha256 being moved. */
  target: {
    version: string;
    codeSha256?: string | undefined;
    appVersion?: string | undefined;
    fromVersion?: string | undefined;
    sourceEnvironment?: string | undefined;
  };
  /** The first step recorded (default INITIAL_STEP). */
  step?: string | undefined;
  now?: Date | undefined;
}

/** What `breakLock` needs: whose lock, why, by whom, and force for a lock that is still live. */
export interface BreakLockOptions {
  service: ServiceId;
  reason: string;
  /** Who breaks it: an attestation principal or user@host. */
  by: string;
  /** Break even though the lease still runs (the breaker knows that run is dead). */
  force?: boolean | undefined;
  now?: Date | undefined;
}

function conditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

function requireText(field: string, value: string, what: string): string {
  const trimmed = value.trim();
  if (trimmed === "") throw new LockInputError(field, `The deploy lock needs ${what}; ${field} is empty.`);
  return trimmed;
}

function parseLock(table: string, item: unknown): DeployLock {
  const parsed = DeployLockSchema.safeParse(item);
  if (parsed.success) return parsed.data;
  const key = typeof item === "object" && item !== null && "PK" in item ? String(item.PK) : "(no PK)";
  const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
  throw new LockRecordInvalidError(table, key, issues.join("; "), { cause: parsed.error });
}

/** The lock as stored, or null; no staleness judged. */
async function getLock(
  doc: DynamoDBDocumentClient,
  table: string,
  service: string,
): Promise<DeployLock | null> {
  const result = await doc.send(
    new (sdk.dynamodbDoc().GetCommand)({ TableName: table, Key: lockKey(service), ConsistentRead: true }),
  );
  return result.Item === undefined ? null : parseLock(table, result.Item);
}

/** The newest break records of a service, newest first. */
async function breakRecords(
  doc: DynamoDBDocumentClient,
  table: string,
  service: string,
): Promise<LockBreakRecord[]> {
  const page = await doc.send(
    new (sdk.dynamodbDoc().QueryCommand)({
      TableName: table,
      KeyConditionExpression: "PK = :pk",
      ExpressionAttributeValues: { ":pk": lockBreakPartition(service) },
      ScanIndexForward: false,
      ConsistentRead: true,
      Limit: 20,
    }),
  );
  return (page.Items ?? []).flatMap((item) => {
    const parsed = LockBreakRecordSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

/** The LockLostError of a run whose conditional write failed: what holds the lock now, and who broke it. */
async function lost(
  doc: DynamoDBDocumentClient,
  table: string,
  lock: DeployLock,
  action: string,
  now: Date,
  cause: unknown,
): Promise<LockLostError> {
  const current = await getLock(doc, table, lock.service);
  const breakRecord = (await breakRecords(doc, table, lock.service)).find(
    (record) => record.lock.runId === lock.runId,
  );
  return new LockLostError(
    { table, lock, action, current, breakRecord: breakRecord ?? null, now },
    { cause },
  );
}

/**
 * Takes the service's deploy lock with a conditional put (`attribute_not_exists(PK)`). When a lock is
 * already there, live or stale, throws LockHeldError naming its holder, run, operation, step and lease;
 * it never overwrites one.
 */
export async function acquireLock(
  doc: DynamoDBDocumentClient,
  table: string,
  options: AcquireLockOptions,
): Promise<DeployLock> {
  const now = options.now ?? new Date();
  const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  if (!Number.isInteger(leaseSeconds) || leaseSeconds <= 0) {
    throw new LockInputError(
      "leaseSeconds",
      `The deploy lock's lease must be a positive whole number of seconds; got ${leaseSeconds}.`,
    );
  }
  const step = requireText("step", options.step ?? INITIAL_STEP, "a step");
  const at = now.toISOString();
  const target = LockTargetSchema.safeParse(options.target);
  if (!target.success) {
    throw new LockInputError(
      "target",
      `The deploy lock needs the version being moved: ${target.error.issues.map((i) => `target.${i.path.join(".")}: ${i.message}`).join("; ")}.`,
      { cause: target.error },
    );
  }
  const lock: DeployLock = {
    ...lockKey(options.service),
    service: options.service,
    holder: requireText("holder", options.holder, "a holder (principal or user@host)"),
    runId: requireText("runId", options.runId, "a run id"),
    operation: options.operation,
    step,
    acquiredAt: at,
    heartbeatAt: at,
    leaseSeconds,
    expiresAt: new Date(now.getTime() + leaseSeconds * 1000).toISOString(),
    // A JSON round trip drops the target's undefined fields, which the document client refuses to marshal.
    target: JSON.parse(JSON.stringify(target.data)) as DeployLock["target"],
    history: [{ step, at }],
  };
  for (let attempt = 1; ; attempt++) {
    try {
      await doc.send(
        new (sdk.dynamodbDoc().PutCommand)({
          TableName: table,
          Item: lock,
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
      return lock;
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      const held = await getLock(doc, table, options.service);
      // Released between the refused put and the read: try again rather than report a lock nobody holds.
      if (held === null && attempt < ACQUIRE_ATTEMPTS) continue;
      if (held === null) throw error;
      throw new LockHeldError(table, held, now, { cause: error });
    }
  }
}

/**
 * Records the step the run reached and renews its lease (heartbeat), on condition that the run still holds
 * the lock (`runId = :mine`). Returns the lock as stored; throws LockLostError when it was broken.
 */
export async function updateLockStep(
  doc: DynamoDBDocumentClient,
  table: string,
  lock: DeployLock,
  step: string,
  now: Date = new Date(),
): Promise<DeployLock> {
  const name = requireText("step", step, "a step");
  const at = now.toISOString();
  try {
    const result = await doc.send(
      new (sdk.dynamodbDoc().UpdateCommand)({
        TableName: table,
        Key: lockKey(lock.service),
        UpdateExpression:
          "SET #step = :step, #heartbeatAt = :at, #expiresAt = :expiresAt, " +
          "#history = list_append(if_not_exists(#history, :none), :entry)",
        ConditionExpression: "#runId = :mine",
        ExpressionAttributeNames: {
          "#step": "step",
          "#heartbeatAt": "heartbeatAt",
          "#expiresAt": "expiresAt",
          "#history": "history",
          "#runId": "runId",
        },
        ExpressionAttributeValues: {
          ":step": name,
          ":at": at,
          ":expiresAt": new Date(now.getTime() + lock.leaseSeconds * 1000).toISOString(),
          ":none": [],
          ":entry": [{ step: name, at }],
          ":mine": lock.runId,
        },
        ReturnValues: "ALL_NEW",
      }),
    );
    return parseLock(table, result.Attributes);
  } catch (error) {
    if (!conditionFailed(error)) throw error;
    throw await lost(doc, table, lock, `record step "${name}"`, now, error);
  }
}

/** Deletes the lock on condition that the run still holds it (`runId = :mine`); LockLostError when it does not. */
export async function releaseLock(
  doc: DynamoDBDocumentClient,
  table: string,
  lock: DeployLock,
): Promise<void> {
  try {
    await doc.send(
      new (sdk.dynamodbDoc().DeleteCommand)({
        TableName: table,
        Key: lockKey(lock.service),
        ConditionExpression: "#runId = :mine",
        ExpressionAttributeNames: { "#runId": "runId" },
        ExpressionAttributeValues: { ":mine": lock.runId },
      }),
    );
  } catch (error) {
    if (!conditionFailed(error)) throw error;
    throw await lost(doc, table, lock, "release it", new Date(), error);
  }
}

/** The service's current lock with whether it is stale at `now`, or null when none is held. */
export async function readLock(
  doc: DynamoDBDocumentClient,
  table: string,
  service: ServiceId,
  now: Date = new Date(),
): Promise<ReadLock | null> {
  const lock = await getLock(doc, table, service);
  return lock === null ? null : { ...lock, stale: isStale(lock, now) };
}

/**
 * Breaks the service's lock: refuses without a reason, and refuses a live lock (expiresAt in the future)
 * unless `force`. Writes the break record (`LOCKBREAK#<service>`, `SK = now ISO`, with the lock's content,
 * reason and breaker) first, then deletes the lock on condition that it is still the one read (same run id
 * and heartbeat, so a run that is alive after all keeps it). Returns the record (its `lock.step` is the step
 * the broken run reached), or null when no lock was held.
 */
export async function breakLock(
  doc: DynamoDBDocumentClient,
  table: string,
  options: BreakLockOptions,
): Promise<LockBreakRecord | null> {
  const now = options.now ?? new Date();
  const { service } = options;
  const reason = options.reason.trim();
  if (reason === "") {
    throw new BreakLockRefusedError({
      service,
      table,
      refusal: "no-reason",
      lock: await getLock(doc, table, service),
      now,
    });
  }
  const by = requireText("by", options.by, "who breaks it (principal or user@host)");
  const lock = await getLock(doc, table, service);
  if (lock === null) return null;
  const stale = isStale(lock, now);
  if (!stale && options.force !== true) {
    throw new BreakLockRefusedError({ service, table, refusal: "live", lock, now });
  }
  const brokenAt = now.toISOString();
  const record: LockBreakRecord = {
    PK: lockBreakPartition(service),
    SK: brokenAt,
    service,
    brokenAt,
    by,
    reason,
    wasStale: stale,
    forced: options.force === true,
    lock,
  };
  const changed = (cause: unknown) =>
    new BreakLockRefusedError({ service, table, refusal: "changed", lock, now }, { cause });
  try {
    await doc.send(
      new (sdk.dynamodbDoc().PutCommand)({
        TableName: table,
        Item: record,
        ConditionExpression: "attribute_not_exists(PK)",
      }),
    );
  } catch (error) {
    // Another break at the same instant holds this record's key.
    if (conditionFailed(error)) throw changed(error);
    throw error;
  }
  try {
    await doc.send(
      new (sdk.dynamodbDoc().DeleteCommand)({
        TableName: table,
        Key: lockKey(service),
        ConditionExpression: "#runId = :run AND #heartbeatAt = :heartbeatAt",
        ExpressionAttributeNames: { "#runId": "runId", "#heartbeatAt": "heartbeatAt" },
        ExpressionAttributeValues: { ":run": lock.runId, ":heartbeatAt": lock.heartbeatAt },
      }),
    );
  } catch (error) {
    // Nothing was broken, so the record would be false: take it back before refusing.
    await doc.send(
      new (sdk.dynamodbDoc().DeleteCommand)({ TableName: table, Key: { PK: record.PK, SK: record.SK } }),
    );
    if (conditionFailed(error)) throw changed(error);
    throw error;
  }
  return record;
}

/** The break records of a service, newest first (up to 20). */
export function readLockBreaks(
  doc: DynamoDBDocumentClient,
  table: string,
  service: ServiceId,
): Promise<LockBreakRecord[]> {
  return breakRecords(doc, table, service);
}

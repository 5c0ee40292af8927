import { ConflictError, NotFoundError } from "../../api-common/errors.ts";
import { parseInput } from "../../api-common/http.ts";
import { idPatterns, isId, newId } from "../ids.ts";
import {
  type Backup,
  BackupBodySchema,
  BackupSchema,
  CreateInstanceBodySchema,
  type Instance,
  InstanceSchema,
  PageQuerySchema,
  RestoreBodySchema,
  ScaleInstanceBodySchema,
  UpdateInstanceBodySchema,
} from "../schemas.ts";
import {
  fromItem,
  type Operation,
  type OperationContext,
  optionalBody,
  pageRequest,
  pathParam,
  requiredBody,
  tokenKeySchema,
} from "./context.ts";
import { loadTenant } from "./tenants.ts";

export const instancePartition = "INSTANCE#";
const backupPartition = (instanceId: string) => `INSTANCE#${instanceId}#BACKUPS`;

async function loadInstance(context: OperationContext): Promise<Instance> {
  const id = pathParam(context, "id");
  if (!isId("instance", id)) throw new NotFoundError(`Instance ${id}`);
  const item = await context.store.get(context.config.tables.instances, { PK: instancePartition, SK: id });
  if (item === undefined) throw new NotFoundError(`Instance ${id}`);
  return fromItem(InstanceSchema, item, "instance");
}

/** Writes an instance read earlier in the request, only if it is unchanged since (optimistic locking). */
async function saveInstance(
  context: OperationContext,
  next: Instance,
  previous: Instance | null,
): Promise<void> {
  const written = await context.store.put(
    context.config.tables.instances,
    { PK: instancePartition, SK: next.id, ...next },
    previous === null
      ? { expression: "attribute_not_exists(SK)" }
      : { expression: "updatedAt = :previous", values: { ":previous": previous.updatedAt } },
  );
  if (!written) {
    throw new ConflictError(
      `Instance ${next.id} was changed by another request at the same time. Read it again and retry.`,
    );
  }
}

function requireStatus(instance: Instance, status: Instance["status"], action: string): void {
  if (instance.status !== status) {
    throw new ConflictError(
      `Instance ${instance.id} is ${instance.status}; only a ${status} instance can be ${action}.${status === "running" ? " Resume it first." : ""}`,
    );
  }
}

/** POST /tenants/{id}/instances: a running instance of an active tenant. */
export const createInstance: Operation = async (context) => {
  const body = requiredBody(context, CreateInstanceBodySchema);
  const tenant = await loadTenant(context, pathParam(context, "id"));
  if (tenant.status !== "active") {
    throw new ConflictError(
      `Tenant ${tenant.id} is ${tenant.status}; instances can only be created for an active tenant.`,
    );
  }
  const instance: Instance = {
    id: newId("instance"),
    tenantId: tenant.id,
    name: body.name,
    size: body.size,
    status: "running",
    wordpressVersion: body.wordpressVersion,
    lastBackupId: null,
    lastRestoredBackupId: null,
    tags: body.tags ?? {},
    createdAt: context.now,
    updatedAt: context.now,
  };
  await saveInstance(context, instance, null);
  return { status: 201, body: instance };
};

/** GET /instances/{id}. */
export const getInstance: Operation = async (context) => ({ status: 200, body: await loadInstance(context) });

/** GET /tenants/{id}/instances: the tenant's instances, newest first (GSI byTenant). */
export const listInstances: Operation = async (context) => {
  const query = parseInput(PageQuerySchema, context.query, "query");
  const tenant = await loadTenant(context, pathParam(context, "id"));
  const { limit, startKey } = pageRequest(
    query,
    tokenKeySchema(instancePartition, idPatterns.instance, { tenantId: tenant.id }),
  );
  const page = await context.store.queryPage({
    table: context.config.tables.instances,
    index: "byTenant",
    keyCondition: "tenantId = :tenantId",
    values: { ":tenantId": tenant.id },
    newestFirst: true,
    limit,
    startKey,
    keyAttributes: ["PK", "SK", "tenantId"],
  });
  return {
    status: 200,
    body: {
      items: page.items.map((item) => fromItem(InstanceSchema, item, "instance")),
      nextToken: page.nextToken,
    },
  };
};

/** PUT /instances/{id}: name, wordpressVersion, tags. */
export const updateInstance: Operation = async (context) => {
  const body = requiredBody(context, UpdateInstanceBodySchema);
  const instance = await loadInstance(context);
  const next: Instance = {
    ...instance,
    ...(body.name === undefined ? {} : { name: body.name }),
    ...(body.wordpressVersion === undefined ? {} : { wordpressVersion: body.wordpressVersion }),
    ...(body.tags === undefined ? {} : { tags: body.tags }),
    updatedAt: context.now,
  };
  await saveInstance(context, next, instance);
  return { status: 200, body: next };
};

/** DELETE /instances/{id}: removes the instance and its backups (204). */
export const deleteInstance: Operation = async (context) => {
  const instance = await loadInstance(context);
  const deleted = await context.store.delete(
    context.config.tables.instances,
    { PK: instancePartition, SK: instance.id },
    { expression: "attribute_exists(SK)" },
  );
  if (!deleted) throw new NotFoundError(`Instance ${instance.id}`);
  await context.store.deletePartition(context.config.tables.instances, backupPartition(instance.id));
  return { status: 204 };
};

/** PUT /instances/{id}/size: only while running. */
export const scaleInstance: Operation = async (context) => {
  const body = requiredBody(context, ScaleInstanceBodySchema);
  const instance = await loadInstance(context);
  requireStatus(instance, "running", "scaled");
  const next: Instance = { ...instance, size: body.size, updatedAt: context.now };
  await saveInstance(context, next, instance);
  return { status: 200, body: next };
};

function transition(from: Instance["status"], to: Instance["status"], action: string): Operation {
  return async (context) => {
    const instance = await loadInstance(context);
    requireStatus(instance, from, action);
    const next: Instance = { ...instance, status: to, updatedAt: context.now };
    await saveInstance(context, next, instance);
    return { status: 200, body: next };
  };
}

/** POST /instances/{id}/suspend: running -> suspended. */
export const suspendInstance = transition("running", "suspended", "suspended");
/** POST /instances/{id}/resume: suspended -> running. */
export const resumeInstance = transition("suspended", "running", "resumed");

/** POST /instances/{id}/backup: snapshots name, size and WordPress version. */
export const backupInstance: Operation = async (context) => {
  const body = optionalBody(context, BackupBodySchema);
  const instance = await loadInstance(context);
  const backup: Backup = {
    id: newId("backup"),
    instanceId: instance.id,
    label: body.label ?? null,
    createdAt: context.now,
    snapshot: { name: instance.name, size: instance.size, wordpressVersion: instance.wordpressVersion },
  };
  await context.store.put(context.config.tables.instances, {
    PK: backupPartition(instance.id),
    SK: backup.id,
    ...backup,
  });
  await saveInstance(context, { ...instance, lastBackupId: backup.id, updatedAt: context.now }, instance);
  return { status: 201, body: backup };
};

/** POST /instances/{id}/restore: applies one of this instance's backups while running. */
export const restoreInstance: Operation = async (context) => {
  const body = requiredBody(context, RestoreBodySchema);
  const instance = await loadInstance(context);
  const what = `Backup ${body.backupId} of instance ${instance.id}`;
  if (!isId("backup", body.backupId)) throw new NotFoundError(what);
  const item = await context.store.get(context.config.tables.instances, {
    PK: backupPartition(instance.id),
    SK: body.backupId,
  });
  if (item === undefined) throw new NotFoundError(what);
  const backup = fromItem(BackupSchema, item, "backup");
  requireStatus(instance, "running", "restored");
  const next: Instance = {
    ...instance,
    name: backup.snapshot.name,
    size: backup.snapshot.size,
    wordpressVersion: backup.snapshot.wordpressVersion,
    lastRestoredBackupId: backup.id,
    updatedAt: context.now,
  };
  await saveInstance(context, next, instance);
  return { status: 200, body: next };
};

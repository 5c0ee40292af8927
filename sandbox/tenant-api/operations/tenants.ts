import { ConflictError, NotFoundError } from "../../api-common/errors.ts";
import { parseInput } from "../../api-common/http.ts";
import { idPatterns, isId, newId } from "../ids.ts";
import {
  CreateTenantBodySchema,
  type Hierarchy,
  HierarchyBodySchema,
  ListTenantsQuerySchema,
  type Tenant,
  TenantSchema,
  UpdateTenantBodySchema,
} from "../schemas.ts";
import type { Store } from "../store.ts";
import {
  fromItem,
  type Operation,
  type OperationContext,
  pageRequest,
  pathParam,
  requiredBody,
  tokenKeySchema,
} from "./context.ts";

/** Partition of all tenant items: the runbook's "recent writes" query reads it newest first. */
export const tenantPartition = "TENANT#";

/** Reads a tenant, or `undefined`; a malformed id cannot exist, so it is simply absent. */
export async function findTenant(context: OperationContext, id: string): Promise<Tenant | undefined> {
  if (!isId("tenant", id)) return undefined;
  const item = await context.store.get(context.config.tables.tenants, { PK: tenantPartition, SK: id });
  return item === undefined ? undefined : fromItem(TenantSchema, item, "tenant");
}

/** Loads a tenant or throws 404 naming `what`. */
export async function loadTenant(
  context: OperationContext,
  id: string,
  what = `Tenant ${id}`,
): Promise<Tenant> {
  const tenant = await findTenant(context, id);
  if (tenant === undefined) throw new NotFoundError(what);
  return tenant;
}

/**
 * Replaces a tenant read earlier in the request, only if nobody changed it since (optimistic
 * locking on updatedAt), so two concurrent lifecycle transitions cannot both win.
 */
async function saveTenant(store: Store, table: string, next: Tenant, previous: Tenant | null): Promise<void> {
  const written = await store.put(
    table,
    { PK: tenantPartition, SK: next.id, ...next },
    previous === null
      ? { expression: "attribute_not_exists(SK)" }
      : { expression: "updatedAt = :previous", values: { ":previous": previous.updatedAt } },
  );
  if (!written) {
    throw new ConflictError(
      `Tenant ${next.id} was changed by another request at the same time. Read it again and retry.`,
    );
  }
}

/** POST /tenants: a new active tenant, optionally under an existing parent. */
export const createTenant: Operation = async (context) => {
  const body = requiredBody(context, CreateTenantBodySchema);
  const parentId = body.parentId ?? null;
  if (parentId !== null) await loadTenant(context, parentId, `Parent tenant ${parentId}`);
  const tenant: Tenant = {
    id: newId("tenant"),
    name: body.name,
    contactEmail: body.contactEmail,
    plan: body.plan,
    status: "active",
    parentId,
    tags: body.tags ?? {},
    createdAt: context.now,
    updatedAt: context.now,
    deletedAt: null,
  };
  await saveTenant(context.store, context.config.tables.tenants, tenant, null);
  return { status: 201, body: tenant };
};

/** GET /tenants: newest first; all but deleted unless `status` says otherwise. */
export const listTenants: Operation = async (context) => {
  const query = parseInput(ListTenantsQuerySchema, context.query, "query");
  const { limit, startKey } = pageRequest(query, tokenKeySchema(tenantPartition, idPatterns.tenant));
  const page = await context.store.queryPage({
    table: context.config.tables.tenants,
    keyCondition: "PK = :pk",
    filter: query.status === undefined ? "#status <> :deleted" : "#status = :status",
    names: { "#status": "status" },
    values:
      query.status === undefined
        ? { ":pk": tenantPartition, ":deleted": "deleted" }
        : { ":pk": tenantPartition, ":status": query.status },
    newestFirst: true,
    limit,
    startKey,
    keyAttributes: ["PK", "SK"],
  });
  return {
    status: 200,
    body: {
      items: page.items.map((item) => fromItem(TenantSchema, item, "tenant")),
      nextToken: page.nextToken,
    },
  };
};

/** GET /tenants/{id}: also a soft-deleted tenant. */
export const getTenant: Operation = async (context) => ({
  status: 200,
  body: await loadTenant(context, pathParam(context, "id")),
});

/** PUT /tenants/{id}: partial update; a deleted tenant is a 409. */
export const updateTenant: Operation = async (context) => {
  const body = requiredBody(context, UpdateTenantBodySchema);
  const tenant = await loadTenant(context, pathParam(context, "id"));
  if (tenant.status === "deleted") {
    throw new ConflictError(
      `Tenant ${tenant.id} is deleted and can no longer be updated. Create a new tenant instead.`,
    );
  }
  const next: Tenant = {
    ...tenant,
    ...(body.name === undefined ? {} : { name: body.name }),
    ...(body.contactEmail === undefined ? {} : { contactEmail: body.contactEmail }),
    ...(body.plan === undefined ? {} : { plan: body.plan }),
    ...(body.tags === undefined ? {} : { tags: body.tags }),
    updatedAt: context.now,
  };
  await saveTenant(context.store, context.config.tables.tenants, next, tenant);
  return { status: 200, body: next };
};

/** DELETE /tenants/{id}: soft delete (status deleted, deletedAt set). */
export const deleteTenant: Operation = async (context) => {
  const tenant = await loadTenant(context, pathParam(context, "id"));
  if (tenant.status === "deleted") throw new ConflictError(`Tenant ${tenant.id} is already deleted.`);
  const next: Tenant = { ...tenant, status: "deleted", deletedAt: context.now, updatedAt: context.now };
  await saveTenant(context.store, context.config.tables.tenants, next, tenant);
  return { status: 200, body: next };
};

/** park: active -> parked; unpark: parked -> active. Any other state is a 409 naming the state. */
function lifecycle(from: Tenant["status"], to: Tenant["status"], verb: string): Operation {
  return async (context) => {
    const tenant = await loadTenant(context, pathParam(context, "id"));
    if (tenant.status !== from) {
      throw new ConflictError(
        `Tenant ${tenant.id} is ${tenant.status}; only a ${from} tenant can be ${verb}. Check its status first.`,
      );
    }
    const next: Tenant = { ...tenant, status: to, updatedAt: context.now };
    await saveTenant(context.store, context.config.tables.tenants, next, tenant);
    return { status: 200, body: next };
  };
}

/** POST /tenants/{id}/park: active -> parked. */
export const parkTenant = lifecycle("active", "parked", "parked");
/** POST /tenants/{id}/unpark: parked -> active. */
export const unparkTenant = lifecycle("parked", "active", "unparked");

async function childIdsOf(context: OperationContext, id: string): Promise<string[]> {
  const children = await context.store.queryAll({
    table: context.config.tables.tenants,
    keyCondition: "PK = :pk",
    filter: "parentId = :id",
    values: { ":pk": tenantPartition, ":id": id },
  });
  return children.map((child) => String(child.SK));
}

/** PUT /tenants/{id}/hierarchy: sets or clears the parent, refusing cycles. */
export const manageHierarchy: Operation = async (context) => {
  const body = requiredBody(context, HierarchyBodySchema);
  const tenant = await loadTenant(context, pathParam(context, "id"));
  if (body.parentId !== null) {
    const parent = await loadTenant(context, body.parentId, `Parent tenant ${body.parentId}`);
    // Walk up from the new parent: meeting the tenant itself means it would become its own ancestor.
    const seen = new Set<string>();
    for (let ancestor: Tenant | undefined = parent; ancestor !== undefined; ) {
      if (ancestor.id === tenant.id) {
        throw new ConflictError(
          `Making ${body.parentId} the parent of ${tenant.id} would create a cycle (${tenant.id} would be its own ancestor). Choose a parent outside its subtree.`,
        );
      }
      if (ancestor.parentId === null || seen.has(ancestor.id)) break;
      seen.add(ancestor.id);
      // A dangling parentId ends the chain: nothing above it can be the tenant.
      ancestor = await findTenant(context, ancestor.parentId);
    }
  }
  if (tenant.parentId !== body.parentId) {
    await saveTenant(
      context.store,
      context.config.tables.tenants,
      { ...tenant, parentId: body.parentId, updatedAt: context.now },
      tenant,
    );
  }
  const hierarchy: Hierarchy = {
    tenantId: tenant.id,
    parentId: body.parentId,
    childIds: await childIdsOf(context, tenant.id),
  };
  return { status: 200, body: hierarchy };
};

import { z } from "zod";
import { ConflictError, NotFoundError } from "../../api-common/errors.ts";
import { parseInput } from "../../api-common/http.ts";
import { AssignUserBodySchema, PageQuerySchema, type TenantUser, TenantUserSchema } from "../schemas.ts";
import { fromItem, type Operation, pageRequest, pathParam, requiredBody } from "./context.ts";
import { loadTenant, tenantPartition } from "./tenants.ts";

/** User assignments live in the tenants table, one partition per tenant. */
const usersPartition = (tenantId: string) => `${tenantPartition}${tenantId}#USERS`;

/** POST /tenants/{id}/users: one assignment per user and tenant. */
export const assignUser: Operation = async (context) => {
  const body = requiredBody(context, AssignUserBodySchema);
  const tenant = await loadTenant(context, pathParam(context, "id"));
  const table = context.config.tables.tenants;
  const key = { PK: usersPartition(tenant.id), SK: body.userId };
  const conflict = () =>
    new ConflictError(
      `User ${body.userId} is already assigned to tenant ${tenant.id}. Remove the assignment first to change the role.`,
    );
  if ((await context.store.get(table, key)) !== undefined) throw conflict();
  const user: TenantUser = {
    tenantId: tenant.id,
    userId: body.userId,
    role: body.role,
    assignedAt: context.now,
  };
  if (!(await context.store.put(table, { ...key, ...user }, { expression: "attribute_not_exists(SK)" })))
    throw conflict();
  return { status: 201, body: user };
};

/** GET /tenants/{id}/users: the tenant's assignments by user id. */
export const listUsers: Operation = async (context) => {
  const query = parseInput(PageQuerySchema, context.query, "query");
  const tenant = await loadTenant(context, pathParam(context, "id"));
  const partition = usersPartition(tenant.id);
  const { limit, startKey } = pageRequest(
    query,
    z.strictObject({ PK: z.literal(partition), SK: z.string().min(1).max(128) }),
  );
  const page = await context.store.queryPage({
    table: context.config.tables.tenants,
    keyCondition: "PK = :pk",
    values: { ":pk": partition },
    newestFirst: false,
    limit,
    startKey,
    keyAttributes: ["PK", "SK"],
  });
  return {
    status: 200,
    body: {
      items: page.items.map((item) => fromItem(TenantUserSchema, item, "user assignment")),
      nextToken: page.nextToken,
    },
  };
};

/** DELETE /tenants/{id}/users/{userId} (204). */
export const removeUser: Operation = async (context) => {
  const tenant = await loadTenant(context, pathParam(context, "id"));
  const userId = pathParam(context, "userId");
  const table = context.config.tables.tenants;
  const key = { PK: usersPartition(tenant.id), SK: userId };
  const notAssigned = new NotFoundError(`User ${userId} assigned to tenant ${tenant.id}`);
  if ((await context.store.get(table, key)) === undefined) throw notAssigned;
  if (!(await context.store.delete(table, key, { expression: "attribute_exists(SK)" }))) throw notAssigned;
  return { status: 204 };
};

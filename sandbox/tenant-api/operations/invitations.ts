import { ConflictError, NotFoundError } from "../../api-common/errors.ts";
import { parseInput } from "../../api-common/http.ts";
import { idPatterns, isId, newId } from "../ids.ts";
import {
  CreateInvitationBodySchema,
  type Invitation,
  InvitationSchema,
  ListInvitationsQuerySchema,
} from "../schemas.ts";
import {
  addDays,
  fromItem,
  type Operation,
  type OperationContext,
  pageRequest,
  pathParam,
  requiredBody,
  tokenKeySchema,
} from "./context.ts";
import { loadTenant } from "./tenants.ts";

export const invitationPartition = "INVITATION#";
const invitationLifetimeDays = 7;

async function loadInvitation(context: OperationContext): Promise<Invitation> {
  const id = pathParam(context, "id");
  if (!isId("invitation", id)) throw new NotFoundError(`Invitation ${id}`);
  const item = await context.store.get(context.config.tables.invitations, {
    PK: invitationPartition,
    SK: id,
  });
  if (item === undefined) throw new NotFoundError(`Invitation ${id}`);
  return fromItem(InvitationSchema, item, "invitation");
}

async function saveInvitation(
  context: OperationContext,
  next: Invitation,
  previous: Invitation | null,
): Promise<void> {
  const written = await context.store.put(
    context.config.tables.invitations,
    { PK: invitationPartition, SK: next.id, ...next },
    previous === null
      ? { expression: "attribute_not_exists(SK)" }
      : {
          expression: "lastSentAt = :sent AND #status = :status",
          names: { "#status": "status" },
          values: { ":sent": previous.lastSentAt, ":status": previous.status },
        },
  );
  if (!written) {
    throw new ConflictError(
      `Invitation ${next.id} was changed by another request at the same time. Read it again and retry.`,
    );
  }
}

/** POST /invitations: pending, sent once, expires in 7 days. */
export const createInvitation: Operation = async (context) => {
  const body = requiredBody(context, CreateInvitationBodySchema);
  const tenant = await loadTenant(context, body.tenantId);
  if (tenant.status === "deleted") {
    throw new ConflictError(`Tenant ${tenant.id} is deleted; nobody can be invited to it.`);
  }
  const invitation: Invitation = {
    id: newId("invitation"),
    tenantId: tenant.id,
    email: body.email,
    role: body.role,
    status: "pending",
    sentCount: 1,
    lastSentAt: context.now,
    expiresAt: addDays(context.now, invitationLifetimeDays),
    tags: body.tags ?? {},
    createdAt: context.now,
  };
  await saveInvitation(context, invitation, null);
  return { status: 201, body: invitation };
};

/** GET /invitations: newest first, filtered by tenantId and status. */
export const listInvitations: Operation = async (context) => {
  const query = parseInput(ListInvitationsQuerySchema, context.query, "query");
  const { limit, startKey } = pageRequest(query, tokenKeySchema(invitationPartition, idPatterns.invitation));
  const filters: string[] = [];
  const values: Record<string, unknown> = { ":pk": invitationPartition };
  const names: Record<string, string> = {};
  if (query.tenantId !== undefined) {
    filters.push("tenantId = :tenantId");
    values[":tenantId"] = query.tenantId;
  }
  if (query.status !== undefined) {
    filters.push("#status = :status");
    names["#status"] = "status";
    values[":status"] = query.status;
  }
  const page = await context.store.queryPage({
    table: context.config.tables.invitations,
    keyCondition: "PK = :pk",
    ...(filters.length > 0 ? { filter: filters.join(" AND ") } : {}),
    ...(Object.keys(names).length > 0 ? { names } : {}),
    values,
    newestFirst: true,
    limit,
    startKey,
    keyAttributes: ["PK", "SK"],
  });
  return {
    status: 200,
    body: {
      items: page.items.map((item) => fromItem(InvitationSchema, item, "invitation")),
      nextToken: page.nextToken,
    },
  };
};

/** GET /invitations/{id}. */
export const getInvitation: Operation = async (context) => ({
  status: 200,
  body: await loadInvitation(context),
});

/** DELETE /invitations/{id}: pending -> cancelled. */
export const cancelInvitation: Operation = async (context) => {
  const invitation = await loadInvitation(context);
  if (invitation.status === "cancelled")
    throw new ConflictError(`Invitation ${invitation.id} is already cancelled.`);
  const next: Invitation = { ...invitation, status: "cancelled" };
  await saveInvitation(context, next, invitation);
  return { status: 200, body: next };
};

/** POST /invitations/{id}/resend: counts the send and stamps lastSentAt. */
export const resendInvitation: Operation = async (context) => {
  const invitation = await loadInvitation(context);
  if (invitation.status === "cancelled") {
    throw new ConflictError(
      `Invitation ${invitation.id} is cancelled and cannot be resent. Create a new invitation instead.`,
    );
  }
  const next: Invitation = { ...invitation, sentCount: invitation.sentCount + 1, lastSentAt: context.now };
  await saveInvitation(context, next, invitation);
  return { status: 200, body: next };
};

import { z } from "zod";

/**
 * Resource schemas of the Tenant & Instance Management API, written from docs/tenant-api-contract.md
 * (not from the sandbox's implementation) so that a deployment drifting from the page is caught.
 * Response objects are strict: a field the contract does not name is drift, not a bonus.
 */

/** ISO-8601 UTC timestamp such as 2026-11-22T05:46:31.123Z. */
export const TimestampSchema = z.iso.datetime().meta({ description: "ISO-8601 UTC timestamp" });

/** An opaque, time-sortable id with a resource prefix (`ten_`, `ins_`, `inv_`, `bak_`). */
function prefixedId(prefix: string, what: string) {
  return z
    .string()
    .regex(new RegExp(`^${prefix}_\\S+$`), `must be a ${what} id starting with "${prefix}_"`)
    .meta({ description: `${what} id (prefix ${prefix}_, sorts by creation time)` });
}

export const TenantIdSchema = prefixedId("ten", "tenant");
export const InstanceIdSchema = prefixedId("ins", "instance");
export const InvitationIdSchema = prefixedId("inv", "invitation");
export const BackupIdSchema = prefixedId("bak", "backup");
export const UserIdSchema = z.string().min(1).max(128);

export const TAG_RUN_ID = "harness-run-id";
const MAX_TAGS = 10;

/** Free-form labels; the harness marks what it creates with tags["harness-run-id"]. */
export const TagsSchema = z
  .record(z.string().min(1).max(64), z.string().max(256))
  .refine((tags) => Object.keys(tags).length <= MAX_TAGS, `must have at most ${MAX_TAGS} keys`)
  .meta({ maxProperties: MAX_TAGS });
export type Tags = z.infer<typeof TagsSchema>;

export const tenantPlans = ["starter", "business", "enterprise"] as const;
export const tenantStatuses = ["active", "parked", "deleted"] as const;
export const instanceSizes = ["small", "medium", "large"] as const;
export const instanceStatuses = ["running", "suspended"] as const;
export const roles = ["admin", "member", "viewer"] as const;
export const invitationStatuses = ["pending", "cancelled"] as const;

export const TenantPlanSchema = z.enum(tenantPlans);
export const TenantStatusSchema = z.enum(tenantStatuses);
export const InstanceSizeSchema = z.enum(instanceSizes);
export const InstanceStatusSchema = z.enum(instanceStatuses);
export const RoleSchema = z.enum(roles);
export const InvitationStatusSchema = z.enum(invitationStatuses);
export const TenantNameSchema = z.string().min(1).max(100);
/** The contract only says "string (e.g. 6.5.2)", so any non-empty string is accepted. */
export const WordpressVersionSchema = z.string().min(1);

export const TenantSchema = z.strictObject({
  id: TenantIdSchema,
  name: TenantNameSchema,
  contactEmail: z.email(),
  plan: TenantPlanSchema,
  status: TenantStatusSchema,
  parentId: TenantIdSchema.nullable(),
  tags: TagsSchema,
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  deletedAt: TimestampSchema.nullable(),
});
export type Tenant = z.infer<typeof TenantSchema>;

export const InstanceSchema = z.strictObject({
  id: InstanceIdSchema,
  tenantId: TenantIdSchema,
  name: TenantNameSchema,
  size: InstanceSizeSchema,
  status: InstanceStatusSchema,
  wordpressVersion: WordpressVersionSchema,
  lastBackupId: BackupIdSchema.nullable(),
  lastRestoredBackupId: BackupIdSchema.nullable(),
  tags: TagsSchema,
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type Instance = z.infer<typeof InstanceSchema>;

export const BackupSchema = z.strictObject({
  id: BackupIdSchema,
  instanceId: InstanceIdSchema,
  label: z.string().nullable(),
  createdAt: TimestampSchema,
  snapshot: z.strictObject({
    name: TenantNameSchema,
    size: InstanceSizeSchema,
    wordpressVersion: WordpressVersionSchema,
  }),
});
export type Backup = z.infer<typeof BackupSchema>;

export const InvitationSchema = z.strictObject({
  id: InvitationIdSchema,
  tenantId: TenantIdSchema,
  email: z.email(),
  role: RoleSchema,
  status: InvitationStatusSchema,
  sentCount: z.int().min(1),
  lastSentAt: TimestampSchema,
  expiresAt: TimestampSchema,
  tags: TagsSchema,
  createdAt: TimestampSchema,
});
export type Invitation = z.infer<typeof InvitationSchema>;

export const TenantUserSchema = z.strictObject({
  tenantId: TenantIdSchema,
  userId: UserIdSchema,
  role: RoleSchema,
  assignedAt: TimestampSchema,
});
export type TenantUser = z.infer<typeof TenantUserSchema>;

export const HierarchySchema = z.strictObject({
  tenantId: TenantIdSchema,
  parentId: TenantIdSchema.nullable(),
  childIds: z.array(TenantIdSchema),
});
export type Hierarchy = z.infer<typeof HierarchySchema>;

export const HealthSchema = z.strictObject({
  status: z.literal("healthy"),
  version: z.string().min(1),
  service: z.literal("tenant-instance-management"),
  environment: z.string().min(1),
  timestamp: TimestampSchema,
});
export type Health = z.infer<typeof HealthSchema>;

export const errorCodes = [
  "ValidationError",
  "Unauthorized",
  "NotFound",
  "Conflict",
  "InternalError",
] as const;
export const ErrorCodeSchema = z.enum(errorCodes);

/** Status each error code is sent with. */
export const errorStatusByCode = {
  ValidationError: 400,
  Unauthorized: 401,
  NotFound: 404,
  Conflict: 409,
  InternalError: 500,
} as const satisfies Record<z.infer<typeof ErrorCodeSchema>, number>;

export const ErrorBodySchema = z.strictObject({
  error: z.strictObject({ code: ErrorCodeSchema, message: z.string().min(1) }),
  requestId: z.string().min(1),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** A page of a list: `{items, nextToken}`; nextToken is null on the last page. */
function pageOf<T extends z.ZodType>(item: T) {
  return z.strictObject({ items: z.array(item), nextToken: z.string().min(1).nullable() });
}

export const TenantPageSchema = pageOf(TenantSchema);
export const InstancePageSchema = pageOf(InstanceSchema);
export const InvitationPageSchema = pageOf(InvitationSchema);
export const TenantUserPageSchema = pageOf(TenantUserSchema);
export type TenantPage = z.infer<typeof TenantPageSchema>;
export type InstancePage = z.infer<typeof InstancePageSchema>;
export type InvitationPage = z.infer<typeof InvitationPageSchema>;
export type TenantUserPage = z.infer<typeof TenantUserPageSchema>;

import { z } from "zod";

/**
 * Resource and request shapes of docs/tenant-api-contract.md. Stored items are parsed with the
 * resource schemas on the way out, request bodies with the strict input schemas on the way in.
 */

/** A missing field and a field of the wrong type deserve different messages. */
const requiredOr = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? "is required" : message;
const stringError = requiredOr("must be a string");

const oneTo = (max: number) =>
  z
    .string({ error: stringError })
    .min(1, `must be 1-${max} characters`)
    .max(max, `must be 1-${max} characters`);

export const TagsSchema = z
  .record(
    z.string().min(1, "tag keys must be 1-64 characters").max(64, "tag keys must be 1-64 characters"),
    z.string({ error: "tag values must be strings" }).max(256, "tag values must be at most 256 characters"),
    {
      error: (issue) =>
        issue.code === "invalid_key"
          ? "tag keys must be 1-64 characters"
          : "must be an object of string values",
    },
  )
  .refine((tags) => Object.keys(tags).length <= 10, "must have at most 10 keys");
export type Tags = z.infer<typeof TagsSchema>;

export const PlanSchema = z.enum(["starter", "business", "enterprise"], {
  error: requiredOr("must be one of starter, business, enterprise"),
});
export const TenantStatusSchema = z.enum(["active", "parked", "deleted"], {
  error: requiredOr("must be one of active, parked, deleted"),
});
export const SizeSchema = z.enum(["small", "medium", "large"], {
  error: requiredOr("must be one of small, medium, large"),
});
export const InstanceStatusSchema = z.enum(["running", "suspended"]);
export const RoleSchema = z.enum(["admin", "member", "viewer"], {
  error: requiredOr("must be one of admin, member, viewer"),
});
export const InvitationStatusSchema = z.enum(["pending", "cancelled"], {
  error: requiredOr("must be one of pending, cancelled"),
});
const EmailSchema = z
  .email({ error: requiredOr("must be an email address") })
  .max(254, "must be at most 254 characters");
const WordpressVersionSchema = z
  .string({ error: stringError })
  .regex(/^\d+(\.\d+){1,2}(-[0-9A-Za-z.]+)?$/, "must be a WordPress version such as 6.5.2");
const IsoTimeSchema = z.iso.datetime();
const IdStringSchema = z.string({ error: stringError }).min(1, "must not be empty").max(64, "is too long");

export const TenantSchema = z.object({
  id: z.string(),
  name: z.string(),
  contactEmail: z.string(),
  plan: PlanSchema,
  status: TenantStatusSchema,
  parentId: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  createdAt: IsoTimeSchema,
  updatedAt: IsoTimeSchema,
  deletedAt: IsoTimeSchema.nullable(),
});
export type Tenant = z.infer<typeof TenantSchema>;

export const InstanceSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  size: SizeSchema,
  status: InstanceStatusSchema,
  wordpressVersion: z.string(),
  lastBackupId: z.string().nullable(),
  lastRestoredBackupId: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  createdAt: IsoTimeSchema,
  updatedAt: IsoTimeSchema,
});
export type Instance = z.infer<typeof InstanceSchema>;

export const BackupSchema = z.object({
  id: z.string(),
  instanceId: z.string(),
  label: z.string().nullable(),
  createdAt: IsoTimeSchema,
  snapshot: z.object({ name: z.string(), size: SizeSchema, wordpressVersion: z.string() }),
});
export type Backup = z.infer<typeof BackupSchema>;

export const InvitationSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  email: z.string(),
  role: RoleSchema,
  status: InvitationStatusSchema,
  sentCount: z.number().int().min(1),
  lastSentAt: IsoTimeSchema,
  expiresAt: IsoTimeSchema,
  tags: z.record(z.string(), z.string()),
  createdAt: IsoTimeSchema,
});
export type Invitation = z.infer<typeof InvitationSchema>;

export const TenantUserSchema = z.object({
  tenantId: z.string(),
  userId: z.string(),
  role: RoleSchema,
  assignedAt: IsoTimeSchema,
});
export type TenantUser = z.infer<typeof TenantUserSchema>;

export interface Hierarchy {
  tenantId: string;
  parentId: string | null;
  childIds: string[];
}

export interface Health {
  status: "healthy";
  version: string;
  service: "tenant-instance-management";
  environment: string;
  timestamp: string;
}

// Request bodies: strict, so a misspelt field is a 400 naming it rather than silently ignored.

export const CreateTenantBodySchema = z.strictObject({
  name: oneTo(100),
  contactEmail: EmailSchema,
  plan: PlanSchema.default("starter"),
  parentId: IdStringSchema.nullable().optional(),
  tags: TagsSchema.optional(),
});

const atLeastOne = (fields: readonly string[]) => (body: Record<string, unknown>) =>
  fields.some((field) => body[field] !== undefined);

export const UpdateTenantBodySchema = z
  .strictObject({
    name: oneTo(100).optional(),
    contactEmail: EmailSchema.optional(),
    plan: PlanSchema.optional(),
    tags: TagsSchema.optional(),
  })
  .refine(
    atLeastOne(["name", "contactEmail", "plan", "tags"]),
    "must set at least one of name, contactEmail, plan, tags",
  );

export const CreateInstanceBodySchema = z.strictObject({
  name: oneTo(100),
  size: SizeSchema,
  wordpressVersion: WordpressVersionSchema.default("6.5.2"),
  tags: TagsSchema.optional(),
});

export const UpdateInstanceBodySchema = z
  .strictObject({
    name: oneTo(100).optional(),
    wordpressVersion: WordpressVersionSchema.optional(),
    tags: TagsSchema.optional(),
  })
  .refine(
    atLeastOne(["name", "wordpressVersion", "tags"]),
    "must set at least one of name, wordpressVersion, tags",
  );

export const ScaleInstanceBodySchema = z.strictObject({ size: SizeSchema });

export const BackupBodySchema = z.strictObject({
  label: z
    .string({ error: "must be a string or null" })
    .max(256, "must be at most 256 characters")
    .nullable()
    .optional(),
});

export const RestoreBodySchema = z.strictObject({ backupId: IdStringSchema });

export const CreateInvitationBodySchema = z.strictObject({
  tenantId: IdStringSchema,
  email: EmailSchema,
  role: RoleSchema,
  tags: TagsSchema.optional(),
});

export const AssignUserBodySchema = z.strictObject({
  // The contract allows any 1-128 characters; the router decodes %2F within a path segment.
  userId: oneTo(128),
  role: RoleSchema,
});

export const HierarchyBodySchema = z.strictObject({
  parentId: z.union([IdStringSchema, z.null()], { error: "must be a tenant id or null" }),
});

// Query strings: unknown parameters are rejected for the same reason as unknown body fields.

const limitAndToken = {
  limit: z.string().optional(),
  nextToken: z.string().min(1, "must not be empty").optional(),
};

export const ListTenantsQuerySchema = z.strictObject({
  ...limitAndToken,
  status: TenantStatusSchema.optional(),
});
export const PageQuerySchema = z.strictObject(limitAndToken);
export const ListInvitationsQuerySchema = z.strictObject({
  ...limitAndToken,
  tenantId: IdStringSchema.optional(),
  status: InvitationStatusSchema.optional(),
});

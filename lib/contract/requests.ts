import { z } from "zod";
import {
  BackupIdSchema,
  InstanceSizeSchema,
  InvitationStatusSchema,
  RoleSchema,
  TagsSchema,
  TenantIdSchema,
  TenantNameSchema,
  TenantPlanSchema,
  TenantStatusSchema,
  UserIdSchema,
  WordpressVersionSchema,
} from "./resources.ts";

/**
 * Request bodies and query strings per operation. Defaults the server applies (plan "starter",
 * wordpressVersion "6.5.2") are documented, not applied here: these schemas describe what a client
 * may send, and the harness must see the server fill them in.
 */

/** An update needs at least one field; JSON Schema says so with minProperties. */
function atLeastOneField<T extends z.ZodObject>(schema: T) {
  return schema
    .refine((value) => Object.keys(value).length > 0, "must contain at least one field")
    .meta({ minProperties: 1 });
}

const LimitSchema = z.int().min(1).max(100).meta({ description: "page size, 1-100, default 20" });
const NextTokenSchema = z.string().min(1).meta({ description: "opaque token from the previous page" });

export const PageQuerySchema = z.strictObject({
  limit: LimitSchema.optional(),
  nextToken: NextTokenSchema.optional(),
});

export const ListTenantsQuerySchema = z.strictObject({
  limit: LimitSchema.optional(),
  nextToken: NextTokenSchema.optional(),
  status: TenantStatusSchema.optional().meta({ description: "default: all but deleted" }),
});

export const ListInvitationsQuerySchema = z.strictObject({
  tenantId: TenantIdSchema.optional(),
  status: InvitationStatusSchema.optional(),
  limit: LimitSchema.optional(),
  nextToken: NextTokenSchema.optional(),
});

export const CreateTenantRequestSchema = z.strictObject({
  name: TenantNameSchema,
  contactEmail: z.email(),
  plan: TenantPlanSchema.optional().meta({ description: 'default "starter"' }),
  parentId: TenantIdSchema.optional(),
  tags: TagsSchema.optional(),
});
export type CreateTenantRequest = z.infer<typeof CreateTenantRequestSchema>;

export const UpdateTenantRequestSchema = atLeastOneField(
  z.strictObject({
    name: TenantNameSchema.optional(),
    contactEmail: z.email().optional(),
    plan: TenantPlanSchema.optional(),
    tags: TagsSchema.optional(),
  }),
);
export type UpdateTenantRequest = z.infer<typeof UpdateTenantRequestSchema>;

export const CreateInstanceRequestSchema = z.strictObject({
  name: TenantNameSchema,
  size: InstanceSizeSchema,
  wordpressVersion: WordpressVersionSchema.optional().meta({ description: 'default "6.5.2"' }),
  tags: TagsSchema.optional(),
});
export type CreateInstanceRequest = z.infer<typeof CreateInstanceRequestSchema>;

export const UpdateInstanceRequestSchema = atLeastOneField(
  z.strictObject({
    name: TenantNameSchema.optional(),
    wordpressVersion: WordpressVersionSchema.optional(),
    tags: TagsSchema.optional(),
  }),
);
export type UpdateInstanceRequest = z.infer<typeof UpdateInstanceRequestSchema>;

export const ScaleInstanceRequestSchema = z.strictObject({ size: InstanceSizeSchema });
export type ScaleInstanceRequest = z.infer<typeof ScaleInstanceRequestSchema>;

export const BackupInstanceRequestSchema = z.strictObject({ label: z.string().optional() });
export type BackupInstanceRequest = z.infer<typeof BackupInstanceRequestSchema>;

export const RestoreInstanceRequestSchema = z.strictObject({ backupId: BackupIdSchema });
export type RestoreInstanceRequest = z.infer<typeof RestoreInstanceRequestSchema>;

export const CreateInvitationRequestSchema = z.strictObject({
  tenantId: TenantIdSchema,
  email: z.email(),
  role: RoleSchema,
  tags: TagsSchema.optional(),
});
export type CreateInvitationRequest = z.infer<typeof CreateInvitationRequestSchema>;

export const AssignUserRequestSchema = z.strictObject({ userId: UserIdSchema, role: RoleSchema });
export type AssignUserRequest = z.infer<typeof AssignUserRequestSchema>;

export const SetHierarchyRequestSchema = z.strictObject({ parentId: TenantIdSchema.nullable() });
export type SetHierarchyRequest = z.infer<typeof SetHierarchyRequestSchema>;

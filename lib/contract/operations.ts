import type { z } from "zod";
import {
  AssignUserRequestSchema,
  BackupInstanceRequestSchema,
  CreateInstanceRequestSchema,
  CreateInvitationRequestSchema,
  CreateTenantRequestSchema,
  ListInvitationsQuerySchema,
  ListTenantsQuerySchema,
  PageQuerySchema,
  RestoreInstanceRequestSchema,
  ScaleInstanceRequestSchema,
  SetHierarchyRequestSchema,
  UpdateInstanceRequestSchema,
  UpdateTenantRequestSchema,
} from "./requests.ts";
import {
  BackupSchema,
  HealthSchema,
  HierarchySchema,
  InstanceIdSchema,
  InstancePageSchema,
  InstanceSchema,
  InvitationIdSchema,
  InvitationPageSchema,
  InvitationSchema,
  TenantIdSchema,
  TenantPageSchema,
  TenantSchema,
  TenantUserPageSchema,
  TenantUserSchema,
  UserIdSchema,
} from "./resources.ts";

export const httpMethods = ["GET", "POST", "PUT", "DELETE"] as const;
export type HttpMethod = (typeof httpMethods)[number];

/** Resource groups, one smoke spec file each. */
export const resourceGroups = [
  "health",
  "tenants",
  "instances",
  "invitations",
  "users",
  "hierarchy",
] as const;
export type ResourceGroup = (typeof resourceGroups)[number];

export type SuccessStatus = 200 | 201 | 204;
export type ErrorStatus = 400 | 401 | 404 | 409 | 500;

/** One row of the contract's operation table. */
export interface OperationSpec<
  Params extends Record<string, z.ZodType> = Record<string, z.ZodType>,
  Query extends z.ZodObject | undefined = z.ZodObject | undefined,
  Body extends z.ZodType | undefined = z.ZodType | undefined,
  Response extends z.ZodType | null = z.ZodType | null,
> {
  method: HttpMethod;
  /** Path template as in the contract, e.g. `/tenants/{id}/park`. */
  path: string;
  summary: string;
  group: ResourceGroup;
  params: Params;
  query: Query;
  body: Body;
  /** Whether the body may be left out entirely (POST /instances/{id}/backup). */
  bodyRequired: boolean;
  success: { status: SuccessStatus; schema: Response; description: string };
  /** Statuses the contract lists besides 401 (which every authenticated route adds). */
  errors: readonly ErrorStatus[];
  /** Whether the call changes state; read-only environments must never send it. */
  mutating: boolean;
  auth: "none" | "bearer";
}

function op<
  const Params extends Record<string, z.ZodType>,
  Query extends z.ZodObject | undefined,
  Body extends z.ZodType | undefined,
  Response extends z.ZodType | null,
>(spec: OperationSpec<Params, Query, Body, Response>): OperationSpec<Params, Query, Body, Response> {
  return spec;
}

const tenantParam = { id: TenantIdSchema };
const instanceParam = { id: InstanceIdSchema };
const invitationParam = { id: InvitationIdSchema };

/** The 27 operations: the runbook's function table (section 1.2) plus GET /health, in contract order. */
export const operations = {
  health: op({
    method: "GET",
    path: "/health",
    summary: "Health check",
    group: "health",
    params: {},
    query: undefined,
    body: undefined,
    bodyRequired: false,
    success: { status: 200, schema: HealthSchema, description: "The service is healthy" },
    errors: [500],
    mutating: false,
    auth: "none",
  }),
  "create-tenant": op({
    method: "POST",
    path: "/tenants",
    summary: "Create a tenant",
    group: "tenants",
    params: {},
    query: undefined,
    body: CreateTenantRequestSchema,
    bodyRequired: true,
    success: { status: 201, schema: TenantSchema, description: "The new tenant, status active" },
    errors: [400, 404],
    mutating: true,
    auth: "bearer",
  }),
  "list-tenants": op({
    method: "GET",
    path: "/tenants",
    summary: "List tenants, newest first",
    group: "tenants",
    params: {},
    query: ListTenantsQuerySchema,
    body: undefined,
    bodyRequired: false,
    success: { status: 200, schema: TenantPageSchema, description: "A page of tenants" },
    errors: [400],
    mutating: false,
    auth: "bearer",
  }),
  "get-tenant": op({
    method: "GET",
    path: "/tenants/{id}",
    summary: "Get a tenant (a soft-deleted one too)",
    group: "tenants",
    params: tenantParam,
    query: undefined,
    body: undefined,
    bodyRequired: false,
    success: { status: 200, schema: TenantSchema, description: "The tenant" },
    errors: [404],
    mutating: false,
    auth: "bearer",
  }),
  "update-tenant": op({
    method: "PUT",
    path: "/tenants/{id}",
    summary: "Update a tenant",
    group: "tenants",
    params: tenantParam,
    query: undefined,
    body: UpdateTenantRequestSchema,
    bodyRequired: true,
    success: { status: 200, schema: TenantSchema, description: "The updated tenant" },
    errors: [400, 404, 409],
    mutating: true,
    auth: "bearer",
  }),
  "delete-tenant": op({
    method: "DELETE",
    path: "/tenants/{id}",
    summary: "Soft delete a tenant",
    group: "tenants",
    params: tenantParam,
    query: undefined,
    body: undefined,
    bodyRequired: false,
    success: { status: 200, schema: TenantSchema, description: "The tenant, status deleted, deletedAt set" },
    errors: [404, 409],
    mutating: true,
    auth: "bearer",
  }),
  "tenant-park": op({
    method: "POST",
    path: "/tenants/{id}/park",
    summary: "Park a tenant (suspend resources)",
    group: "tenants",
    params: tenantParam,
    query: undefined,
    body: undefined,
    bodyRequired: false,
    success: { status: 200, schema: TenantSchema, description: "The tenant, status parked" },
    errors: [404, 409],
    mutating: true,
    auth: "bearer",
  }),
  "tenant-unpark": op({
    method: "POST",
    path: "/tenants/{id}/unpark",
    summary: "Unpark a tenant (resume resources)",
    group: "tenants",
    params: tenantParam,
    query: undefined,
    body: undefined,
    bodyRequired: false,
    success: { status: 200, schema: TenantSchema, description: "The tenant, status active" },
    errors: [404, 409],
    mutating: true,
    auth: "bearer",
  }),
  "create-instance": op({
    method: "POST",
    path: "/tenants/{id}/instances",
    summary: "Create a WordPress instance under a tenant",
    group: "instances",
    params: tenantParam,
    query: undefined,
    body: CreateInstanceRequestSchema,
    bodyRequired: true,
    success: { status: 201, schema: InstanceSchema, description: "The new instance, status running" },
    errors: [400, 404, 409],
    mutating: true,
    auth: "bearer",
  }),
  "get-instance": op({
    method: "GET",
    path: "/instances/{id}",
    summary: "Get an instance",
    group: "instances",
    params: instanceParam,
    query: undefined,
    body: undefined,
    bodyRequired: false,
    success: { status: 200, schema: InstanceSchema, description: "The instance" },
    errors: [404],
    mutating: false,
    auth: "bearer",
  }),
  "list-instances": op({
    method: "GET",
    path: "/tenants/{id}/instances",
    summary: "List a tenant's instances, newest first",
    group: "instances",
    params: tenantParam,
    query: PageQuerySchema,
    body: undefined,
    bodyRequired: false,
    success: { status: 200, schema: InstancePageSchema, description: "A page of instances" },
    errors: [400, 404],
    mutating: false,
    auth: "bearer",
  }),
  "update-instance": op({
    method: "PUT",
    path: "/instances/{id}",
    summary: "Update an instance",
    group: "instances",
    params: instanceParam,
    query: undefined,
    body: UpdateInstanceRequestSchema,
    bodyRequired: true,
    success: { status: 200, schema: InstanceSchema, description: "The updated instance" },
    errors: [400, 404],
    mutating: true,
    auth: "bearer",
  }),
  "delete-instance": op({
    method: "DELETE",
    path: "/instances/{id}",
    summary: "Delete an instance",
    group: "instances",
    params: instanceParam,
    query: undefined,
    body: undefined,
    bodyRequired: false,
    success: { status: 204, schema: null, description: "Deleted, no body" },
    errors: [404],
    mutating: true,
    auth: "bearer",
  }),
  "scale-instance": op({
    method: "PUT",
    path: "/instances/{id}/size",
    summary: "Scale an instance",
    group: "instances",
    params: instanceParam,
    query: undefined,
    body: ScaleInstanceRequestSchema,
    bodyRequired: true,
    success: { status: 200, schema: InstanceSchema, description: "The instance with its new size" },
    errors: [400, 404, 409],
    mutating: true,
    auth: "bearer",
  }),
  "instance-suspend": op({
    method: "POST",
    path: "/instances/{id}/suspend",
    summary: "Suspend an instance",
    group: "instances",
    params: instanceParam,
    query: undefined,
    body: undefined,
    bodyRequired: false,
    success: { status: 200, schema: InstanceSchema, description: "The instance, status suspended" },
    errors: [404, 409],
    mutating: true,
    auth: "bearer",
  }),
  "instance-resume": op({
    method: "POST",
    path: "/instances/{id}/resume",
    summary: "Resume an instance",
    group: "instances",
    params: instanceParam,
    query: undefined,
    body: undefined,
    bodyRequired: false,
    success: { status: 200, schema: InstanceSchema, description: "The instance, status running" },
    errors: [404, 409],
    mutating: true,
    auth: "bearer",
  }),
  "instance-backup": op({
    method: "POST",
    path: "/instances/{id}/backup",
    summary: "Back up an instance",
    group: "instances",
    params: instanceParam,
    query: undefined,
    body: BackupInstanceRequestSchema,
    bodyRequired: false,
    success: {
      status: 201,
      schema: BackupSchema,
      description: "The backup; the instance's lastBackupId is its id",
    },
    errors: [404],
    mutating: true,
    auth: "bearer",
  }),
  "instance-restore": op({
    method: "POST",
    path: "/instances/{id}/restore",
    summary: "Restore an instance from one of its backups",
    group: "instances",
    params: instanceParam,
    query: undefined,
    body: RestoreInstanceRequestSchema,
    bodyRequired: true,
    success: {
      status: 200,
      schema: InstanceSchema,
      description: "The instance with the snapshot's name, size and version; lastRestoredBackupId set",
    },
    errors: [400, 404, 409],
    mutating: true,
    auth: "bearer",
  }),
  "invitation-create": op({
    method: "POST",
    path: "/invitations",
    summary: "Invite a user to a tenant",
    group: "invitations",
    params: {},
    query: undefined,
    body: CreateInvitationRequestSchema,
    bodyRequired: true,
    success: { status: 201, schema: InvitationSchema, description: "The invitation, pending, sentCount 1" },
    errors: [400, 404, 409],
    mutating: true,
    auth: "bearer",
  }),
  "invitation-list": op({
    method: "GET",
    path: "/invitations",
    summary: "List invitations, newest first",
    group: "invitations",
    params: {},
    query: ListInvitationsQuerySchema,
    body: undefined,
    bodyRequired: false,
    success: { status: 200, schema: InvitationPageSchema, description: "A page of invitations" },
    errors: [400],
    mutating: false,
    auth: "bearer",
  }),
  "invitation-get": op({
    method: "GET",
    path: "/invitations/{id}",
    summary: "Get an invitation",
    group: "invitations",
    params: invitationParam,
    query: undefined,
    body: undefined,
    bodyRequired: false,
    success: { status: 200, schema: InvitationSchema, description: "The invitation" },
    errors: [404],
    mutating: false,
    auth: "bearer",
  }),
  "invitation-cancel": op({
    method: "DELETE",
    path: "/invitations/{id}",
    summary: "Cancel an invitation",
    group: "invitations",
    params: invitationParam,
    query: undefined,
    body: undefined,
    bodyRequired: false,
    success: { status: 200, schema: InvitationSchema, description: "The invitation, status cancelled" },
    errors: [404, 409],
    mutating: true,
    auth: "bearer",
  }),
  "invitation-resend": op({
    method: "POST",
    path: "/invitations/{id}/resend",
    summary: "Resend an invitation email",
    group: "invitations",
    params: invitationParam,
    query: undefined,
    body: undefined,
    bodyRequired: false,
    success: {
      status: 200,
      schema: InvitationSchema,
      description: "The invitation, sentCount + 1, lastSentAt updated",
    },
    errors: [404, 409],
    mutating: true,
    auth: "bearer",
  }),
  "user-assign": op({
    method: "POST",
    path: "/tenants/{id}/users",
    summary: "Assign a user to a tenant",
    group: "users",
    params: tenantParam,
    query: undefined,
    body: AssignUserRequestSchema,
    bodyRequired: true,
    success: { status: 201, schema: TenantUserSchema, description: "The assignment" },
    errors: [400, 404, 409],
    mutating: true,
    auth: "bearer",
  }),
  "user-list": op({
    method: "GET",
    path: "/tenants/{id}/users",
    summary: "List a tenant's users",
    group: "users",
    params: tenantParam,
    query: PageQuerySchema,
    body: undefined,
    bodyRequired: false,
    success: { status: 200, schema: TenantUserPageSchema, description: "A page of assignments" },
    errors: [400, 404],
    mutating: false,
    auth: "bearer",
  }),
  "user-remove": op({
    method: "DELETE",
    path: "/tenants/{id}/users/{userId}",
    summary: "Remove a user from a tenant",
    group: "users",
    params: { id: TenantIdSchema, userId: UserIdSchema },
    query: undefined,
    body: undefined,
    bodyRequired: false,
    success: { status: 204, schema: null, description: "Removed, no body" },
    errors: [404],
    mutating: true,
    auth: "bearer",
  }),
  "hierarchy-manage": op({
    method: "PUT",
    path: "/tenants/{id}/hierarchy",
    summary: "Set a tenant's parent; returns its place in the hierarchy",
    group: "hierarchy",
    params: tenantParam,
    query: undefined,
    body: SetHierarchyRequestSchema,
    bodyRequired: true,
    success: {
      status: 200,
      schema: HierarchySchema,
      description: "The tenant's hierarchy (childIds = tenants whose parentId is this tenant)",
    },
    errors: [400, 404, 409],
    mutating: true,
    auth: "bearer",
  }),
} as const;

export type Operations = typeof operations;
export type OperationId = keyof Operations;
export type AnyOperation = OperationSpec;

/** The success body type of an operation (undefined for 204 responses). */
export type OperationResponse<Id extends OperationId> = Operations[Id]["success"]["schema"] extends z.ZodType
  ? z.infer<Operations[Id]["success"]["schema"]>
  : undefined;

/** The request body type of an operation (undefined when it takes none). */
export type OperationBody<Id extends OperationId> = Operations[Id]["body"] extends z.ZodType
  ? z.input<Operations[Id]["body"]>
  : undefined;

/** The path parameter names of an operation. */
export type OperationParams<Id extends OperationId> = { [K in keyof Operations[Id]["params"]]: string };

/** Whether a string names one of the 27 operations. */
export function isOperationId(value: string): value is OperationId {
  return Object.hasOwn(operations, value);
}

/** Operation ids in contract order. */
export const operationIds: readonly OperationId[] = Object.keys(operations).filter(isOperationId);

/**
 * The 27 operations of docs/tenant-api-contract.md as data, so the router, the package builder
 * (which validates fault routes) and the tests share one list.
 */
export const tenantRoutes = [
  { operation: "health", key: "GET /health" },
  { operation: "create-tenant", key: "POST /tenants" },
  { operation: "list-tenants", key: "GET /tenants" },
  { operation: "get-tenant", key: "GET /tenants/{id}" },
  { operation: "update-tenant", key: "PUT /tenants/{id}" },
  { operation: "delete-tenant", key: "DELETE /tenants/{id}" },
  { operation: "tenant-park", key: "POST /tenants/{id}/park" },
  { operation: "tenant-unpark", key: "POST /tenants/{id}/unpark" },
  { operation: "create-instance", key: "POST /tenants/{id}/instances" },
  { operation: "get-instance", key: "GET /instances/{id}" },
  { operation: "list-instances", key: "GET /tenants/{id}/instances" },
  { operation: "update-instance", key: "PUT /instances/{id}" },
  { operation: "delete-instance", key: "DELETE /instances/{id}" },
  { operation: "scale-instance", key: "PUT /instances/{id}/size" },
  { operation: "instance-suspend", key: "POST /instances/{id}/suspend" },
  { operation: "instance-resume", key: "POST /instances/{id}/resume" },
  { operation: "instance-backup", key: "POST /instances/{id}/backup" },
  { operation: "instance-restore", key: "POST /instances/{id}/restore" },
  { operation: "invitation-create", key: "POST /invitations" },
  { operation: "invitation-list", key: "GET /invitations" },
  { operation: "invitation-get", key: "GET /invitations/{id}" },
  { operation: "invitation-cancel", key: "DELETE /invitations/{id}" },
  { operation: "invitation-resend", key: "POST /invitations/{id}/resend" },
  { operation: "user-assign", key: "POST /tenants/{id}/users" },
  { operation: "user-list", key: "GET /tenants/{id}/users" },
  { operation: "user-remove", key: "DELETE /tenants/{id}/users/{userId}" },
  { operation: "hierarchy-manage", key: "PUT /tenants/{id}/hierarchy" },
] as const;

export type TenantOperation = (typeof tenantRoutes)[number]["operation"];

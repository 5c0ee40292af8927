import type { AccessFunctionKind } from "../manifest.ts";

/** Routes of each Access Management function: the shared health check plus one real route each. */
export const accessRoutes = {
  authorizer: [
    { operation: "health", key: "GET /health" },
    { operation: "authorize", key: "POST /authorize" },
  ],
  roles: [
    { operation: "health", key: "GET /health" },
    { operation: "list-roles", key: "GET /roles" },
  ],
  audit: [
    { operation: "health", key: "GET /health" },
    { operation: "list-audit-events", key: "GET /audit/events" },
  ],
} as const satisfies Record<AccessFunctionKind, readonly { operation: string; key: string }[]>;

export type AccessOperation = (typeof accessRoutes)[AccessFunctionKind][number]["operation"];

/** The function's own route: the default target of route-scoped faults. */
export const primaryAccessRoute = {
  authorizer: "POST /authorize",
  roles: "GET /roles",
  audit: "GET /audit/events",
} as const satisfies Record<AccessFunctionKind, string>;

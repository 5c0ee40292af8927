/**
 * The Tenant & Instance Management API as a Lambda handler (API Gateway REST proxy events), the
 * reference implementation of docs/tenant-api-contract.md. Bundled by sandbox/packaging into
 * index.mjs next to manifest.json; configured by the function's environment (see config.ts).
 */
import { bearerTokenOf, verifyCognitoToken } from "../api-common/auth.ts";
import {
  flakyFails,
  InjectedCrashError,
  InjectedFaultError,
  InjectedFlakyError,
  NotFoundError,
  RequestValidationError,
  toApiError,
} from "../api-common/errors.ts";
import { bakedFault, driftBody, hasFault, injectedDelayMs } from "../api-common/faults.ts";
import {
  emptyResponse,
  errorResponse,
  headerOf,
  jsonBodyOf,
  jsonResponse,
  type ProxyEvent,
  ProxyEventSchema,
  type ProxyResult,
  queryOf,
  requestIdOf,
} from "../api-common/http.ts";
import { createLogger } from "../api-common/logger.ts";
import { loadManifest, type Manifest } from "../api-common/package-manifest.ts";
import { createRouter } from "../api-common/router.ts";
import type { ServiceName } from "../manifest.ts";
import { loadConfig, type TenantApiConfig } from "./config.ts";
import type { Operation } from "./operations/context.ts";
import {
  backupInstance,
  createInstance,
  deleteInstance,
  getInstance,
  listInstances,
  restoreInstance,
  resumeInstance,
  scaleInstance,
  suspendInstance,
  updateInstance,
} from "./operations/instances.ts";
import {
  cancelInvitation,
  createInvitation,
  getInvitation,
  listInvitations,
  resendInvitation,
} from "./operations/invitations.ts";
import {
  createTenant,
  deleteTenant,
  getTenant,
  listTenants,
  manageHierarchy,
  parkTenant,
  unparkTenant,
  updateTenant,
} from "./operations/tenants.ts";
import { assignUser, listUsers, removeUser } from "./operations/users.ts";
import { type TenantOperation, tenantRoutes } from "./routes.ts";
import { Store } from "./store.ts";

const service = "tenant-instance-management" satisfies ServiceName;
const logger = createLogger({ service });

const health: Operation = async (context) => ({
  status: 200,
  body: {
    status: "healthy",
    version: hasFault("wrong-version") ? `${context.manifest.appVersion}-rogue` : context.manifest.appVersion,
    service,
    environment: context.config.environment,
    timestamp: context.now,
  },
});

const operations: Record<TenantOperation, Operation> = {
  health,
  "create-tenant": createTenant,
  "list-tenants": listTenants,
  "get-tenant": getTenant,
  "update-tenant": updateTenant,
  "delete-tenant": deleteTenant,
  "tenant-park": parkTenant,
  "tenant-unpark": unparkTenant,
  "create-instance": createInstance,
  "get-instance": getInstance,
  "list-instances": listInstances,
  "update-instance": updateInstance,
  "delete-instance": deleteInstance,
  "scale-instance": scaleInstance,
  "instance-suspend": suspendInstance,
  "instance-resume": resumeInstance,
  "instance-backup": backupInstance,
  "instance-restore": restoreInstance,
  "invitation-create": createInvitation,
  "invitation-list": listInvitations,
  "invitation-get": getInvitation,
  "invitation-cancel": cancelInvitation,
  "invitation-resend": resendInvitation,
  "user-assign": assignUser,
  "user-list": listUsers,
  "user-remove": removeUser,
  "hierarchy-manage": manageHierarchy,
};

const matchRoute = createRouter(tenantRoutes);

// Configuration is read once per container; a failure is not cached, so fixing the
// environment and invoking again recovers without a redeploy of the code.
let settings: { config: TenantApiConfig; manifest: Manifest; store: Store } | undefined;

function loadSettings(): { config: TenantApiConfig; manifest: Manifest; store: Store } {
  settings ??= {
    config: loadConfig(process.env),
    manifest: loadManifest(import.meta.url),
    store: new Store({ persistWrites: !hasFault("writes-not-persisted") }),
  };
  return settings;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function dispatch(
  event: ProxyEvent,
): Promise<{ status: number; body?: unknown; routeKey: string | null }> {
  const match = matchRoute(event.httpMethod, event.path);
  if (!match.found) {
    throw new NotFoundError(`Route ${event.httpMethod.toUpperCase()} ${event.path}`);
  }
  const { key: routeKey, operation } = match.route;
  if (hasFault("endpoint-5xx", routeKey)) {
    throw new InjectedFaultError(
      `${routeKey} failed while processing the request. Retry later; if it persists, roll back.`,
    );
  }
  const delay = injectedDelayMs(routeKey);
  if (delay > 0) await sleep(delay);

  const { config, manifest, store } = loadSettings();
  if (operation !== "health" && !hasFault("auth-not-enforced")) {
    await verifyCognitoToken(
      bearerTokenOf(headerOf(event, "authorization")),
      config.cognito.issuer,
      config.cognito.clientId,
    );
  }
  // Only POST and PUT carry bodies in this API; a stray body on another method is ignored like API Gateway passes it.
  const method = event.httpMethod.toUpperCase();
  const body = method === "POST" || method === "PUT" ? jsonBodyOf(event) : undefined;
  const result = await operations[operation]({
    params: match.params,
    query: queryOf(event),
    body,
    store,
    config,
    manifest,
    now: new Date().toISOString(),
  });
  const drifted = result.body !== undefined && hasFault("contract-drift", routeKey);
  return { status: result.status, body: drifted ? driftBody(result.body) : result.body, routeKey };
}

/** Lambda entry point for API Gateway REST (v1) proxy events: the 27 operations of the contract. */
export async function handler(event: unknown, context?: unknown): Promise<ProxyResult> {
  const started = performance.now();
  const requestId = requestIdOf(event, context);
  const parsedEvent = ProxyEventSchema.safeParse(event);
  const method = parsedEvent.success ? parsedEvent.data.httpMethod.toUpperCase() : null;
  const path = parsedEvent.success ? parsedEvent.data.path : null;

  if (bakedFault?.kind === "health-crash" && method === "GET" && path === "/health") {
    // Thrown out of the handler on purpose: the invocation fails (X-Amz-Function-Error: Unhandled).
    throw new InjectedCrashError();
  }
  if (bakedFault?.kind === "flaky" && flakyFails()) throw new InjectedFlakyError();

  let response: ProxyResult;
  try {
    if (!parsedEvent.success) {
      throw new RequestValidationError(
        "event",
        "The invocation payload is not an API Gateway proxy event (it needs at least httpMethod and path). Invoke through the API or send such an event.",
      );
    }
    const result = await dispatch(parsedEvent.data);
    response =
      result.status === 204 || result.body === undefined
        ? emptyResponse(requestId)
        : jsonResponse(result.status, result.body, requestId);
  } catch (error) {
    const apiError = toApiError(error);
    if (apiError.status >= 500) {
      logger.error(
        "request failed",
        { requestId, method, path, errorCode: apiError.code },
        apiError.cause ?? apiError,
      );
    }
    response = errorResponse(apiError, requestId);
  }

  const durationMs = Math.round((performance.now() - started) * 100) / 100;
  logger.info("request", { method, path, status: response.statusCode, durationMs, requestId });
  if (hasFault("log-errors")) {
    logger.error("unexpected state detected while handling the request", { requestId, method, path });
  }
  return response;
}

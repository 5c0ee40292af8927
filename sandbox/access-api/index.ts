/**
 * The Access Management functions (authorizer, roles, audit) as one Lambda handler: the package's
 * manifest says which function it is. Each serves GET /health and its own route.
 */
import { z } from "zod";
import { verifyCognitoToken } from "../api-common/auth.ts";
import {
  flakyFails,
  InjectedCrashError,
  InjectedFaultError,
  InjectedFlakyError,
  NotFoundError,
  RequestValidationError,
  toApiError,
  UnauthorizedError,
} from "../api-common/errors.ts";
import { bakedFault, driftBody, hasFault, injectedDelayMs } from "../api-common/faults.ts";
import {
  errorResponse,
  jsonBodyOf,
  jsonResponse,
  type ProxyEvent,
  ProxyEventSchema,
  type ProxyResult,
  parseInput,
  queryOf,
  requestIdOf,
} from "../api-common/http.ts";
import { createLogger } from "../api-common/logger.ts";
import { loadManifest, type Manifest } from "../api-common/package-manifest.ts";
import { LimitSchema } from "../api-common/pagination.ts";
import { createRouter } from "../api-common/router.ts";
import type { AccessFunctionKind, ServiceName } from "../manifest.ts";
import { AuthorizerNotConfiguredError, MissingFunctionError } from "./errors.ts";
import { type AccessOperation, accessRoutes } from "./routes.ts";

const service = "access-management" satisfies ServiceName;

/** Roles the platform knows; fixed in code like the IAM-style policy they stand for. */
const roles = [
  {
    id: "admin",
    description: "Manage the tenant, its users and its instances",
    permissions: ["tenant:*", "instance:*", "user:*"],
  },
  { id: "member", description: "Manage the tenant's instances", permissions: ["tenant:read", "instance:*"] },
  {
    id: "viewer",
    description: "Read the tenant and its instances",
    permissions: ["tenant:read", "instance:read"],
  },
] as const;

const AuthorizeBodySchema = z.strictObject({
  token: z.string().min(1, "must not be empty").max(8192, "is too long"),
  methodArn: z
    .string()
    .regex(/^arn:aws:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9]+\/.+$/, "must be an execute-api method ARN"),
});

const PageQuerySchema = z.strictObject({
  limit: z.string().optional(),
  nextToken: z.string().optional(),
});

const CognitoEnvSchema = z.object({ COGNITO_ISSUER: z.url(), COGNITO_CLIENT_ID: z.string().min(1) });

interface Settings {
  manifest: Manifest;
  fn: AccessFunctionKind;
}

let settings: Settings | undefined;

function loadSettings(): Settings {
  if (settings === undefined) {
    const manifest = loadManifest(import.meta.url);
    if (manifest.function === undefined) throw new MissingFunctionError();
    settings = { manifest, fn: manifest.function };
  }
  return settings;
}

/** Validates paging parameters; these lists fit on one page, so no token is ever valid. */
function onlyPage(event: ProxyEvent): void {
  const query = parseInput(PageQuerySchema, queryOf(event), "query");
  if (query.limit !== undefined) parseInput(LimitSchema, query.limit, "limit");
  if (query.nextToken !== undefined) {
    throw new RequestValidationError(
      "nextToken",
      "Invalid query: nextToken: is not a token this list returned (it has a single page). Omit it.",
    );
  }
}

async function authorize(event: ProxyEvent): Promise<unknown> {
  const body = jsonBodyOf(event);
  if (body === undefined)
    throw new RequestValidationError(
      "body",
      "Invalid request body: body: is required (a JSON object with token and methodArn).",
    );
  const request = parseInput(AuthorizeBodySchema, body, "body");
  const policy = (effect: "Allow" | "Deny", principalId: string, reason: string | null) => ({
    principalId,
    policyDocument: {
      Version: "2012-10-17",
      Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: request.methodArn }],
    },
    context: { reason },
  });
  if (hasFault("auth-not-enforced")) return policy("Allow", "anonymous", null);
  const env = CognitoEnvSchema.safeParse(process.env);
  if (!env.success) throw new AuthorizerNotConfiguredError();
  try {
    const principal = await verifyCognitoToken(
      request.token,
      env.data.COGNITO_ISSUER.replace(/\/+$/, ""),
      env.data.COGNITO_CLIENT_ID,
    );
    return policy("Allow", principal.subject, null);
  } catch (error) {
    // A rejected token is a normal "Deny" answer; anything else (JWKS unreachable) is a failure.
    if (error instanceof UnauthorizedError) return policy("Deny", "anonymous", error.message);
    throw error;
  }
}

async function run(operation: AccessOperation, event: ProxyEvent, current: Settings): Promise<unknown> {
  switch (operation) {
    case "health":
      return {
        status: "healthy",
        version: hasFault("wrong-version")
          ? `${current.manifest.appVersion}-rogue`
          : current.manifest.appVersion,
        service,
        function: current.fn,
      };
    case "list-roles":
      onlyPage(event);
      return { items: roles, nextToken: null };
    case "list-audit-events":
      onlyPage(event);
      return { items: [], nextToken: null };
    case "authorize":
      return authorize(event);
  }
}

const routers = {
  authorizer: createRouter(accessRoutes.authorizer),
  roles: createRouter(accessRoutes.roles),
  audit: createRouter(accessRoutes.audit),
};

const logger = createLogger({ service });
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Lambda entry point of the Access Management functions; which one it is comes from the manifest. */
export async function handler(event: unknown, context?: unknown): Promise<ProxyResult> {
  const started = performance.now();
  const requestId = requestIdOf(event, context);
  const parsedEvent = ProxyEventSchema.safeParse(event);
  const method = parsedEvent.success ? parsedEvent.data.httpMethod.toUpperCase() : null;
  const path = parsedEvent.success ? parsedEvent.data.path : null;
  if (bakedFault?.kind === "health-crash" && method === "GET" && path === "/health") {
    throw new InjectedCrashError();
  }
  if (bakedFault?.kind === "flaky" && flakyFails()) throw new InjectedFlakyError();

  let response: ProxyResult;
  let fn: AccessFunctionKind | null = null;
  try {
    if (!parsedEvent.success) {
      throw new RequestValidationError(
        "event",
        "The invocation payload is not an API Gateway proxy event (it needs at least httpMethod and path).",
      );
    }
    const current = loadSettings();
    fn = current.fn;
    const match = routers[current.fn](parsedEvent.data.httpMethod, parsedEvent.data.path);
    if (!match.found) throw new NotFoundError(`Route ${method} ${path}`);
    if (hasFault("endpoint-5xx", match.route.key)) {
      throw new InjectedFaultError(
        `${match.route.key} failed while processing the request. Retry later; if it persists, roll back.`,
      );
    }
    const delay = injectedDelayMs(match.route.key);
    if (delay > 0) await sleep(delay);
    const body = await run(match.route.operation, parsedEvent.data, current);
    response = jsonResponse(
      200,
      hasFault("contract-drift", match.route.key) ? driftBody(body) : body,
      requestId,
    );
  } catch (error) {
    const apiError = toApiError(error);
    if (apiError.status >= 500) {
      logger.error(
        "request failed",
        { requestId, method, path, function: fn, errorCode: apiError.code },
        apiError.cause ?? apiError,
      );
    }
    response = errorResponse(apiError, requestId);
  }
  const durationMs = Math.round((performance.now() - started) * 100) / 100;
  logger.info("request", { function: fn, method, path, status: response.statusCode, durationMs, requestId });
  if (hasFault("log-errors")) {
    logger.error("unexpected state detected while handling the request", {
      requestId,
      method,
      path,
      function: fn,
    });
  }
  return response;
}

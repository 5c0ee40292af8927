import { z } from "zod";
import { UnnamedSchemaError } from "./errors.ts";
import {
  type AnyOperation,
  type ErrorStatus,
  operationIds,
  operations,
  resourceGroups,
} from "./operations.ts";
import * as requests from "./requests.ts";
import * as resources from "./resources.ts";

/** Version of the contract document (docs/tenant-api-contract.md); bump when the table changes. */
export const CONTRACT_VERSION = "1.0.0";

/** Component names for the schemas the operations reference, in document order. */
const namedSchemas: ReadonlyArray<readonly [string, z.ZodType]> = [
  ["Health", resources.HealthSchema],
  ["Tenant", resources.TenantSchema],
  ["Instance", resources.InstanceSchema],
  ["Backup", resources.BackupSchema],
  ["Invitation", resources.InvitationSchema],
  ["TenantUser", resources.TenantUserSchema],
  ["Hierarchy", resources.HierarchySchema],
  ["TenantPage", resources.TenantPageSchema],
  ["InstancePage", resources.InstancePageSchema],
  ["InvitationPage", resources.InvitationPageSchema],
  ["TenantUserPage", resources.TenantUserPageSchema],
  ["Error", resources.ErrorBodySchema],
  ["CreateTenantRequest", requests.CreateTenantRequestSchema],
  ["UpdateTenantRequest", requests.UpdateTenantRequestSchema],
  ["CreateInstanceRequest", requests.CreateInstanceRequestSchema],
  ["UpdateInstanceRequest", requests.UpdateInstanceRequestSchema],
  ["ScaleInstanceRequest", requests.ScaleInstanceRequestSchema],
  ["BackupInstanceRequest", requests.BackupInstanceRequestSchema],
  ["RestoreInstanceRequest", requests.RestoreInstanceRequestSchema],
  ["CreateInvitationRequest", requests.CreateInvitationRequestSchema],
  ["AssignUserRequest", requests.AssignUserRequestSchema],
  ["SetHierarchyRequest", requests.SetHierarchyRequestSchema],
];

const errorResponses = {
  400: { name: "ValidationError", description: "The request is invalid (body, query or path)" },
  401: { name: "Unauthorized", description: "Missing, expired or foreign bearer token" },
  404: { name: "NotFound", description: "The resource (or route) does not exist" },
  409: { name: "Conflict", description: "The resource is in a state that does not allow this" },
  500: { name: "InternalError", description: "The service failed" },
} as const satisfies Record<ErrorStatus, { name: string; description: string }>;

const SECURITY_SCHEME = "cognitoJwt";
const REQUEST_ID_HEADER = {
  "x-request-id": {
    description: "Id of this request, also in the function's logs",
    schema: { type: "string" },
  },
};

type Json = Record<string, unknown>;

function componentRef(name: string): Json {
  return { $ref: `#/components/schemas/${name}` };
}

/** A schema on its own (parameters), without the dialect keyword a standalone document carries. */
function inlineSchema(schema: z.ZodType): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "input" });
  return rest;
}

function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [name, schema] of namedSchemas) registry.add(schema, { id: name });
  const generated = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, io: "input" });
  const out: Record<string, Json> = {};
  for (const [name] of namedSchemas) {
    const { $schema: _dialect, $id: _id, ...rest } = generated.schemas[name] ?? {};
    out[name] = rest;
  }
  return out;
}

function nameOf(schema: z.ZodType, operationId: string): string {
  const entry = namedSchemas.find(([, candidate]) => candidate === schema);
  if (entry === undefined) throw new UnnamedSchemaError(operationId);
  return entry[0];
}

function parametersOf(operation: AnyOperation): Json[] {
  const path = Object.entries(operation.params).map(([name, schema]) => ({
    name,
    in: "path",
    required: true,
    schema: inlineSchema(schema),
  }));
  const query = Object.entries(operation.query?.shape ?? {}).map(([name, field]) => {
    const optional = field instanceof z.ZodOptional;
    const inner = field instanceof z.ZodOptional ? field.unwrap() : field;
    return { name, in: "query", required: !optional, schema: inlineSchema(inner) };
  });
  return [...path, ...query];
}

function operationObject(id: string, operation: AnyOperation): Json {
  const successContent =
    operation.success.schema === null
      ? {}
      : { content: { "application/json": { schema: componentRef(nameOf(operation.success.schema, id)) } } };
  const statuses: ErrorStatus[] = [...operation.errors];
  if (operation.auth === "bearer" && !statuses.includes(401)) statuses.push(401);
  if (!statuses.includes(500)) statuses.push(500);
  statuses.sort((a, b) => a - b);
  const responses: Json = {
    [String(operation.success.status)]: {
      description: operation.success.description,
      headers: REQUEST_ID_HEADER,
      ...successContent,
    },
  };
  for (const status of statuses) {
    responses[String(status)] = { $ref: `#/components/responses/${errorResponses[status].name}` };
  }
  const parameters = parametersOf(operation);
  return {
    operationId: id,
    summary: operation.summary,
    tags: [operation.group],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body === undefined
      ? {}
      : {
          requestBody: {
            required: operation.bodyRequired,
            content: { "application/json": { schema: componentRef(nameOf(operation.body, id)) } },
          },
        }),
    responses,
    security: operation.auth === "bearer" ? [{ [SECURITY_SCHEME]: [] }] : [],
    "x-mutating": operation.mutating,
  };
}

export interface OpenApiOptions {
  /** Server URL to list (the environment's API URL); omitted when not given. */
  serverUrl?: string;
}

/** The OpenAPI 3.1 document of the contract, generated from the operations table and zod schemas. */
export function buildOpenApiDocument(options: OpenApiOptions = {}): Json {
  const paths: Record<string, Json> = {};
  for (const id of operationIds) {
    const operation = operations[id];
    const item = paths[operation.path] ?? {};
    item[operation.method.toLowerCase()] = operationObject(id, operation);
    paths[operation.path] = item;
  }
  const responses: Record<string, Json> = {};
  for (const { name, description } of Object.values(errorResponses)) {
    responses[name] = {
      description,
      headers: REQUEST_ID_HEADER,
      content: { "application/json": { schema: componentRef("Error") } },
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "BBWS Tenant & Instance Management API",
      version: CONTRACT_VERSION,
      description:
        "Generated from lib/contract (zod) after docs/tenant-api-contract.md: the runbook's function table plus GET /health.",
    },
    ...(options.serverUrl === undefined ? {} : { servers: [{ url: options.serverUrl }] }),
    tags: resourceGroups.map((name) => ({ name })),
    paths,
    components: {
      schemas: componentSchemas(),
      responses,
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "Cognito ID or access token of the environment's user pool (RS256, JWKS)",
        },
      },
    },
  };
}

import { z } from "zod";
import { formatIssues } from "./check.ts";
import { type OperationId, operationIds, operations } from "./operations.ts";
import { pathParameterNames } from "./paths.ts";

/**
 * A structural check of an OpenAPI 3.1 document: the subset of the specification's rules the
 * contract relies on, so that "API Gateway OpenAPI spec is valid" (runbook 3.3) has a checker that
 * works offline. It validates shape, resolves every $ref, and matches path templates to parameters.
 */

const RefSchema = z.object({ $ref: z.string().startsWith("#/") });

const ParameterSchema = z.union([
  RefSchema,
  z.object({
    name: z.string().min(1),
    in: z.enum(["path", "query", "header", "cookie"]),
    required: z.boolean().optional(),
    schema: z.record(z.string(), z.unknown()),
  }),
]);

const MediaTypesSchema = z.record(
  z.string().regex(/^[\w.+-]+\/[\w.+*-]+$/),
  z.object({ schema: z.unknown() }),
);

const ResponseSchema = z.union([
  RefSchema,
  z.object({
    description: z.string(),
    headers: z.record(z.string(), z.unknown()).optional(),
    content: MediaTypesSchema.optional(),
  }),
]);

const OperationSchema = z.object({
  operationId: z.string().regex(/^[A-Za-z0-9._-]+$/),
  summary: z.string().optional(),
  tags: z.array(z.string()).optional(),
  parameters: z.array(ParameterSchema).optional(),
  requestBody: z
    .union([RefSchema, z.object({ required: z.boolean().optional(), content: MediaTypesSchema })])
    .optional(),
  responses: z
    .record(
      z.string().regex(/^([1-5](\d\d|XX)|default)$/, "must be an HTTP status, NXX or default"),
      ResponseSchema,
    )
    .refine((responses) => Object.keys(responses).length > 0, "must list at least one response"),
  security: z.array(z.record(z.string(), z.array(z.string()))).optional(),
});

const lowerMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

const PathItemSchema = z.object({
  parameters: z.array(ParameterSchema).optional(),
  get: OperationSchema.optional(),
  put: OperationSchema.optional(),
  post: OperationSchema.optional(),
  delete: OperationSchema.optional(),
  options: OperationSchema.optional(),
  head: OperationSchema.optional(),
  patch: OperationSchema.optional(),
  trace: OperationSchema.optional(),
});

const DocumentSchema = z.object({
  openapi: z.string().regex(/^3\.1\.\d+$/, "must be an OpenAPI 3.1.x version string"),
  info: z.object({ title: z.string().min(1), version: z.string().min(1) }),
  servers: z.array(z.object({ url: z.string().min(1) })).optional(),
  paths: z.record(z.string().startsWith("/", "path keys must start with /"), PathItemSchema),
  components: z
    .object({
      schemas: z.record(z.string(), z.unknown()).optional(),
      responses: z.record(z.string(), z.unknown()).optional(),
      securitySchemes: z.record(z.string(), z.object({ type: z.string() })).optional(),
    })
    .optional(),
});
type Document = z.infer<typeof DocumentSchema>;

function resolvePointer(document: unknown, ref: string): boolean {
  let node: unknown = document;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, key)) return false;
    node = Reflect.get(node, key);
  }
  return true;
}

function collectRefs(node: unknown, at: string, out: Array<{ at: string; ref: string }>): void {
  if (Array.isArray(node)) {
    node.forEach((child, index) => {
      collectRefs(child, `${at}[${index}]`, out);
    });
    return;
  }
  if (typeof node !== "object" || node === null) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === "$ref" && typeof value === "string") out.push({ at, ref: value });
    else collectRefs(value, at === "" ? key : `${at}.${key}`, out);
  }
}

function operationsOf(document: Document) {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    lowerMethods.flatMap((method) => {
      const operation = item[method];
      return operation === undefined ? [] : [{ path, method, operation, item }];
    }),
  );
}

function parameterProblems(document: Document): string[] {
  const problems: string[] = [];
  for (const { path, method, operation, item } of operationsOf(document)) {
    const declared = [...(item.parameters ?? []), ...(operation.parameters ?? [])].flatMap((parameter) =>
      "in" in parameter ? [parameter] : [],
    );
    const pathDeclared = declared.filter((parameter) => parameter.in === "path");
    const templated = pathParameterNames(path);
    for (const name of templated) {
      const parameter = pathDeclared.find((candidate) => candidate.name === name);
      if (parameter === undefined)
        problems.push(`${method.toUpperCase()} ${path}: path parameter {${name}} is not declared`);
      else if (parameter.required !== true) {
        problems.push(`${method.toUpperCase()} ${path}: path parameter {${name}} must be required: true`);
      }
    }
    for (const parameter of pathDeclared) {
      if (!templated.includes(parameter.name)) {
        problems.push(
          `${method.toUpperCase()} ${path}: path parameter ${parameter.name} is not in the path template`,
        );
      }
    }
    const seen = new Set<string>();
    for (const parameter of declared) {
      const key = `${parameter.in}:${parameter.name}`;
      if (seen.has(key)) problems.push(`${method.toUpperCase()} ${path}: parameter ${key} is declared twice`);
      seen.add(key);
    }
  }
  return problems;
}

function securityProblems(document: Document): string[] {
  const schemes = Object.keys(document.components?.securitySchemes ?? {});
  return operationsOf(document).flatMap(({ path, method, operation }) =>
    (operation.security ?? []).flatMap((requirement) =>
      Object.keys(requirement)
        .filter((name) => !schemes.includes(name))
        .map(
          (name) =>
            `${method.toUpperCase()} ${path}: security scheme ${name} is not in components.securitySchemes`,
        ),
    ),
  );
}

/** Every structural problem of an OpenAPI 3.1 document, one line each; empty when it is valid. */
export function lintOpenApi(input: unknown): string[] {
  const parsed = DocumentSchema.safeParse(input);
  if (!parsed.success) return formatIssues(parsed.error);
  const document = parsed.data;
  const problems: string[] = [];
  const refs: Array<{ at: string; ref: string }> = [];
  collectRefs(input, "", refs);
  for (const { at, ref } of refs) {
    if (!ref.startsWith("#/")) problems.push(`${at}: $ref ${ref} is not a local reference`);
    else if (!resolvePointer(input, ref)) problems.push(`${at}: $ref ${ref} does not resolve`);
  }
  const ids = new Map<string, string>();
  for (const { path, method, operation } of operationsOf(document)) {
    const label = `${method.toUpperCase()} ${path}`;
    const previous = ids.get(operation.operationId);
    if (previous !== undefined)
      problems.push(`${label}: operationId ${operation.operationId} is also used by ${previous}`);
    ids.set(operation.operationId, label);
  }
  problems.push(...parameterProblems(document), ...securityProblems(document));
  return problems;
}

/** Problems if the document does not serve exactly the contract's 27 operations at their method and path. */
export function lintContractCoverage(input: unknown): string[] {
  const parsed = DocumentSchema.safeParse(input);
  if (!parsed.success) return formatIssues(parsed.error);
  const found = new Map(
    operationsOf(parsed.data).map(({ path, method, operation }) => [
      operation.operationId,
      `${method.toUpperCase()} ${path}`,
    ]),
  );
  const problems: string[] = [];
  for (const id of operationIds) {
    const expected = `${operations[id].method} ${operations[id].path}`;
    const actual = found.get(id);
    if (actual === undefined) problems.push(`operation ${id} (${expected}) is missing`);
    else if (actual !== expected)
      problems.push(`operation ${id} is at ${actual}, the contract says ${expected}`);
  }
  const known = new Set<string>(operationIds);
  for (const [id, label] of found) {
    if (!known.has(id)) problems.push(`operation ${id} (${label}) is not in the contract`);
  }
  return problems;
}

/** Operation ids present in a valid document, for reports. */
export function documentOperationIds(input: unknown): OperationId[] {
  const parsed = DocumentSchema.safeParse(input);
  if (!parsed.success) return [];
  const present = new Set(operationsOf(parsed.data).map(({ operation }) => operation.operationId));
  return operationIds.filter((id) => present.has(id));
}
